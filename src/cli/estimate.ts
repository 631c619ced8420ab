// Tokens and cost before anything is sent: input tokens estimated from the text (or counted by the API's free
// count_tokens endpoint with --count-tokens), output at most max_tokens.
import { createReadStream } from 'node:fs';
import type Anthropic from '@anthropic-ai/sdk';
import { scanRequests, describeProblems } from '../requests/scan-requests';
import { activeCatalogue, standardCostUsd } from '../pricing/prices';
import type { ModelCatalogue } from '../models/catalogue';
import type { RequestDefaults } from '../shared/job';
import type { RequestParams } from '../requests/request-line';

export interface Estimate {
  requests: number;
  inputTokens: number;
  maxOutputTokens: number;
  /** Standard price of the input tokens plus the most the output could cost. */
  standardUsd: { input: number; maxOutput: number };
  batchUsd: { input: number; maxOutput: number };
  /** Models without a price (unknown to the catalogue, or known without one): their requests are in no figure. */
  unpricedModels: string[];
  /** How many requests of each unpriced model, and where the first one is. */
  unpriced: { model: string; requests: number; firstLine: number; known: boolean }[];
  unpricedRequests: number;
  counted: 'estimated' | 'count_tokens';
}

export interface EstimateOptions {
  /** The models and prices to use (default: the built-in catalogue with CLAUDE_BATCH_MODELS's file over it). */
  catalogue?: ModelCatalogue;
}

const estimateTokens = (params: RequestParams): number =>
  Math.ceil(JSON.stringify(params.messages).length / 4) + Math.ceil(JSON.stringify(params['system'] ?? '').length / 4);

export async function estimateCost(
  path: string,
  defaults: RequestDefaults,
  anthropic?: Anthropic,
  options: EstimateOptions = {},
): Promise<Estimate> {
  const catalogue = options.catalogue ?? activeCatalogue();
  const e: Estimate = {
    requests: 0,
    inputTokens: 0,
    maxOutputTokens: 0,
    standardUsd: { input: 0, maxOutput: 0 },
    batchUsd: { input: 0, maxOutput: 0 },
    unpricedModels: [],
    unpriced: [],
    unpricedRequests: 0,
    counted: anthropic ? 'count_tokens' : 'estimated',
  };
  const report = await scanRequests(createReadStream(path), {
    defaults,
    catalogue,
    onRequest: async ({ params }, _seq, _line, lineNumber) => {
      let input: number;
      if (anthropic) {
        const { model, messages, system, tools } = params as RequestParams & { system?: unknown; tools?: unknown };
        const counted = await anthropic.messages.countTokens({
          model,
          messages,
          ...(system ? { system } : {}),
          ...(tools ? { tools } : {}),
        } as Parameters<Anthropic['messages']['countTokens']>[0]);
        input = counted.input_tokens;
      } else {
        input = estimateTokens(params);
      }
      e.requests += 1;
      e.inputTokens += input;
      e.maxOutputTokens += params.max_tokens;
      // Priced as one request, so a model priced by prompt length prices its output in the prompt's band.
      const inCost = standardCostUsd(params.model, { input_tokens: input }, catalogue);
      const allCost = standardCostUsd(
        params.model,
        { input_tokens: input, output_tokens: params.max_tokens },
        catalogue,
      );
      if (inCost === undefined || allCost === undefined) {
        const seen = e.unpriced.find((u) => u.model === params.model);
        if (seen) seen.requests += 1;
        else {
          e.unpricedModels.push(params.model);
          e.unpriced.push({
            model: params.model,
            requests: 1,
            firstLine: lineNumber,
            known: !!catalogue.find(params.model),
          });
        }
        e.unpricedRequests += 1;
        return;
      }
      e.standardUsd.input += inCost;
      e.standardUsd.maxOutput += allCost - inCost;
    },
  });
  if (report.problemCount > 0) throw new Error(describeProblems(path, report));
  const discount = catalogue.batchDiscount;
  e.batchUsd = { input: e.standardUsd.input * discount, maxOutput: e.standardUsd.maxOutput * discount };
  return e;
}

/**
 * The loud warning for requests no figure of the estimate includes, or undefined when every request is priced:
 * `WARNING: 12 of 40 requests have no price, so the figures above leave them out: claude-x (10 requests, first on
 * line 3, not in the model catalogue), …`.
 */
export function unpricedWarning(e: Estimate): string | undefined {
  if (e.unpricedRequests === 0) return undefined;
  const models = e.unpriced
    .map(
      (u) =>
        `${u.model} (${u.requests} request${u.requests === 1 ? '' : 's'}, first on line ${u.firstLine}, ${u.known ? 'no price in the model catalogue' : 'not in the model catalogue'})`,
    )
    .join(', ');
  return [
    `WARNING: ${e.unpricedRequests} of ${e.requests} requests have no price, so the figures above leave them out: ${models}.`,
    `  The real cost is higher. Give their prices in your own model catalogue (CLAUDE_BATCH_MODELS=file.json or --models file.json).`,
  ].join('\n');
}
