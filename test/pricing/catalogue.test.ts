// The model catalogue prices what people run today, and says so when it cannot. Expected figures are written here
// from Anthropic's pricing page and model pages (read 2026-11-26), not read from the catalogue file under test.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { builtInCatalogue, builtInCatalogueFile, type ModelCatalogue } from '../../src/models/catalogue';
import { priceFromEnvCatalogue, catalogueFromEnv, loadCatalogue, MODELS_ENV } from '../../src/models/load-catalogue';
import { catalogueFileSchema } from '../../src/models/schema';
import { activeCatalogue, addUsage, priceOf, standardCostUsd } from '../../src/pricing/prices';
import { emptyCost } from '../../src/shared/job';

const M = 1_000_000;

/** Standard USD of a million tokens of each kind, as the pricing page lists them. */
interface PageRow {
  input: number;
  write5m: number;
  write1h: number;
  read: number;
  output: number;
}

/** One model of each family, from the pricing page's table (Haiku 5.5 and Opus 5.5: their model pages). */
const PRICING_PAGE: Record<string, PageRow> = {
  'claude-fable-5-1': { input: 10, write5m: 12.5, write1h: 20, read: 0.25, output: 50 },
  'claude-opus-5-5': { input: 4, write5m: 5, write1h: 8, read: 0.2, output: 20 },
  'claude-opus-5': { input: 5, write5m: 6.25, write1h: 10, read: 0.5, output: 25 },
  'claude-opus-4-7': { input: 5, write5m: 6.25, write1h: 10, read: 0.5, output: 25 },
  'claude-sonnet-5': { input: 2, write5m: 2.5, write1h: 4, read: 0.2, output: 10 },
  'claude-sonnet-4-5-20250929': { input: 3, write5m: 3.75, write1h: 6, read: 0.3, output: 15 },
  'claude-haiku-5-5': { input: 0.1, write5m: 0.125, write1h: 0.2, read: 0.01, output: 0.5 },
  'claude-haiku-4-5': { input: 1, write5m: 1.25, write1h: 2, read: 0.1, output: 5 },
  'claude-opus-4-1': { input: 15, write5m: 18.75, write1h: 30, read: 1.5, output: 75 },
};

/** What a million tokens of each kind costs under `catalogue`, one kind at a time. */
function costs(model: string, catalogue: ModelCatalogue = builtInCatalogue): PageRow {
  const of = (usage: Parameters<typeof standardCostUsd>[1]) => {
    const usd = standardCostUsd(model, usage, catalogue);
    assert.ok(usd !== undefined, `${model} has a price`);
    return usd;
  };
  return {
    input: of({ input_tokens: 50_000 }) * (M / 50_000),
    write5m: of({ cache_creation_input_tokens: 50_000 }) * (M / 50_000),
    write1h: of({ cache_creation_input_tokens: 50_000, cache_creation: { ephemeral_1h_input_tokens: 50_000 } }) * 20,
    read: of({ cache_read_input_tokens: 50_000 }) * (M / 50_000),
    output: of({ output_tokens: 50_000 }) * (M / 50_000),
  };
}

const close = (actual: PageRow, expected: PageRow, model: string) => {
  for (const kind of Object.keys(expected) as (keyof PageRow)[]) {
    assert.ok(Math.abs(actual[kind] - expected[kind]) < 1e-9, `${model} ${kind}: ${actual[kind]} ≠ ${expected[kind]}`);
  }
};

