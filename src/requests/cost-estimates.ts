// What each chunk may cost, added up request by request as the chunks are written: no second pass over the file.
import type { CostEstimate } from '../shared/job';
import { BATCH_DISCOUNT, priceOf } from '../pricing/prices';

/** About 4 characters of a request's params per input token: the approximation the docs give for English text. */
const CHARS_PER_TOKEN = 4;
/** The expected output, as a share of `max_tokens` (replies rarely run to their ceiling). */
const EXPECTED_OUTPUT_SHARE = 0.25;

export const emptyEstimate = (): CostEstimate => ({
  requests: 0,
  inputTokens: 0,
  maxOutputTokens: 0,
  ceilingUsd: 0,
  expectedUsd: 0,
  unpricedRequests: 0,
  unpricedModels: [],
});

export function addEstimate(into: CostEstimate, from: CostEstimate): CostEstimate {
  into.requests += from.requests;
  into.inputTokens += from.inputTokens;
  into.maxOutputTokens += from.maxOutputTokens;
  into.ceilingUsd += from.ceilingUsd;
  into.expectedUsd += from.expectedUsd;
  into.unpricedRequests += from.unpricedRequests;
  if (from.cachingRequests) into.cachingRequests = (into.cachingRequests ?? 0) + from.cachingRequests;
  for (const m of from.unpricedModels) if (!into.unpricedModels.includes(m)) into.unpricedModels.push(m);
  return into;
}

export class ChunkCostEstimates {
  private readonly byChunk: CostEstimate[] = [];

  /** Counts one request sent in `chunk`, from its model, `max_tokens` and the size of its params' JSON. */
  add(chunk: number, model: unknown, maxTokens: unknown, paramsChars: number, caching = false): void {
    const estimate = (this.byChunk[chunk] ??= emptyEstimate());
    if (caching) estimate.cachingRequests = (estimate.cachingRequests ?? 0) + 1;
    const input = Math.ceil(paramsChars / CHARS_PER_TOKEN);
    const output = typeof maxTokens === 'number' && maxTokens > 0 ? maxTokens : 0;
    estimate.requests += 1;
    estimate.inputTokens += input;
    estimate.maxOutputTokens += output;
    const price = typeof model === 'string' ? priceOf(model) : undefined;
    if (!price) {
      estimate.unpricedRequests += 1;
      const name = String(model);
      if (!estimate.unpricedModels.includes(name)) estimate.unpricedModels.push(name);
      return;
    }
    const inputUsd = (input * price.inputPerMTok * BATCH_DISCOUNT) / 1_000_000;
    const outputUsd = (output * price.outputPerMTok * BATCH_DISCOUNT) / 1_000_000;
    estimate.ceilingUsd += inputUsd + outputUsd;
    estimate.expectedUsd += inputUsd + outputUsd * EXPECTED_OUTPUT_SHARE;
  }

  of(chunk: number): CostEstimate {
    return this.byChunk[chunk] ?? emptyEstimate();
  }
}
