// Cost of requests from the model catalogue (src/models/catalogue.json): standard API prices of each kind of token,
// and the batch discount (batches cost half of every line). Pure: the workflow bundle imports `addCost` from here, and
// the pricing works with the built-in catalogue alone. A user's catalogue file (CLAUDE_BATCH_MODELS) is read by
// ../models/load-catalogue in activities and the CLI, which installs it here with `useCatalogue`.
import type { Cost, TokenUsage } from '../shared/job';
import { builtInCatalogue, type ModelCatalogue, type ModelPrice } from '../models/catalogue';

export type { ModelPrice } from '../models/catalogue';

/** The built-in catalogue's batch discount (a user's catalogue may set its own: `activeCatalogue().batchDiscount`). */
export const BATCH_DISCOUNT = builtInCatalogue.batchDiscount;

let catalogueSource: () => ModelCatalogue = () => builtInCatalogue;

/** Makes `catalogue` (or what the function returns when asked) the one prices are read from in this process. */
export function useCatalogue(catalogue: ModelCatalogue | (() => ModelCatalogue)): void {
  catalogueSource = typeof catalogue === 'function' ? catalogue : () => catalogue;
}

/** The catalogue prices are read from: the built-in one unless a process installed another. */
export function activeCatalogue(): ModelCatalogue {
  return catalogueSource();
}

/**
 * A model's prices (the lower band of a model priced by prompt length), found by its exact id or alias; undefined
 * for a model the catalogue does not know or cannot price.
 */
export function priceOf(model: string, catalogue: ModelCatalogue = activeCatalogue()): ModelPrice | undefined {
  return catalogue.find(model)?.price;
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
export function standardCostUsd(
  model: string,
  usage: ApiUsage,
  catalogue: ModelCatalogue = activeCatalogue(),
): number | undefined {
  const entry = catalogue.find(model);
  if (!entry?.price) return undefined;
  const input = usage.input_tokens ?? 0;
  const writes = usage.cache_creation_input_tokens ?? 0;
  const reads = usage.cache_read_input_tokens ?? 0;
  const write1h = usage.cache_creation?.ephemeral_1h_input_tokens ?? 0;
  const write5m = Math.max(0, writes - write1h);
  const long = entry.longPrompt;
  const p = long && input + writes + reads > long.overPromptTokens ? long.price : entry.price;
  return (
    (input * p.inputPerMTok +
      write5m * p.cacheWrite5mPerMTok +
      write1h * p.cacheWrite1hPerMTok +
      reads * p.cacheReadPerMTok +
      (usage.output_tokens ?? 0) * p.outputPerMTok) /
    1_000_000
  );
}

/** Adds one succeeded request's usage into running totals. */
export function addUsage(
  tokens: TokenUsage,
  cost: Cost,
  model: string,
  usage: ApiUsage,
  catalogue: ModelCatalogue = activeCatalogue(),
): void {
  const t = tokensOf(usage);
  tokens.input += t.input;
  tokens.output += t.output;
  tokens.cacheWrite += t.cacheWrite;
  tokens.cacheRead += t.cacheRead;
  const standard = standardCostUsd(model, usage, catalogue);
  if (standard === undefined) {
    if (!cost.unpricedModels.includes(model)) cost.unpricedModels.push(model);
    return;
  }
  cost.standardUsd += standard;
  cost.batchUsd += standard * catalogue.batchDiscount;
}

export function addCost(into: Cost, from: Cost): void {
  into.batchUsd += from.batchUsd;
  into.standardUsd += from.standardUsd;
  for (const m of from.unpricedModels) if (!into.unpricedModels.includes(m)) into.unpricedModels.push(m);
}