describe('the model catalogue', () => {
  it('is a valid file with its sources, the date they were read and what could not be checked', () => {
    const file = catalogueFileSchema.parse(
      JSON.parse(readFileSync(join(__dirname, '../../src/models/catalogue.json'), 'utf8')),
    );
    assert.match(file.readOn ?? '', /^2026-\d\d-\d\d$/);
    assert.ok(file.sources?.some((s) => s.url.includes('/about-claude/pricing')));
    assert.ok(file.sources?.some((s) => s.url.includes('/models/overview')));
    assert.equal(file.batchDiscount, 0.5);
    assert.ok((file.unverified ?? []).length > 0);
    const ids = file.models.flatMap((m) => [m.id, ...(m.aliases ?? [])]);
    assert.equal(new Set(ids).size, ids.length, 'no id names two models');
    for (const m of file.models) {
      assert.ok(m.status, `${m.id} has a status`);
      assert.ok(m.maxOutputTokens, `${m.id} has a max output`);
      const p = m.pricesPerMTok;
      // No price is derived from another: a model is priced in full, or not at all and listed as unverified.
      if (p)
        for (const kind of ['input', 'output', 'cacheWrite5m', 'cacheWrite1h', 'cacheRead'] as const) {
          assert.ok(p[kind] !== undefined, `${m.id} ${kind}`);
        }
      else
        assert.ok(
          file.unverified?.some((u) => u.includes(m.id)),
          `${m.id}: why it has no price`,
        );
    }
    assert.deepEqual(builtInCatalogueFile.models.length, file.models.length);
  });

  it('prices one model of each family as the pricing page does', () => {
    for (const [model, row] of Object.entries(PRICING_PAGE)) close(costs(model), row, model);
  });

  it('prices Opus 4.6 to 4.8 at $5/$25, not at Opus 4’s $15/$75', () => {
    for (const model of ['claude-opus-4-6', 'claude-opus-4-7', 'claude-opus-4-8']) {
      assert.deepEqual(
        [priceOf(model, builtInCatalogue)?.inputPerMTok, priceOf(model, builtInCatalogue)?.outputPerMTok],
        [5, 25],
      );
    }
  });

  it("prices Claude Haiku 5.5's long prompts (over 100,000 tokens) in the higher band, output included", () => {
    const usd = (usage: Parameters<typeof standardCostUsd>[1]) =>
      standardCostUsd('claude-haiku-5-5', usage, builtInCatalogue);
    // 100,000 prompt tokens: the lower band ($0.10 in, $0.50 out).
    assert.ok(Math.abs(usd({ input_tokens: 100_000, output_tokens: 1_000 })! - (0.01 + 0.0005)) < 1e-12);
    // 100,001 with cache reads counted in the prompt: $0.50 in, $0.05 read, $2.50 out on every token.
    const long = usd({ input_tokens: 50_001, cache_read_input_tokens: 50_000, output_tokens: 1_000 })!;
    assert.ok(Math.abs(long - (50_001 * 0.5 + 50_000 * 0.05 + 1_000 * 2.5) / M) < 1e-12);
  });

  it('knows dated ids and aliases exactly, and never prices an unknown model at $0', () => {
    assert.equal(priceOf('claude-sonnet-4-5-20250929', builtInCatalogue)?.inputPerMTok, 3);
    assert.equal(priceOf('claude-opus-4-0', builtInCatalogue)?.inputPerMTok, 15);
    // A made-up dated id of a known family is not priced by prefix.
    assert.equal(priceOf('claude-opus-4-20991231', builtInCatalogue), undefined);
    const tokens = { input: 0, output: 0, cacheWrite: 0, cacheRead: 0 };
    const cost = emptyCost();
    addUsage(tokens, cost, 'claude-does-not-exist-9', { input_tokens: 1_000, output_tokens: 100 }, builtInCatalogue);
    addUsage(tokens, cost, 'claude-sonnet-4-5', { input_tokens: 1_000_000 }, builtInCatalogue);
    assert.deepEqual(cost.unpricedModels, ['claude-does-not-exist-9']);
    assert.equal(cost.standardUsd, 3);
    assert.equal(cost.batchUsd, 1.5);
    assert.equal(tokens.input, 1_001_000);
  });

  describe('a user catalogue file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'catalogue-'));
    const before = process.env[MODELS_ENV];
    // As the worker and the CLI do at start.
    priceFromEnvCatalogue();
    after(() => {
      if (before === undefined) delete process.env[MODELS_ENV];
      else process.env[MODELS_ENV] = before;
    });

    it('overrides a price and adds a model through CLAUDE_BATCH_MODELS', () => {
      const file = join(dir, 'negotiated.json');
      writeFileSync(
        file,
        JSON.stringify({
          models: [
            { id: 'claude-sonnet-4-5-20250929', pricesPerMTok: { input: 2.4, output: 12 } },
            { id: 'claude-next-7', maxOutputTokens: 200_000, pricesPerMTok: { input: 1, output: 4, cacheRead: 0.05 } },
          ],
        }),
      );
      process.env[MODELS_ENV] = file;
      assert.equal(activeCatalogue(), catalogueFromEnv(), 'the process prices with the environment’s catalogue');
      const sonnet = costs('claude-sonnet-4-5', activeCatalogue());
      // The negotiated input and output; the cache prices it leaves out keep the page's.
      close(sonnet, { input: 2.4, write5m: 3.75, write1h: 6, read: 0.3, output: 12 }, 'claude-sonnet-4-5');
      assert.equal(standardCostUsd('claude-sonnet-4-5', { input_tokens: M }), 2.4);
      const next = activeCatalogue().find('claude-next-7');
      assert.equal(next?.maxOutputTokens, 200_000);
      assert.equal(next?.status, 'active');
      assert.equal(next?.origin, file);
      // Cache writes it does not give follow the usual rule (1.25x and 2x input).
      close(
        costs('claude-next-7', activeCatalogue()),
        { input: 1, write5m: 1.25, write1h: 2, read: 0.05, output: 4 },
        'next',
      );
      // The built-in catalogue itself is untouched.
      assert.equal(priceOf('claude-sonnet-4-5', builtInCatalogue)?.inputPerMTok, 3);
    });

    it('a --models file goes over the environment’s', () => {
      const env = join(dir, 'env.json');
      const flag = join(dir, 'flag.json');
      writeFileSync(
        env,
        JSON.stringify({ models: [{ id: 'claude-haiku-4-5', pricesPerMTok: { input: 0.9, output: 4 } }] }),
      );
      writeFileSync(
        flag,
        JSON.stringify({ batchDiscount: 0.4, models: [{ id: 'claude-haiku-4-5', pricesPerMTok: { input: 0.8 } }] }),
      );
      const catalogue = loadCatalogue({ file: flag, env: { [MODELS_ENV]: env } });
      assert.deepEqual(
        [priceOf('claude-haiku-4-5', catalogue)?.inputPerMTok, priceOf('claude-haiku-4-5', catalogue)?.outputPerMTok],
        [0.8, 4],
      );
      assert.equal(catalogue.batchDiscount, 0.4);
    });

    it('refuses a broken file, naming the file and the field, without retrying', () => {
      const file = join(dir, 'broken.json');
      writeFileSync(file, JSON.stringify({ models: [{ id: 'claude-x', pricesPerMTok: { input: '3' } }] }));
      assert.throws(
        () => loadCatalogue({ env: { [MODELS_ENV]: file } }),
        (err: unknown) =>
          err instanceof ApplicationFailure &&
          err.nonRetryable &&
          err.type === 'InvalidModelCatalogue' &&
          err.message.includes(file) &&
          /models\[0\]\.pricesPerMTok\.input/.test(err.message),
      );
      assert.throws(() => loadCatalogue({ file: join(dir, 'missing.json') }), /missing.json: no such file/);
      // Validating a job refuses it for good; pricing results after batches exist waits for it to be fixed.
      process.env[MODELS_ENV] = file;
      assert.throws(catalogueFromEnv, (err: unknown) => err instanceof ApplicationFailure && err.nonRetryable);
      assert.throws(
        () => standardCostUsd('claude-sonnet-4-5', { input_tokens: 1 }),
        (err: unknown) => err instanceof ApplicationFailure && !err.nonRetryable && /tries again/.test(err.message),
      );
      delete process.env[MODELS_ENV];
    });
  });

  it('keeps zod and Node built-ins out of the pricing the workflow imports', () => {
    for (const module of ['src/pricing/prices.ts', 'src/models/catalogue.ts']) {
      const source = readFileSync(join(__dirname, '../..', module), 'utf8');
      const imports = [...source.matchAll(/^import (type )?.*from '([^']+)';$/gm)];
      for (const [, typeOnly, from] of imports) {
        if (typeOnly) continue;
        assert.ok(
          !from!.startsWith('node:') && from !== 'zod' && !from!.includes('load-catalogue'),
          `${module} imports ${from}`,
        );
      }
    }
  });
});
