import { createInterface } from 'node:readline';
import { Context } from '@temporalio/activity';
import type { ChunkRef, RetryableOutcome } from '../shared/job';
import type { JobStorage } from '../storage/storage';
import { ChunkWriter, requestLineOf } from '../requests/chunk-writer';
import { chunkPrefix, internalId, seqOf } from '../requests/internal-ids';
import { requestBodyLine, splitRequestLine } from '../requests/request-body-line';
import type { OutcomeLine } from './collect';
import { ChunkCostEstimates } from '../requests/cost-estimates';
import { workPaths } from './work-paths';

export interface RetryRoundInput {
  jobKey: string;
  output: string;
  /** The job's `work` folder, when not the default. */
  work?: string;
  /** The round to build. */
  round: number;
  /** Outcome files of the round before it. */
  previousOutcomes: string[];
  /** Round 1's chunks: the original params of every request. */
  originalChunks: ChunkRef[];
  retryOn: RetryableOutcome[];
  limits: { maxRequests: number; maxBytes: number };
}

/** Builds the next round's chunks: the requests whose last outcome is worth retrying, from their original params. */
export function createRetryRoundActivities({ storage }: { storage: JobStorage }) {
  return {
    async planRetryRound(input: RetryRoundInput): Promise<ChunkRef[]> {
      const ctx = Context.current();
      const retry = new Set<number>();
      for (const ref of input.previousOutcomes) {
        for await (const text of createInterface({ input: storage.read(ref), crlfDelay: Infinity })) {
          const line = JSON.parse(text) as OutcomeLine;
          const worth =
            (line.outcome === 'expired' && input.retryOn.includes('expired')) ||
            (line.outcome === 'errored' && input.retryOn.includes(line.error?.type as RetryableOutcome));
          if (worth) retry.add(line.seq);
        }
      }
      if (retry.size === 0) return [];
      const paths = workPaths(storage, input.output, input.jobKey, input.work);
      const writer = new ChunkWriter(storage, (i) => paths.chunkBody(input.round, i), input.limits);
      const costs = new ChunkCostEstimates();
      let read = 0;
      for (const original of input.originalChunks) {
        const prefix = chunkPrefix(input.jobKey, 1, original.index);
        for await (const bodyLine of createInterface({ input: storage.read(original.body), crlfDelay: Infinity })) {
          const requestLine = requestLineOf(bodyLine);
          if (requestLine === undefined) continue;
          if (++read % 10_000 === 0) ctx.heartbeat({ read });
          // Our own lines are always in the usual shape; parsing is only the fallback.
          const request = splitRequestLine(requestLine) ?? parsedRequestLine(requestLine);
          const seq = seqOf(request.customId, prefix);
          if (seq === undefined || !retry.has(seq)) continue;
          await writer.add(
            (chunk) => requestBodyLine(internalId(input.jobKey, input.round, chunk, seq), request.paramsJson),
            (chunk) => {
              const params = JSON.parse(request.paramsJson) as { model?: unknown; max_tokens?: unknown };
              costs.add(
                chunk,
                params.model,
                params.max_tokens,
                request.paramsJson.length,
                request.paramsJson.includes('"cache_control"'),
              );
            },
          );
        }
      }
      return (await writer.finish()).map((c) => ({ ...c, estimate: costs.of(c.index) }));
    },
  };
}

function parsedRequestLine(line: string): { customId: string; paramsJson: string } {
  const request = JSON.parse(line) as { custom_id: string; params: unknown };
  return { customId: request.custom_id, paramsJson: JSON.stringify(request.params) };
}
