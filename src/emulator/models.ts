// The models the emulator knows, as data: which ids the API answers to, each one's maximum output and whether it is
// still served. The one place to change when models come and go; a project-wide model catalogue can replace it.
//
// Source: ../shared/reference/fleet-and-models.md ("Fleet, deploys and today's models: facts gathered 2026-11-26",
// from the docs' models overview and model pages) for ids and status; max output from the same model pages
// (platform.claude.com/docs/en/about-claude/models/overview, read 2026-11-26). Dated snapshot ids are the ones the
// 4.x pages list. The 300K batch output is read on the Claude Opus 5 page and assumed for the whole 5 family.
// Unverified against the live API: how a retired model is refused (here as an unknown model is).

export type ModelStatus = 'active' | 'legacy' | 'retired';

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

export const MODELS_AS_OF = '2026-11-26';

const K = 1000;

export const MODELS: readonly ModelInfo[] = [
  {
    id: 'claude-fable-5-1',
    aliases: [],
    status: 'active',
    maxOutputTokens: 128 * K,
    batchBetaMaxOutputTokens: 300 * K,
  },
  { id: 'claude-opus-5-5', aliases: [], status: 'active', maxOutputTokens: 128 * K, batchBetaMaxOutputTokens: 300 * K },
  {
    id: 'claude-sonnet-5-5',
    aliases: [],
    status: 'active',
    maxOutputTokens: 128 * K,
    batchBetaMaxOutputTokens: 300 * K,
  },
  {
    id: 'claude-haiku-5-5',
    aliases: [],
    status: 'active',
    maxOutputTokens: 128 * K,
    batchBetaMaxOutputTokens: 300 * K,
  },
  { id: 'claude-opus-5', aliases: [], status: 'legacy', maxOutputTokens: 128 * K, batchBetaMaxOutputTokens: 300 * K },
  { id: 'claude-sonnet-5', aliases: [], status: 'legacy', maxOutputTokens: 128 * K, batchBetaMaxOutputTokens: 300 * K },
  { id: 'claude-opus-4-8', aliases: [], status: 'legacy', maxOutputTokens: 128 * K },
  { id: 'claude-opus-4-7', aliases: [], status: 'legacy', maxOutputTokens: 128 * K },
  { id: 'claude-opus-4-6', aliases: [], status: 'legacy', maxOutputTokens: 128 * K },
  { id: 'claude-opus-4-5', aliases: ['claude-opus-4-5-20251101'], status: 'legacy', maxOutputTokens: 64 * K },
  { id: 'claude-sonnet-4-6', aliases: [], status: 'legacy', maxOutputTokens: 64 * K },
  { id: 'claude-sonnet-4-5', aliases: ['claude-sonnet-4-5-20250929'], status: 'legacy', maxOutputTokens: 64 * K },
  {
    id: 'claude-sonnet-4',
    aliases: ['claude-sonnet-4-20250514', 'claude-sonnet-4-0'],
    status: 'legacy',
    maxOutputTokens: 64 * K,
  },
  { id: 'claude-haiku-4-5', aliases: ['claude-haiku-4-5-20251001'], status: 'legacy', maxOutputTokens: 64 * K },
  { id: 'claude-opus-4-1', aliases: ['claude-opus-4-1-20250805'], status: 'retired', maxOutputTokens: 32 * K },
  {
    id: 'claude-opus-4',
    aliases: ['claude-opus-4-20250514', 'claude-opus-4-0'],
    status: 'retired',
    maxOutputTokens: 32 * K,
  },
  // Listed by the official TypeScript SDK's `Model` type (1.13.0) but not in the fleet notes: served, as far as the
  // SDK says; status and max output assumed (128K, as their family).
  { id: 'claude-fable-5-2', aliases: [], status: 'active', maxOutputTokens: 128 * K },
  { id: 'claude-fable-5', aliases: [], status: 'legacy', maxOutputTokens: 128 * K },
  { id: 'claude-mythos-5-2', aliases: [], status: 'active', maxOutputTokens: 128 * K },
  { id: 'claude-mythos-5-1', aliases: [], status: 'legacy', maxOutputTokens: 128 * K },
  { id: 'claude-mythos-5', aliases: [], status: 'legacy', maxOutputTokens: 128 * K },
];

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
