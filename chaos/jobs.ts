// The run's jobs: equal in size (equal-sized batches of different jobs are what a careless adoption mistakes for one's
// own), each request's prompt unique to its job and position so that every answer shows whose question it answers,
// all started at once through the project's typed client.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { WorkflowFailedError } from '@temporalio/client';
import type { BatchJobClient, BatchJobHandle, BatchJobInput, BatchJobResult } from '../src/client';
import type { Random } from './random';

/**
 * one-chunk: a single batch; chunks: three batches; retry: a first batch in which some requests error once, then a
 * second round; chunks-retry: both. Retry rounds of different jobs have equal sizes too.
 */
export type JobKind = 'one-chunk' | 'chunks' | 'retry' | 'chunks-retry';
const KINDS: readonly JobKind[] = ['one-chunk', 'chunks', 'retry', 'chunks-retry'];

export interface JobPlan {
  index: number;
  kind: JobKind;
  workflowId: string;
  input: BatchJobInput;
  /** Input custom_id → the prompt its answer must echo, in input order. */
  prompts: Map<string, string>;
  /** Batches its first round creates. */
  round1Batches: number;
}

export interface JobOutcome {
  plan: JobPlan;
  /** Temporal's final status name (COMPLETED, FAILED…), or RUNNING when the bound passed first. */
  status: string;
  result?: BatchJobResult;
  /** Milliseconds from the start of all jobs to this job's end, when it ended. */
  tookMs?: number;
  error?: string;
}

const CHUNKS = 3;

/** The prompt of one request: few enough words that the emulator's reply quotes all of them. */
export const promptOf = (job: number, seq: number, token: string) => `chaos job ${job} request ${seq} token ${token}`;

/** Which job a prompt (or a reply quoting it) belongs to. */
export function jobOfText(text: string): number | undefined {
  const match = /chaos job (\d+) request /.exec(text);
  return match ? Number(match[1]) : undefined;
}

export async function writeJobs(
  dir: string,
  options: { jobs: number; requestsPerJob: number; runId: string },
  random: Random,
): Promise<JobPlan[]> {
  const plans: JobPlan[] = [];
  const chunkSize = Math.ceil(options.requestsPerJob / CHUNKS);
  for (let index = 0; index < options.jobs; index++) {
    const kind = KINDS[index % KINDS.length]!;
    const chunked = kind === 'chunks' || kind === 'chunks-retry';
    const retries = kind === 'retry' || kind === 'chunks-retry';
    // One failing request per chunk's worth of input, so that every chunk of a chunked job has one.
    const failsOnce = (seq: number) => retries && seq % chunkSize === 2;
    const errorType = kind === 'retry' ? 'api_error' : 'overloaded_error';
    const jobDir = join(dir, `job-${index}`);
    await mkdir(jobDir, { recursive: true });
    const prompts = new Map<string, string>();
    const lines: string[] = [];
    for (let seq = 0; seq < options.requestsPerJob; seq++) {
      const customId = `job${index}-q${seq}`;
      const prompt = promptOf(index, seq, random.token());
      prompts.set(customId, prompt);
      const params = {
        messages: [{ role: 'user', content: prompt }],
        // The marker lives in the system prompt: the reply quotes only the user's turn.
        ...(failsOnce(seq) ? { system: `[emulator:errored=${errorType} x1]` } : {}),
      };
      lines.push(JSON.stringify({ custom_id: customId, params }));
    }
    const requests = join(jobDir, 'requests.jsonl');
    await writeFile(requests, lines.join('\n') + '\n');
    plans.push({
      index,
      kind,
      workflowId: `chaos-${options.runId}-job-${index}`,
      prompts,
      round1Batches: chunked ? Math.ceil(options.requestsPerJob / chunkSize) : 1,
      input: {
        requests,
        output: join(jobDir, 'out'),
        name: `chaos job ${index} (${kind})`,
        defaults: { model: 'claude-haiku-4-5', max_tokens: 64 },
        polling: { initialInterval: '1 second', maxInterval: '3 seconds' },
        ...(chunked ? { chunk: { maxRequests: chunkSize } } : {}),
      },
    });
  }
  return plans;
}

/** Starts every job in one go: the server receives the starts together, as it would from a busy service. */
export function startJobs(client: BatchJobClient, plans: JobPlan[]): Promise<BatchJobHandle[]> {
  return Promise.all(
    plans.map((plan) =>
      client.startBatchJob(plan.input, { workflowId: plan.workflowId, summary: `Chaos: ${plan.input.name ?? ''}` }),
    ),
  );
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** When to stop waiting for a job: its bound, or earlier when the run is abandoned (a chaos action failed). */
export interface WaitLimit {
  deadline: number;
  abandoned: Promise<void>;
}

/**
 * Waits for a job's end, through server restarts (a lost connection is retried, not taken for the job's failure),
 * until the limit.
 */
export async function awaitJob(
  client: BatchJobClient,
  plan: JobPlan,
  startedAt: number,
  limit: WaitLimit,
): Promise<JobOutcome> {
  const handle = client.handle(plan.workflowId);
  let error: string | undefined;
  let stop = false;
  const stopped = limit.abandoned.then(() => {
    stop = true;
    return 'stop' as const;
  });
  while (!stop && Date.now() < limit.deadline) {
    let timer: NodeJS.Timeout | undefined;
    const bound = new Promise<'stop'>((resolve) => {
      timer = setTimeout(() => resolve('stop'), Math.max(0, limit.deadline - Date.now()));
    });
    try {
      const result = await Promise.race([handle.result(), bound, stopped]);
      if (result === 'stop') break;
      return { plan, status: 'COMPLETED', result, tookMs: Date.now() - startedAt };
    } catch (err) {
      if (err instanceof WorkflowFailedError) {
        error = err.cause?.message ?? err.message;
        break;
      }
      // The server is restarting, or the connection is being re-established.
      await sleep(1_000);
    } finally {
      clearTimeout(timer);
    }
  }
  const status = await describeStatus(handle, Date.now() + 30_000);
  return { plan, status, ...(error ? { error } : {}) };
}

async function describeStatus(handle: BatchJobHandle, until: number): Promise<string> {
  for (;;) {
    try {
      return (await handle.describe()).status.name;
    } catch (err) {
      if (Date.now() > until) return `UNKNOWN (${(err as Error).message})`;
      await sleep(1_000);
    }
  }
}
