// Checks of what a finished job answered, shared by the concurrency tests: every request answered by its own reply,
// and exactly one batch per job, chunk and round at the emulator.
import assert from 'node:assert/strict';
import type { Emulator } from '../../src/emulator';
import type { FinalResultLine } from '../../src/shared/job';
import { request } from './job-env';

/** A job's requests whose prompts are unique across jobs: the emulator's reply echoes the prompt's words. */
export function jobRequests(job: number, count: number) {
  return Array.from({ length: count }, (_, i) => request(`r-${i}`, promptOf(job, i)));
}

const promptOf = (job: number, i: number) => `job ${job} asks question ${i} of its own`;

/** The wrong, lost and repeated lines of a job's results, by custom_id. */
export function wrongAnswers(job: number, count: number, results: FinalResultLine[]) {
  const seen = new Set<string>();
  const wrong: string[] = [];
  const repeated: string[] = [];
  for (const line of results) {
    if (seen.has(line.custom_id)) repeated.push(line.custom_id);
    seen.add(line.custom_id);
    if (line.outcome !== 'succeeded') continue;
    const i = Number(line.custom_id.slice('r-'.length));
    const message = line.message as { content: { type: string; text?: string }[] };
    const text = message.content.map((b) => b.text ?? '').join('');
    if (!text.endsWith(`: ${promptOf(job, i)}`)) wrong.push(`${line.custom_id} answered "${text}"`);
  }
  const lost = Array.from({ length: count }, (_, i) => `r-${i}`).filter((id) => !seen.has(id));
  return { wrong, lost, repeated };
}

/**
 * Every batch the emulator holds, by the job key, round and chunk of the internal ids it was created with
 * (`<key>-r<round>c<chunk>-<seq>`): a batch whose ids name two owners, or two batches for one chunk, break the promise.
 */
export async function batchesByChunk(emulator: Emulator): Promise<Map<string, string[]>> {
  const byChunk = new Map<string, string[]>();
  for (const batch of emulator.record.batches()) {
    const owners = new Set(
      (await emulator.record.requestsOf(batch.id)).map((r) => /^(.+-r\d+c\d+)-\d+$/.exec(r.custom_id)?.[1]),
    );
    assert.equal(owners.size, 1, `batch ${batch.id} holds the requests of one chunk: ${[...owners].join(', ')}`);
    const owner = [...owners][0]!;
    byChunk.set(owner, [...(byChunk.get(owner) ?? []), batch.id]);
  }
  return byChunk;
}
