// When to look at the live batches next. A check costs the same history (a timer, an activity, their workflow tasks)
// whenever it happens, so the checks that matter are the one that finds a batch ended and the wait before it: the
// policy aims a check just after the end the request counts predict, and never waits past a batch's 24 h expiry.
import type { ChunkState, JobOptions } from '../shared/job';

const DAY_MS = 24 * 60 * 60 * 1000;
/** How long after the predicted end (or expiry) the check lands: the API's ended_at may trail the last request. */
export const END_MARGIN_MS = 5_000;
/** The shortest wait after a check aimed at a predicted end found the batch still running; doubled at every miss. */
export const MISSED_END_WAIT_MS = 15_000;

/** What the next check is and why. */
export interface CheckPlan {
  waitMs: number;
  /** When the last live batch is expected to end: every live batch has a prediction. */
  expectedEndAt?: number;
  /** The check is aimed at a predicted end (or an expiry) rather than made on the backoff. */
  aimed: boolean;
}

/**
 * A batch's end as its request counts predict it: the requests still processing, at the pace the batch has kept since
 * it was created, capped by its expiry. None while nothing has finished (the API may keep the counts at zero until
 * the batch ends, and then they say nothing).
 */
export function predictedEnd(chunk: ChunkState, now: number): number | undefined {
  const { counts, createdAt } = chunk;
  if (!counts || createdAt === undefined) return undefined;
  const total = counts.processing + counts.succeeded + counts.errored + counts.canceled + counts.expired;
  const finished = total - counts.processing;
  const elapsed = now - createdAt;
  if (finished <= 0 || elapsed <= 0) return undefined;
  // `finished` requests are done and the next one is not: on average the pace of half a request more.
  return Math.min(createdAt + Math.ceil((elapsed * total) / (finished + 0.5)), expiryOf(chunk));
}

const expiryOf = (chunk: ChunkState): number => chunk.expiresAt ?? (chunk.createdAt ?? Infinity) + DAY_MS;

/**
 * Plans the wait before the next check of `live` (batches not ended). With a prediction, the check lands just after
 * the earliest predicted end, but at most `maxInterval` away, so a wrong prediction is corrected at the next look and
 * live progress stays as fresh as before; a miss waits 15 s, then 30 s, … (`misses` in a row). Without one, the
 * backoff's `backoffMs` as before, cut short to land just after the earliest expiry, when every batch ends at the
 * latest.
 */
export function planCheck(
  live: ChunkState[],
  now: number,
  backoffMs: number,
  polling: JobOptions['polling'],
  misses: number,
): CheckPlan {
  const predictions = live.map((c) => predictedEnd(c, now));
  const known = predictions.filter((p): p is number => p !== undefined);
  const expectedEndAt = known.length > 0 && known.length === live.length ? Math.max(...known) : undefined;
  const expiry = Math.min(...live.map(expiryOf));
  const earliest = Math.min(...known, expiry);
  const floor = Math.min(MISSED_END_WAIT_MS * 2 ** misses, polling.maxIntervalMs);
  const toEnd = earliest + END_MARGIN_MS - now;
  const longest = known.length > 0 ? polling.maxIntervalMs : backoffMs;
  const plan = (waitMs: number, aimed: boolean): CheckPlan => ({
    waitMs,
    aimed,
    ...(expectedEndAt !== undefined ? { expectedEndAt } : {}),
  });
  if (toEnd <= longest) return plan(Math.max(toEnd, floor), true);
  return plan(longest, false);
}
