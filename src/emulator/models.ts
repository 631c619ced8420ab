// The models the emulator knows: which ids the API answers to, each one's maximum output and whether it is still
// served. A thin view over the project's model catalogue (src/models/catalogue.json: ids, aliases, status, max
// output, prices, with its sources and the date they were read), so there is one place to change when models come and
// go. The emulator answers as Anthropic's API does, so it reads the built-in catalogue, never a user's own file.
// Unverified against the live API: how a retired model is refused (here as an unknown model is).
import { builtInCatalogue, CATALOGUE_READ_ON, type ModelStatus as CatalogueStatus } from '../models/catalogue';

/** active and legacy: served; deprecated: served until its retirement; retired: refused. */
export type ModelStatus = CatalogueStatus;

export interface ModelInfo {
  /** The id the docs name the model by (an alias when the model also has a dated snapshot). */
  id: string;
  /** Other ids that reach the same model: its dated snapshot first, then older aliases. */
  aliases: readonly string[];
  status: ModelStatus;
  /** The largest `max_tokens` the Messages API accepts. */
  maxOutputTokens: number;
  /** A larger `max_tokens` accepted on the Message Batches API with the `output-300k-2026-03-24` beta. */
  batchBetaMaxOutputTokens?: number;
}

export const MODELS_AS_OF = CATALOGUE_READ_ON;

export const MODELS: readonly ModelInfo[] = builtInCatalogue.models.map((m) => ({
  id: m.id,
  aliases: m.aliases,
  status: m.status,
  // Every built-in entry has one (test/pricing/catalogue.test.ts); without it, any max_tokens is accepted.
  maxOutputTokens: m.maxOutputTokens ?? Number.MAX_SAFE_INTEGER,
  ...(m.batchBetaMaxOutputTokens !== undefined ? { batchBetaMaxOutputTokens: m.batchBetaMaxOutputTokens } : {}),
}));

const BY_ID = new Map<string, ModelInfo>();
for (const model of MODELS) for (const id of [model.id, ...model.aliases]) BY_ID.set(id, model);

/** The model an id names (its own id or an alias), retired ones included; undefined for an id the API never had. */
export function modelNamed(id: string): ModelInfo | undefined {
  return BY_ID.get(id);
}

/** How the API names a model in its messages: the dated snapshot when there is one. */
export function snapshotOf(model: ModelInfo): string {
  return model.aliases[0]?.match(/-\d{8}$/) ? model.aliases[0] : model.id;
}
