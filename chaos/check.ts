// The verdict: every completed job's results.jsonl against its own input, and the emulator's record of every batch
// created against what the jobs say they used. Nothing here trusts the workflow's own accounting.
import { readFile } from 'node:fs/promises';
import type { Emulator } from '../src/emulator';
import type { FinalResultLine, JobSummary } from '../src/shared/job';
import { jobOfText, type JobOutcome } from './jobs';

/** What the check reads of a job's outcome: its requests, its end, where its results are and which batches it used. */
export interface CheckedJob {
  plan: Pick<JobOutcome['plan'], 'index' | 'prompts'>;
  status: string;
  error?: string;
  result?: { resultsPath: string; summary: Pick<JobSummary, 'batches'> };
}

export interface Verdict {
  jobs: number;
  completed: number;
  requests: number;
  linesChecked: number;
  /** Lines answering another request (or naming a request the job does not have, or another job's batch). */
  wrong: number;
  /** Input requests with no line. */
  lost: number;
  /** Lines beyond the first for the same request. */
  duplicate: number;
  /** Lines whose outcome is not `succeeded`: none is expected (every failure here heals in round 2). */
  notSucceeded: number;
  batchesCreated: number;
  /** Batches beyond the first for one job's chunk and round: paid for twice. */
  duplicateBatches: number;
  /** Batches a job used that hold another job's requests. */
  batchesUsedByAnotherJob: number;
  /** Batches a job lists under a round or chunk other than the one its requests' ids name. */
  batchesMisfiled: number;
  /** Batches of a completed job that none of its results came from. */
  unusedBatches: number;
  /** Batches holding requests of several jobs, or of none of ours. */
  unattributedBatches: number;
  /** Jobs whose internal job key (in every custom_id sent) another job's batches carry too. */
  jobsSharingAJobKey: number;
  /** A few examples of each problem, for people. */
  examples: string[];
}

const INTERNAL_ID = /^(.*)-r(\d+)c(\d+)-\d+$/;

interface BatchOwner {
  id: string;
  job: number | undefined;
  jobKey: string;
  round: number;
  chunk: number;
}

async function ownersOfBatches(emulator: Emulator): Promise<BatchOwner[]> {
  const owners: BatchOwner[] = [];
  for (const batch of emulator.record.batches()) {
    const requests = await emulator.record.requestsOf(batch.id);
    const jobs = new Set(requests.map((r) => jobOfText(JSON.stringify(r.params))));
    const id = INTERNAL_ID.exec(requests[0]?.custom_id ?? '');
    owners.push({
      id: batch.id,
      job: jobs.size === 1 ? [...jobs][0] : undefined,
      jobKey: id?.[1] ?? '?',
      round: Number(id?.[2] ?? -1),
      chunk: Number(id?.[3] ?? -1),
    });
  }
  return owners;
}

function replyText(line: FinalResultLine): string {
  const content = (line.message as { content?: { type: string; text?: string }[] } | undefined)?.content;
  return (content ?? []).map((b) => b.text ?? '').join('');
}

