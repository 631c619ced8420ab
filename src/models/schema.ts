// The shape of a model catalogue file (ours, src/models/catalogue.json, and a user's own through CLAUDE_BATCH_MODELS
// or --models). Only activities and the CLI validate files with it; the pure catalogue module imports its types only,
// so zod never reaches the workflow bundle.
import { z } from 'zod';

const perMTok = z.number().nonnegative().finite();
const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date as YYYY-MM-DD');

/** USD per million tokens at the standard API, by kind of token. */
export const pricesSchema = z.strictObject({
  input: perMTok.optional(),
  output: perMTok.optional(),
  /** A 5-minute cache write (usually 1.25x input). */
  cacheWrite5m: perMTok.optional(),
  /** A 1-hour cache write (usually 2x input). */
  cacheWrite1h: perMTok.optional(),
  /** A cache hit or refresh (usually 0.1x input). */
  cacheRead: perMTok.optional(),
});

export const modelStatusSchema = z.enum(['active', 'legacy', 'deprecated', 'retired']);

export const modelEntrySchema = z.strictObject({
  /** The id the docs name the model by. */
  id: z.string().min(1),
  name: z.string().optional(),
  /** Other ids that reach the same model: its dated snapshot first. */
  aliases: z.array(z.string().min(1)).optional(),
  /** active and legacy: served; deprecated: served until `retiresOn`; retired: requests fail. */
  status: modelStatusSchema.optional(),
  retiresOn: isoDate.optional(),
  retiredOn: isoDate.optional(),
  /** The largest `max_tokens` the model accepts. */
  maxOutputTokens: z.number().int().positive().optional(),
  /** The larger `max_tokens` the Message Batches API accepts with the output-300k beta. */
  batchBetaMaxOutputTokens: z.number().int().positive().optional(),
  pricesPerMTok: pricesSchema.optional(),
  /** A dearer band for requests whose prompt (input + cache writes + cache reads) is over `overPromptTokens`. */
  longPrompt: z.strictObject({ overPromptTokens: z.number().int().positive(), pricesPerMTok: pricesSchema }).optional(),
  notes: z.string().optional(),
});

export const catalogueFileSchema = z.strictObject({
  $comment: z.string().optional(),
  /** When the sources were read. */
  readOn: isoDate.optional(),
  sources: z.array(z.strictObject({ url: z.string(), read: z.string() })).optional(),
  /** The share of the standard price a batch costs (0.5: half). */
  batchDiscount: z.number().gt(0).max(1).optional(),
  notes: z.array(z.string()).optional(),
  /** Figures that could not be checked against a page, and why. */
  unverified: z.array(z.string()).optional(),
  models: z.array(modelEntrySchema),
});

export type CatalogueFile = z.infer<typeof catalogueFileSchema>;
export type ModelEntryFile = z.infer<typeof modelEntrySchema>;
export type PricesFile = z.infer<typeof pricesSchema>;
export type ModelStatus = z.infer<typeof modelStatusSchema>;

/** The file's problems as one readable sentence each: `models[3].pricesPerMTok.input: expected number`. */
export function describeCatalogueIssues(error: z.ZodError): string[] {
  return error.issues.map((issue) => {
    const path = issue.path
      .map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i > 0 ? '.' : ''}${String(p)}`))
      .join('');
    return `${path || '(file)'}: ${issue.message}`;
  });
}
