import type Anthropic from '@anthropic-ai/sdk';
import type { MessageBatch } from '@anthropic-ai/sdk/resources/messages/batches';
import { Context } from '@temporalio/activity';
import type { BatchStatus, ChunkRef, RequestCounts } from '../shared/job';
import type { JobStorage } from '../storage/storage';
import { chunkPrefix, seqOf } from '../requests/internal-ids';
import { ApplicationFailure } from '@temporalio/common';
import { callApi } from './api-errors';

export interface SubmitChunkInput {
  jobKey: string;
  round: number;
  chunk: ChunkRef;
  /** Workflow time when this submission was first scheduled: no batch of ours for it can be older. */
  scheduledAt: number;
  /** Batches already known to belong to other chunks of this job: never candidates. */
  claimed: string[];
  /**
   * An earlier activity for this chunk ended without a batch id while its create may have reached the API (the
   * workflow submits a stalled chunk again as a new activity): look for that batch before creating one.
   */
  earlierAttempts?: boolean;
}

/** Details of a failed submission: whether a batch of this chunk may exist at the API even so. */
export interface SubmitFailureDetails {
  batchMayExist: boolean;
}

export interface BatchSnapshot {
  id: string;
  status: BatchStatus;
  counts: RequestCounts;
  /** The API's `created_at` and `expires_at` (ISO); absent in snapshots recorded before they were taken. */
  createdAt?: string;
  expiresAt?: string;
}

/** What an attempt has recorded (heartbeat details) so that the next attempt never creates a second batch. */
interface SubmitCheckpoint {
  intentAt?: number;
  batchId?: string;
}

export interface BatchActivityOptions {
  anthropic: Anthropic;
  storage: JobStorage;
  /** How far apart our clock and the API's may be when looking for a batch an earlier attempt created. */
  clockSkewMs?: number;
  /** How often to look again while proving which candidate batch is ours. */
  verifyIntervalMs?: number;
  /**
   * Create bodies this worker sends at once (default 1). The SDK's fetch holds a body it sends in memory, so each one
   * in flight costs about its size (up to 256 MB): one at a time keeps a worker's peak the same whatever the job's
   * size, and the worker's uplink is shared by its uploads anyway.
   */
  concurrentCreates?: number;
}

const snapshot = (b: MessageBatch): BatchSnapshot => ({
  id: b.id,
  status: b.processing_status,
  counts: { ...b.request_counts },
  createdAt: b.created_at,
  expiresAt: b.expires_at,
});

const total = (c: RequestCounts) => c.processing + c.succeeded + c.errored + c.canceled + c.expired;

