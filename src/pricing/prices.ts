// Standard API prices in US dollars per million tokens (Anthropic's published list). Batches cost half of these
// for every kind of token; cache writes are 1.25x input (5-minute) or 2x (1-hour), cache reads 0.1x input.
import type { Cost, TokenUsage } from '../shared/job';

export interface ModelPrice {
  inputPerMTok: number;
  outputPerMTok: number;
}

/** Longest matching prefix wins, so dated model ids (claude-sonnet-4-5-20250929) find their family. */
const PRICES: [prefix: string, price: ModelPrice][] = [
  ['claude-opus-4-5', { inputPerMTok: 5, outputPerMTok: 25 }],
  ['claude-opus-4-1', { inputPerMTok: 15, outputPerMTok: 75 }],
  ['claude-opus-4', { inputPerMTok: 15, outputPerMTok: 75 }],
  ['claude-3-opus', { inputPerMTok: 15, outputPerMTok: 75 }],
  ['claude-sonnet-4', { inputPerMTok: 3, outputPerMTok: 15 }],
  ['claude-3-7-sonnet', { inputPerMTok: 3, outputPerMTok: 15 }],
  ['claude-3-5-sonnet', { inputPerMTok: 3, outputPerMTok: 15 }],
  ['claude-haiku-4-5', { inputPerMTok: 1, outputPerMTok: 5 }],
  ['claude-3-5-haiku', { inputPerMTok: 0.8, outputPerMTok: 4 }],
  ['claude-3-haiku', { inputPerMTok: 0.25, outputPerMTok: 1.25 }],
];

export const BATCH_DISCOUNT = 0.5;
const CACHE_WRITE_5M = 1.25;
const CACHE_WRITE_1H = 2;
const CACHE_READ = 0.1;

export function priceOf(model: string): ModelPrice | undefined {
  let best: [string, ModelPrice] | undefined;
  for (const entry of PRICES) {
    if (model.startsWith(entry[0]) && (!best || entry[0].length > best[0].length)) best = entry;
  }
  return best?.[1];
}

/** Usage as the API reports it in a succeeded result's message. */
export interface ApiUsage {
  input_tokens?: number | null;
  output_tokens?: number | null;
  cache_creation_input_tokens?: number | null;
  cache_read_input_tokens?: number | null;
  cache_creation?: { ephemeral_5m_input_tokens?: number | null; ephemeral_1h_input_tokens?: number | null } | null;
}

export function tokensOf(usage: ApiUsage): TokenUsage {
  return {
    input: usage.input_tokens ?? 0,
    output: usage.output_tokens ?? 0,
    cacheWrite: usage.cache_creation_input_tokens ?? 0,
    cacheRead: usage.cache_read_input_tokens ?? 0,
  };
}

/** Standard-price cost of one request's usage, or undefined for a model without a price. */
export function standardCostUsd(model: string, usage: ApiUsage): number | undefined {
  const price = priceOf(model);
  if (!price) return undefined;
  const write1h = usage.cache_creation?.ephemeral_1h_input_tokens ?? 0;
  const write5m = (usage.cache_creation_input_tokens ?? 0) - write1h;
  const inputUnits =
    (usage.input_tokens ?? 0) +
    write5m * CACHE_WRITE_5M +
    write1h * CACHE_WRITE_1H +
    (usage.cache_read_input_tokens ?? 0) * CACHE_READ;
  return (inputUnits * price.inputPerMTok + (usage.output_tokens ?? 0) * price.outputPerMTok) / 1_000_000;
}

/** Adds one succeeded request's usage into running totals. */
export function addUsage(tokens: TokenUsage, cost: Cost, model: string, usage: ApiUsage): void {
  const t = tokensOf(usage);
  tokens.input += t.input;
  tokens.output += t.output;
  tokens.cacheWrite += t.cacheWrite;
  tokens.cacheRead += t.cacheRead;
  const standard = standardCostUsd(model, usage);
  if (standard === undefined) {
    if (!cost.unpricedModels.includes(model)) cost.unpricedModels.push(model);
    return;
  }
  cost.standardUsd += standard;
  cost.batchUsd += standard * BATCH_DISCOUNT;
}

export function addCost(into: Cost, from: Cost): void {
  into.batchUsd += from.batchUsd;
  into.standardUsd += from.standardUsd;
  for (const m of from.unpricedModels) if (!into.unpricedModels.includes(m)) into.unpricedModels.push(m);
}
