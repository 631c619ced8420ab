import type Anthropic from '@anthropic-ai/sdk';
import type { MessageBatchIndividualResponse } from '@anthropic-ai/sdk/resources/messages/batches';
import { ApplicationFailure } from '@temporalio/common';
import { Context } from '@temporalio/activity';
import { emptyCost, emptyCounts, emptyTokens, type CollectedBatch, type RetryableOutcome } from '../shared/job';
import type { JobStorage } from '../storage/storage';
import { CoalescedWrites } from '../storage/coalesced-writes';
import { chunkPrefix, seqOf } from '../requests/internal-ids';
import { addUsage } from '../pricing/prices';
import { callApi } from './api-errors';
import { workPaths } from './work-paths';

export interface CollectInput {
  jobKey: string;
  output: string;
  /** The job's `work` folder, when not the default. */
  work?: string;
  round: number;
  chunk: number;
  batchId: string;
  requestCount: number;
  retryOn: RetryableOutcome[];
}

/** One joined outcome line as stored between collect and report (`seq` first: the report swaps it for custom_id). */
export interface OutcomeLine {
  seq: number;
  outcome: MessageBatchIndividualResponse['result']['type'];
  round: number;
  batch_id: string;
  message?: unknown;
  error?: { type: string; message: string };
  usage?: unknown;
}

/** Streams an ended batch's results from the API into storage, joined to the input positions. */
export function createCollectActivities({ anthropic, storage }: { anthropic: Anthropic; storage: JobStorage }) {
  return {
    async collectBatch(input: CollectInput): Promise<CollectedBatch> {
      const ctx = Context.current();
      const prefix = chunkPrefix(input.jobKey, input.round, input.chunk);
      const ref = workPaths(storage, input.output, input.jobKey, input.work).outcomes(input.round, input.chunk);
      const counts = emptyCounts();
      const tokens = emptyTokens();
      const cost = emptyCost();
      const retryableByOutcome = { errored: 0, expired: 0 };
      let lines = 0;
      // Alive on a timer, not only per 1,000 lines: the API may take a while before the first line of a large batch.
      ctx.heartbeat({ lines });
      const alive = setInterval(() => ctx.heartbeat({ lines }), 5_000);
      try {
        await storage.write(ref, async (sink) => {
          const out = new CoalescedWrites(sink);
          const results = await callApi('read batch results', () => anthropic.messages.batches.results(input.batchId));
          for await (const result of results) {
            const seq = seqOf(result.custom_id, prefix);
            if (seq === undefined) {
              throw ApplicationFailure.nonRetryable(
                `batch ${input.batchId} holds ${result.custom_id}, which is not a request of this chunk`,
                'BatchNotOwned',
              );
            }
            const line: OutcomeLine = { seq, outcome: result.result.type, round: input.round, batch_id: input.batchId };
            const r = result.result;
            if (r.type === 'succeeded') {
              line.message = r.message;
              line.usage = r.message.usage;
              counts.succeeded += 1;
              addUsage(tokens, cost, r.message.model, r.message.usage);
            } else if (r.type === 'errored') {
              const error = r.error.error;
              line.error = { type: error.type, message: error.message };
              counts.errored += 1;
              counts.erroredByType[error.type] = (counts.erroredByType[error.type] ?? 0) + 1;
              if ((input.retryOn as string[]).includes(error.type)) retryableByOutcome.errored += 1;
            } else if (r.type === 'expired') {
              counts.expired += 1;
              if (input.retryOn.includes('expired')) retryableByOutcome.expired += 1;
            } else {
              counts.canceled += 1;
            }
            const written = out.write(JSON.stringify(line) + '\n');
            if (written) await written;
            lines += 1;
          }
          await out.flush();
          if (lines !== input.requestCount) {
            // A results stream that ended early: the whole collect is retried, the partial file discarded.
            throw ApplicationFailure.retryable(
              `batch ${input.batchId}: ${lines} result lines for ${input.requestCount} requests`,
              'IncompleteResults',
            );
          }
        });
      } finally {
        clearInterval(alive);
      }
      return { outcomes: ref, counts, retryableByOutcome, tokens, cost };
    },
  };
}
