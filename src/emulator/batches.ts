// A batch and its state. Nothing ticks in the background: state is computed from the emulator's clock on every read,
// so moving the clock 25 h makes a batch expired at once.
import type { CacheUse } from './completions';
import type { PlannedOutcome, Scenario } from './types';

export const DAY_MS = 24 * 60 * 60 * 1000;
export const DEFAULT_CANCEL_DELAY_MS = 2000;
/** Results stay available this long after creation; then the batch is archived (`archived_at`, results 404). */
export const RESULTS_KEPT_MS = 29 * DAY_MS;

/** Codes of the compact per-request arrays (one byte a request, so 100,000 requests stay small). */
export const OUTCOMES: readonly PlannedOutcome[] = ['succeeded', 'errored', 'expired'];
export const CACHE_USES: readonly CacheUse[] = ['none', 'write', 'read'];
const EXPIRED = OUTCOMES.indexOf('expired');

/** What was decided for each request at creation, by index. */
export interface BatchPlan {
  customIds: string[];
  outcomes: Uint8Array;
  cache: Uint8Array;
  /** Only errored requests have an entry. */
  errors: Map<number, { type: string; message: string }>;
}

export interface StoredBatch {
  id: string;
  /** Creation order (list order is newest first by it), unaffected by clock changes. */
  seq: number;
  createdAt: number;
  /** Requests per second of emulator time, fixed at creation. */
  rate: number;
  /** The scenario at creation; `setBatchScenario` overrides are merged over it when read. */
  scenario: Scenario;
  plan: BatchPlan;
  cancelAt?: number;
  archivedAt?: number;
  /** Set when `endAfterRetrieves` ended the batch. */
  forcedEndAt?: number;
  retrieves: number;
}

export type RequestState = 'processing' | 'succeeded' | 'errored' | 'canceled' | 'expired';
export type ProcessingStatus = 'in_progress' | 'canceling' | 'ended';

/** When things happen for a batch under a scenario. */
export class Timeline {
  readonly size: number;
  readonly expiresAt: number;
  readonly cancelEnd: number;
  /** When the batch ends (Infinity for never, though expiry caps it at 24 h). */
  readonly end: number;

  constructor(
    private readonly batch: StoredBatch,
    private readonly scenario: Scenario,
  ) {
    this.size = batch.plan.outcomes.length;
    this.expiresAt = batch.createdAt + DAY_MS;
    this.cancelEnd =
      batch.cancelAt === undefined ? Infinity : batch.cancelAt + (scenario.cancelDelayMs ?? DEFAULT_CANCEL_DELAY_MS);
    const lastDone =
      scenario.neverEnds || batch.plan.outcomes.includes(EXPIRED) ? Infinity : this.doneAt(this.size - 1);
    this.end = Math.min(this.expiresAt, lastDone, this.cancelEnd, batch.forcedEndAt ?? Infinity);
  }

  /** When request `i` finishes processing if nothing stops it first; requests finish in order. */
  doneAt(i: number): number {
    const { batch, scenario } = this;
    if (batch.plan.outcomes[i] === EXPIRED) return Infinity;
    const forced = batch.forcedEndAt ?? Infinity;
    if (scenario.neverEnds) return forced;
    const offset =
      scenario.processingMs !== undefined
        ? (scenario.processingMs * (i + 1)) / this.size
        : (1000 * (i + 1)) / batch.rate;
    return Math.min(forced, batch.createdAt + Math.ceil(offset));
  }

  requestState(i: number, now: number): RequestState {
    const cutoff = Math.min(now, this.expiresAt, this.batch.cancelAt ?? Infinity, this.end);
    if (this.doneAt(i) <= cutoff) return OUTCOMES[this.batch.plan.outcomes[i]!] as 'succeeded' | 'errored';
    if (now < this.end) return 'processing';
    // Not done by the end: canceled when a cancel is what ended the batch, expired otherwise.
    return this.end === this.cancelEnd ? 'canceled' : 'expired';
  }

  status(now: number): ProcessingStatus {
    if (now >= this.end) return 'ended';
    return this.batch.cancelAt !== undefined && now >= this.batch.cancelAt ? 'canceling' : 'in_progress';
  }

  counts(now: number): Record<RequestState, number> {
    const counts: Record<RequestState, number> = { processing: 0, succeeded: 0, errored: 0, canceled: 0, expired: 0 };
    if (this.scenario.countsWhileRunning === 'zero-until-ended' && now < this.end) {
      counts.processing = this.size;
      return counts;
    }
    for (let i = 0; i < this.size; i++) counts[this.requestState(i, now)] += 1;
    return counts;
  }
}

/**
 * When the batch's results were archived, if they have been by `now`: by `control.archive`, or 29 days after
 * creation, as the API keeps results for 29 days.
 */
export function archivedAtOf(batch: StoredBatch, now: number): number | undefined {
  const automatic = batch.createdAt + RESULTS_KEPT_MS;
  if (batch.archivedAt !== undefined) return Math.min(batch.archivedAt, automatic);
  return automatic <= now ? automatic : undefined;
}

const iso = (ms: number) => new Date(ms).toISOString();

export function resultsPathOf(id: string): string {
  return `/v1/messages/batches/${id}/results`;
}

/** The API's MessageBatch object at time `now`. */
export function messageBatchOf(batch: StoredBatch, scenario: Scenario, now: number) {
  const timeline = new Timeline(batch, scenario);
  const status = timeline.status(now);
  const ended = status === 'ended';
  const archivedAt = archivedAtOf(batch, now);
  return {
    id: batch.id,
    type: 'message_batch' as const,
    processing_status: status,
    request_counts: timeline.counts(now),
    ended_at: ended ? iso(timeline.end) : null,
    created_at: iso(batch.createdAt),
    expires_at: iso(timeline.expiresAt),
    archived_at: archivedAt !== undefined ? iso(archivedAt) : null,
    cancel_initiated_at: batch.cancelAt !== undefined ? iso(batch.cancelAt) : null,
    // Relative, so the SDK joins it to whatever baseURL reached the emulator.
    results_url: ended ? resultsPathOf(batch.id) : null,
  };
}
