import type Anthropic from '@anthropic-ai/sdk';
import type { MessageBatch } from '@anthropic-ai/sdk/resources/messages/batches';
import { Context } from '@temporalio/activity';
import type { BatchStatus, ChunkRef, RequestCounts } from '../shared/job';
import type { JobStorage } from '../storage/storage';
import { chunkPrefix, seqOf } from '../requests/internal-ids';
import { callApi } from './api-errors';

export interface SubmitChunkInput {
  jobKey: string;
  round: number;
  chunk: ChunkRef;
  /** Workflow time when this submission was first scheduled: no batch of ours for it can be older. */
  scheduledAt: number;
  /** Batches already known to belong to other chunks of this job: never candidates. */
  claimed: string[];
}

export interface BatchSnapshot {
  id: string;
  status: BatchStatus;
  counts: RequestCounts;
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
}

const snapshot = (b: MessageBatch): BatchSnapshot => ({
  id: b.id,
  status: b.processing_status,
  counts: { ...b.request_counts },
});

const total = (c: RequestCounts) => c.processing + c.succeeded + c.errored + c.canceled + c.expired;

/** The Message Batches API calls of a job: create (exactly once per chunk), check, cancel. */
export function createBatchActivities(options: BatchActivityOptions) {
  const { anthropic, storage } = options;
  const skew = options.clockSkewMs ?? 5 * 60_000;
  const verifyEvery = options.verifyIntervalMs ?? 30_000;

  /** Heartbeats on a timer while a long call (a 256 MB upload) runs, carrying the checkpoint. */
  async function withHeartbeat<T>(details: SubmitCheckpoint | object, work: () => Promise<T>): Promise<T> {
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
      const stillRunning: string[] = [];
      for (const id of candidates) {
        const batch = await callApi('retrieve batch', () => anthropic.messages.batches.retrieve(id));
        if (batch.processing_status !== 'ended') {
          stillRunning.push(id);
          continue;
        }
        if (await isOurs(id, prefix)) return id;
      }
      candidates = stillRunning;
      if (candidates.length === 0) break;
      ctx.heartbeat({ verifying: candidates });
      await ctx.sleep(verifyEvery);
    }
    return undefined;
  }

  async function isOurs(batchId: string, prefix: string): Promise<boolean> {
    const results = await callApi('read batch results', () => anthropic.messages.batches.results(batchId));
    for await (const line of results) {
      return seqOf(line.custom_id, prefix) !== undefined;
    }
    return false;
  }

  return {
    /** Creates the chunk's batch, or adopts the one an earlier attempt created. Returns the batch id. */
    async submitChunk(input: SubmitChunkInput): Promise<BatchSnapshot> {
      const ctx = Context.current();
      const prior = ctx.info.heartbeatDetails as SubmitCheckpoint | undefined;
      if (prior?.batchId) {
        return snapshot(await callApi('retrieve batch', () => anthropic.messages.batches.retrieve(prior.batchId!)));
      }
      // Any retry may follow an attempt whose create reached the API without its answer reaching us: look first.
      if (ctx.info.attempt > 1 || prior?.intentAt !== undefined) {
        const earlier = await findEarlierBatch(input);
        if (earlier) {
          ctx.heartbeat({ batchId: earlier });
          return snapshot(await callApi('retrieve batch', () => anthropic.messages.batches.retrieve(earlier)));
        }
      }
      const body = await storage.blob(input.chunk.body, 'application/json');
      const batch = await withHeartbeat({ intentAt: Date.now() }, () =>
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
      ctx.heartbeat({ batchId: batch.id });
      return snapshot(batch);
    },

    /** One cheap look at the job's live batches. */
    async checkBatches(batchIds: string[]): Promise<BatchSnapshot[]> {
      const out: BatchSnapshot[] = [];
      for (const id of batchIds) {
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
