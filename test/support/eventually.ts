import { progressQuery } from '../../src/shared/messages';
import type { JobPhase, JobProgress } from '../../src/shared/job';

/** Polls `probe` until it returns a value (bounded): for states reached by another process, not for timing. */
export async function eventually<T>(probe: () => Promise<T | undefined>, what: string, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Waits (bounded) until a running job reports the given phase; a worker must be running to answer the query. */
export function untilPhase(
  handle: { query(query: typeof progressQuery): Promise<JobProgress> },
  phase: JobPhase,
): Promise<JobProgress> {
  return eventually(async () => {
    const progress = await handle.query(progressQuery);
    return progress.phase === phase ? progress : undefined;
  }, `the job to reach the ${phase} phase`);
}