export async function checkRun(outcomes: CheckedJob[], emulator: Emulator): Promise<Verdict> {
  // The same problem on many lines is one example, with its count.
  const problems = new Map<string, number>();
  const example = (text: string) => problems.set(text, (problems.get(text) ?? 0) + 1);
  const examples: string[] = [];
  const owners = await ownersOfBatches(emulator);
  const ownerOf = new Map(owners.map((o) => [o.id, o]));
  const verdict: Verdict = {
    jobs: outcomes.length,
    completed: 0,
    requests: outcomes.reduce((n, o) => n + o.plan.prompts.size, 0),
    linesChecked: 0,
    wrong: 0,
    lost: 0,
    duplicate: 0,
    notSucceeded: 0,
    batchesCreated: owners.length,
    duplicateBatches: 0,
    batchesUsedByAnotherJob: 0,
    batchesMisfiled: 0,
    unusedBatches: 0,
    unattributedBatches: 0,
    jobsSharingAJobKey: 0,
    examples,
  };

  // Batches, from the emulator's side: who paid for what, and who used what.
  const perChunk = new Map<string, string[]>();
  for (const o of owners) {
    if (o.job === undefined) {
      verdict.unattributedBatches += 1;
      example(`batch ${o.id} holds requests of several jobs or of none`);
      continue;
    }
    const key = `job ${o.job} round ${o.round} chunk ${o.chunk}`;
    perChunk.set(key, [...(perChunk.get(key) ?? []), o.id]);
  }
  for (const [key, ids] of perChunk) {
    if (ids.length < 2) continue;
    verdict.duplicateBatches += ids.length - 1;
    example(`${key}: ${ids.length} batches (${ids.join(', ')})`);
  }
  const used = new Set<string>();
  for (const outcome of outcomes) {
    for (const b of outcome.result?.summary.batches ?? []) {
      used.add(b.batchId);
      const owner = ownerOf.get(b.batchId);
      if (owner?.job !== outcome.plan.index) {
        verdict.batchesUsedByAnotherJob += 1;
        example(`job ${outcome.plan.index} used batch ${b.batchId}, which holds job ${owner?.job ?? '?'}'s requests`);
      } else if (owner.round !== b.round || owner.chunk !== b.chunk) {
        verdict.batchesMisfiled += 1;
        example(
          `job ${outcome.plan.index} lists batch ${b.batchId} as round ${b.round} chunk ${b.chunk}; ` +
            `it holds round ${owner.round} chunk ${owner.chunk}`,
        );
      }
    }
  }
  const completed = new Set(outcomes.filter((o) => o.result).map((o) => o.plan.index));
  for (const o of owners) {
    if (o.job === undefined || !completed.has(o.job) || used.has(o.id)) continue;
    verdict.unusedBatches += 1;
    example(`job ${o.job} paid for batch ${o.id} (round ${o.round} chunk ${o.chunk}) and used none of it`);
  }

  for (const outcome of outcomes) {
    const { plan } = outcome;
    if (outcome.status !== 'COMPLETED' || !outcome.result) {
      example(`job ${plan.index}: ${outcome.status}${outcome.error ? ` (${outcome.error})` : ''}`);
      continue;
    }
    verdict.completed += 1;
    const text = await readFile(outcome.result.resultsPath, 'utf8');
    const seen = new Map<string, number>();
    for (const raw of text.split('\n')) {
      if (raw.trim() === '') continue;
      verdict.linesChecked += 1;
      const line = JSON.parse(raw) as FinalResultLine;
      seen.set(line.custom_id, (seen.get(line.custom_id) ?? 0) + 1);
      if (seen.get(line.custom_id)! > 1) {
        verdict.duplicate += 1;
        example(`job ${plan.index}: requests with more than one line`);
        continue;
      }
      const prompt = plan.prompts.get(line.custom_id);
      const batchJob = line.batch_id ? ownerOf.get(line.batch_id)?.job : undefined;
      if (prompt === undefined) {
        verdict.wrong += 1;
        example(`job ${plan.index}: a line for ${line.custom_id}, which is not one of its requests`);
      } else if (line.batch_id && batchJob !== plan.index) {
        verdict.wrong += 1;
        example(`job ${plan.index}: lines from batch ${line.batch_id}, which holds job ${batchJob ?? '?'}'s requests`);
      } else if (line.outcome === 'succeeded' && !replyText(line).includes(prompt)) {
        verdict.wrong += 1;
        example(`job ${plan.index}: ${line.custom_id} ("${prompt}") answered "${replyText(line)}"`);
      } else if (line.outcome !== 'succeeded') {
        verdict.notSucceeded += 1;
        example(`job ${plan.index}: a line ended ${line.outcome}`);
      }
    }
    for (const customId of plan.prompts.keys()) {
      if (!seen.has(customId)) {
        verdict.lost += 1;
        example(`job ${plan.index}: requests with no line`);
      }
    }
  }

  const jobsOfKey = new Map<string, Set<number>>();
  for (const o of owners) {
    if (o.job !== undefined) jobsOfKey.set(o.jobKey, (jobsOfKey.get(o.jobKey) ?? new Set()).add(o.job));
  }
  verdict.jobsSharingAJobKey = [...jobsOfKey.values()].reduce((n, jobs) => n + (jobs.size > 1 ? jobs.size : 0), 0);
  for (const [text, n] of [...problems].slice(0, 12)) examples.push(n > 1 ? `${text} (x${n})` : text);
  if (problems.size > 12) examples.push(`… and ${problems.size - 12} more`);
  return verdict;
}

/** Whether the run passed: nothing wrong, lost, repeated or paid twice, and every job completed. */
export function passed(v: Verdict): boolean {
  return (
    v.completed === v.jobs &&
    v.wrong === 0 &&
    v.lost === 0 &&
    v.duplicate === 0 &&
    v.duplicateBatches === 0 &&
    v.batchesUsedByAnotherJob === 0 &&
    v.batchesMisfiled === 0 &&
    v.unusedBatches === 0 &&
    v.unattributedBatches === 0
  );
}