/** The Message Batches API calls of a job: create (exactly once per chunk), check, cancel. */
export function createBatchActivities(options: BatchActivityOptions) {
  const { anthropic, storage } = options;
  const skew = options.clockSkewMs ?? 5 * 60_000;
  const verifyEvery = options.verifyIntervalMs ?? 30_000;
  const createSlots = new Slots(options.concurrentCreates ?? 1);

  /** Heartbeats on a timer while a long call (a 256 MB upload) runs, carrying the checkpoint. */
  async function withHeartbeat<T>(details: SubmitCheckpoint | object | undefined, work: () => Promise<T>): Promise<T> {
    const ctx = Context.current();
    ctx.heartbeat(details);
    const timer = setInterval(() => ctx.heartbeat(details), 5_000);
    try {
      return await work();
    } finally {
      clearInterval(timer);
    }
  }

  /**
   * Finds the batch an earlier attempt may have created for this chunk. Candidates are batches created since the
   * submission was scheduled with the chunk's request count; one is ours only if its results carry this chunk's
   * internal ids, so while candidates are still running we wait for them rather than risk paying twice.
   */
  async function findEarlierBatch(input: SubmitChunkInput): Promise<string | undefined> {
    const since = input.scheduledAt - skew;
    let candidates: string[] = [];
    for await (const batch of anthropic.messages.batches.list({ limit: 100 })) {
      if (Date.parse(batch.created_at) < since) break;
      if (total(batch.request_counts) === input.chunk.requestCount && !input.claimed.includes(batch.id)) {
        candidates.push(batch.id);
      }
    }
    const prefix = chunkPrefix(input.jobKey, input.round, input.chunk.index);
    const ctx = Context.current();
    while (candidates.length > 0) {
      ctx.heartbeat({ verifying: candidates });
      const stillRunning: string[] = [];
      for (const id of candidates) {
        const batch = await callApi('retrieve batch', () => anthropic.messages.batches.retrieve(id));
        if (batch.processing_status !== 'ended') {
          stillRunning.push(id);
          continue;
        }
        if (await isOurs(id, prefix, input.chunk.requestCount)) return id;
      }
      candidates = stillRunning;
      if (candidates.length === 0) break;
      await ctx.sleep(verifyEvery);
    }
    return undefined;
  }

  /**
   * A candidate is ours only if every one of its result lines carries this chunk's prefix (which holds the job's random
   * key, shared by no other job) with a distinct position, and there are exactly as many lines as the chunk has
   * requests. Reading one line would take any batch that merely starts like ours.
   */
  async function isOurs(batchId: string, prefix: string, requestCount: number): Promise<boolean> {
    const results = await callApi('read batch results', () => anthropic.messages.batches.results(batchId));
    const seen = new Set<number>();
    for await (const line of results) {
      const seq = seqOf(line.custom_id, prefix);
      if (seq === undefined || seen.has(seq)) return false;
      seen.add(seq);
      if (seen.size % 10_000 === 0) Context.current().heartbeat({ verifying: batchId, lines: seen.size });
    }
    return seen.size === requestCount;
  }

  /** Creates the chunk's batch, or adopts the one an earlier attempt created. Returns the batch id. */
  async function submitOnce(
    input: SubmitChunkInput,
    prior: SubmitCheckpoint | undefined,
    mayHaveCreated: boolean,
  ): Promise<BatchSnapshot> {
    const ctx = Context.current();
    if (prior?.batchId) {
      return snapshot(await callApi('retrieve batch', () => anthropic.messages.batches.retrieve(prior.batchId!)));
    }
    if (mayHaveCreated) {
      const earlier = await withHeartbeat({ searching: true }, () => findEarlierBatch(input));
      if (earlier) {
        ctx.heartbeat({ batchId: earlier });
        return snapshot(await callApi('retrieve batch', () => anthropic.messages.batches.retrieve(earlier)));
      }
    }
    // Queued behind this worker's other uploads, alive meanwhile (no checkpoint: nothing sent yet); a cancel while queued
    // sends nothing.
    const batch = await withHeartbeat(undefined, () =>
      createSlots.run(ctx.cancellationSignal, async () => {
        const body = await storage.blob(input.chunk.body, 'application/json');
        return withHeartbeat({ intentAt: Date.now() }, () =>
          callApi('create batch', () =>
            anthropic.post<MessageBatch>('/v1/messages/batches', {
              body,
              headers: { 'content-type': 'application/json' },
              // The API has no idempotency key: a retry here could pay for the chunk twice. Temporal retries instead,
              // through the reconciliation above.
              maxRetries: 0,
            }),
          ),
        );
      }),
    );
    ctx.heartbeat({ batchId: batch.id });
    return snapshot(batch);
  }

  return {
    /** Creates the chunk's batch, or adopts the one an earlier attempt created; says when a failure may leave one. */
    async submitChunk(input: SubmitChunkInput): Promise<BatchSnapshot> {
      const ctx = Context.current();
      const prior = ctx.info.heartbeatDetails as SubmitCheckpoint | undefined;
      // Any retry may follow an attempt whose create reached the API without its answer reaching us.
      const mayHaveCreated = ctx.info.attempt > 1 || prior !== undefined || input.earlierAttempts === true;
      try {
        return await submitOnce(input, prior, mayHaveCreated);
      } catch (err) {
        // The workflow fails a job fast on a refused key only while it can own no batch: say when it might.
        if (mayHaveCreated && err instanceof ApplicationFailure && err.nonRetryable) {
          const details: SubmitFailureDetails = { batchMayExist: true };
          throw ApplicationFailure.create({
            message: err.message,
            ...(err.type ? { type: err.type } : {}),
            nonRetryable: true,
            details: [details],
          });
        }
        throw err;
      }
    },

    /** One cheap look at the job's live batches. */
    async checkBatches(batchIds: string[]): Promise<BatchSnapshot[]> {
      const out: BatchSnapshot[] = [];
      for (const id of batchIds) {
        // Alive between calls: a worker that dies mid-check is noticed within the heartbeat timeout.
        Context.current().heartbeat({ checked: out.length });
        out.push(snapshot(await callApi('retrieve batch', () => anthropic.messages.batches.retrieve(id))));
      }
      return out;
    },

    /** Asks the API to cancel a batch; a batch that already ended is left as it is. */
    async cancelBatch(batchId: string): Promise<BatchSnapshot> {
      const current = await callApi('retrieve batch', () => anthropic.messages.batches.retrieve(batchId));
      if (current.processing_status !== 'in_progress') return snapshot(current);
      return snapshot(await callApi('cancel batch', () => anthropic.messages.batches.cancel(batchId)));
    },
  };
}

/** At most `size` pieces of work at once, the rest waiting in order; work whose signal aborted while waiting never runs. */
class Slots {
  private free: number;
  private readonly waiting: (() => void)[] = [];

  constructor(size: number) {
    this.free = Math.max(1, size);
  }

  async run<T>(signal: AbortSignal, work: () => Promise<T>): Promise<T> {
    if (this.free > 0) this.free -= 1;
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    try {
      signal.throwIfAborted();
      return await work();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.free += 1;
    }
  }
}
