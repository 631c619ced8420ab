// What each chunk may cost, added up request by request as the chunks are written: no second pass over the file.
import { emptyEstimate, type CostEstimate } from '../shared/job';
import { activeCatalogue, standardCostUsd } from '../pricing/prices';

/** About 4 characters of a request's params per input token: the approximation the docs give for English text. */
const CHARS_PER_TOKEN = 4;
/** The expected output, as a share of `max_tokens` (replies rarely run to their ceiling). */
const EXPECTED_OUTPUT_SHARE = 0.25;

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
    // Priced as the bill will be (the catalogue's bands and batch discount), at the ceiling and at the expected output.
    const catalogue = activeCatalogue();
    const costOf = (outputTokens: number) =>
      typeof model === 'string'
        ? standardCostUsd(model, { input_tokens: input, output_tokens: outputTokens }, catalogue)
        : undefined;
    const ceiling = costOf(output);
    const expected = costOf(Math.round(output * EXPECTED_OUTPUT_SHARE));
    if (ceiling === undefined || expected === undefined) {
      estimate.unpricedRequests += 1;
      const name = String(model);
      if (!estimate.unpricedModels.includes(name)) estimate.unpricedModels.push(name);
      return;
    }
    estimate.ceilingUsd += ceiling * catalogue.batchDiscount;
    estimate.expectedUsd += expected * catalogue.batchDiscount;
  }

  of(chunk: number): CostEstimate {
    return this.byChunk[chunk] ?? emptyEstimate();
  }
}
