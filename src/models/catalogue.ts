// The model catalogue as the code reads it: which ids name which model, its prices, max output and status. Pure (no
// I/O, no zod) so the pricing the workflow bundle imports can use it; files are read and validated by
// ./load-catalogue (activities and the CLI), and the built-in file is checked against the schema by the tests.
import builtInFile from './catalogue.json';
import type { CatalogueFile, ModelEntryFile, ModelStatus, PricesFile } from './schema';

export type { CatalogueFile, ModelStatus } from './schema';

/** Standard API prices in USD per million tokens. */
export interface ModelPrice {
  inputPerMTok: number;
  outputPerMTok: number;
  cacheWrite5mPerMTok: number;
  cacheWrite1hPerMTok: number;
  cacheReadPerMTok: number;
}

export interface CatalogueModel {
  id: string;
  name?: string;
  aliases: readonly string[];
  status: ModelStatus;
  retiresOn?: string;
  retiredOn?: string;
  maxOutputTokens?: number;
  batchBetaMaxOutputTokens?: number;
  /** Undefined for a model known by name whose price is not (its requests are reported as unpriced). */
  price?: ModelPrice;
  /** The dearer band for a request whose prompt is over `overPromptTokens` (applies to all its tokens). */
  longPrompt?: { overPromptTokens: number; price: ModelPrice };
  /** Where the entry comes from: 'built-in' or the path of the user's file that last changed it. */
  origin: string;
}

/** The usual cache multipliers of input, used only where a user's entry gives input but not a cache price. */
const CACHE_WRITE_5M = 1.25;
const CACHE_WRITE_1H = 2;
const CACHE_READ = 0.1;

function priceFrom(p: PricesFile | undefined): ModelPrice | undefined {
  if (p?.input === undefined || p.output === undefined) return undefined;
  return {
    inputPerMTok: p.input,
    outputPerMTok: p.output,
    cacheWrite5mPerMTok: p.cacheWrite5m ?? p.input * CACHE_WRITE_5M,
    cacheWrite1hPerMTok: p.cacheWrite1h ?? p.input * CACHE_WRITE_1H,
    cacheReadPerMTok: p.cacheRead ?? p.input * CACHE_READ,
  };
}

/** A file's entry over the entry it overrides (if any): fields it leaves out keep their old values. */
function mergeEntries(over: ModelEntryFile, under: ModelEntryFile | undefined): ModelEntryFile {
  if (!under) return over;
  const prices = { ...under.pricesPerMTok, ...over.pricesPerMTok };
  return {
    ...under,
    ...over,
    aliases: [...new Set([...(under.aliases ?? []), ...(over.aliases ?? [])])],
    ...(Object.keys(prices).length > 0 ? { pricesPerMTok: prices } : {}),
  };
}

function resolve(entry: ModelEntryFile, origin: string): CatalogueModel {
  const price = priceFrom(entry.pricesPerMTok);
  const longPrice = entry.longPrompt && priceFrom(entry.longPrompt.pricesPerMTok);
  return {
    id: entry.id,
    ...(entry.name !== undefined ? { name: entry.name } : {}),
    aliases: entry.aliases ?? [],
    status: entry.status ?? 'active',
    ...(entry.retiresOn !== undefined ? { retiresOn: entry.retiresOn } : {}),
    ...(entry.retiredOn !== undefined ? { retiredOn: entry.retiredOn } : {}),
    ...(entry.maxOutputTokens !== undefined ? { maxOutputTokens: entry.maxOutputTokens } : {}),
    ...(entry.batchBetaMaxOutputTokens !== undefined
      ? { batchBetaMaxOutputTokens: entry.batchBetaMaxOutputTokens }
      : {}),
    ...(price ? { price } : {}),
    ...(entry.longPrompt && longPrice
      ? { longPrompt: { overPromptTokens: entry.longPrompt.overPromptTokens, price: longPrice } }
      : {}),
    origin,
  };
}

/** The models known, looked up exactly by id or alias (a dated id never falls to a neighbour's price by prefix). */
export class ModelCatalogue {
  readonly models: readonly CatalogueModel[];
  private readonly byId = new Map<string, CatalogueModel>();

  private constructor(
    private readonly entries: ReadonlyMap<string, { entry: ModelEntryFile; origin: string }>,
    /** The share of the standard price a batch costs. */
    readonly batchDiscount: number,
    /** The files this catalogue was made from, built-in first. */
    readonly origins: readonly string[],
  ) {
    this.models = [...entries.values()].map(({ entry, origin }) => resolve(entry, origin));
    for (const model of this.models) for (const id of [model.id, ...model.aliases]) this.byId.set(id, model);
  }

  static fromFile(file: CatalogueFile, origin: string): ModelCatalogue {
    return new ModelCatalogue(new Map(), 0.5, []).withFile(file, origin);
  }

  /**
   * This catalogue with a file's entries over it: an entry whose id (or one of its aliases) names a known model
   * changes that model (fields it leaves out keep their values), any other adds a model.
   */
  withFile(file: CatalogueFile, origin: string): ModelCatalogue {
    const entries = new Map(this.entries);
    for (const entry of file.models) {
      const known = [entry.id, ...(entry.aliases ?? [])].map((id) => this.byId.get(id)).find((m) => m !== undefined);
      const key = known?.id ?? entry.id;
      const under = entries.get(key)?.entry;
      entries.set(key, { entry: mergeEntries(known ? { ...entry, id: known.id } : entry, under), origin });
    }
    return new ModelCatalogue(entries, file.batchDiscount ?? this.batchDiscount, [...this.origins, origin]);
  }

  /** The model an id names (its id or an alias), retired ones included; undefined for an id not in the catalogue. */
  find(id: string): CatalogueModel | undefined {
    return this.byId.get(id);
  }
}

/** Ours, as shipped (checked against the schema by test/pricing/catalogue.test.ts). */
export const builtInCatalogueFile = builtInFile as unknown as CatalogueFile;

export const builtInCatalogue = ModelCatalogue.fromFile(builtInCatalogueFile, 'built-in');

/** When the built-in catalogue's sources were read. */
export const CATALOGUE_READ_ON = builtInCatalogueFile.readOn ?? 'unknown';
