// Tokens and cost before anything is sent: input tokens estimated from the text (or counted by the API's free
// count_tokens endpoint with --count-tokens), output at most max_tokens.
import { createReadStream } from 'node:fs';
import type Anthropic from '@anthropic-ai/sdk';
import { scanRequests, describeProblems } from '../requests/scan-requests';
import { BATCH_DISCOUNT, standardCostUsd } from '../pricing/prices';
import type { RequestDefaults } from '../shared/job';
import type { RequestParams } from '../requests/request-line';

export interface Estimate {
  requests: number;
  inputTokens: number;
  maxOutputTokens: number;
  /** Standard price of the input tokens plus the most the output could cost. */
  standardUsd: { input: number; maxOutput: number };
  batchUsd: { input: number; maxOutput: number };
  unpricedModels: string[];
  counted: 'estimated' | 'count_tokens';
}

const estimateTokens = (params: RequestParams): number =>
  Math.ceil(JSON.stringify(params.messages).length / 4) + Math.ceil(JSON.stringify(params['system'] ?? '').length / 4);

export async function estimateCost(path: string, defaults: RequestDefaults, anthropic?: Anthropic): Promise<Estimate> {
  const e: Estimate = {
    requests: 0,
    inputTokens: 0,
    maxOutputTokens: 0,
    standardUsd: { input: 0, maxOutput: 0 },
    batchUsd: { input: 0, maxOutput: 0 },
    unpricedModels: [],
    counted: anthropic ? 'count_tokens' : 'estimated',
  };
  const report = await scanRequests(createReadStream(path), {
    defaults,
    onRequest: async ({ params }) => {
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
      const inCost = standardCostUsd(params.model, { input_tokens: input });
      const outCost = standardCostUsd(params.model, { output_tokens: params.max_tokens });
      if (inCost === undefined || outCost === undefined) {
        if (!e.unpricedModels.includes(params.model)) e.unpricedModels.push(params.model);
        return;
      }
      e.standardUsd.input += inCost;
      e.standardUsd.maxOutput += outCost;
    },
  });
  if (report.problemCount > 0) throw new Error(describeProblems(path, report));
  e.batchUsd = { input: e.standardUsd.input * BATCH_DISCOUNT, maxOutput: e.standardUsd.maxOutput * BATCH_DISCOUNT };
  return e;
}
