// A request's model is checked against the model catalogue before any money is spent: the shared scanner (used by the
// job's validation and by `validate`) and the CLI's `validate` and `estimate`.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { builtInCatalogue } from '../../src/models/catalogue';
import { scanRequests, type ScanOptions } from '../../src/requests/scan-requests';
import { claudeBatch } from '../support/cli';

const line = (id: string, params: Record<string, unknown> = {}) =>
  JSON.stringify({
    custom_id: id,
    params: { model: 'claude-sonnet-4-5', max_tokens: 1024, messages: [{ role: 'user', content: 'hi' }], ...params },
  });
const scan = (lines: string[], options: Partial<ScanOptions> = {}) =>
  scanRequests(Readable.from([Buffer.from(lines.join('\n'))]), {
    defaults: {},
    catalogue: builtInCatalogue,
    ...options,
  });

async function fileOf(lines: string[], name = 'in.jsonl'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'model-checks-'));
  const file = join(dir, name);
  await writeFile(file, `${lines.join('\n')}\n`);
  return file;
}

describe('model checks', () => {
  it('accepts the models of the project’s examples, by alias and dated id', async () => {
    const report = await scan([
      line('a'),
      line('b', { model: 'claude-sonnet-4-5-20250929', max_tokens: 64_000 }),
      line('c', { model: 'claude-haiku-5-5', max_tokens: 128_000 }),
    ]);
    assert.deepEqual(report, { requests: 3, problems: [], problemCount: 0, unknownModels: [] });
  });

  it('refuses a retired model and max_tokens above the model’s max output, with line numbers', async () => {
    const report = await scan([
      line('ok'),
      line('old', { model: 'claude-opus-4-1' }),
      line('dated', { model: 'claude-sonnet-4-20250514' }),
      line('long', { max_tokens: 64_001 }),
      line('beta', { model: 'claude-opus-5', max_tokens: 300_000 }),
    ]);
    assert.equal(report.problemCount, 4);
    assert.deepEqual(
      report.problems.map((p) => p.line),
      [2, 3, 4, 5],
    );
    assert.match(
      report.problems[0]!.problem,
      /params.model "claude-opus-4-1" was retired on 2026-08-05.*custom_id old/,
    );
    assert.match(report.problems[1]!.problem, /"claude-sonnet-4-20250514" was retired on 2026-06-15/);
    assert.match(
      report.problems[2]!.problem,
      /params.max_tokens 64001 is above claude-sonnet-4-5's max output of 64000/,
    );
    assert.match(report.problems[3]!.problem, /max output of 128000 \(the Batch API's output-300k beta allows 300000/);
  });

  it('lets the job send an unknown model (the API decides), counting its requests; validate refuses it', async () => {
    const lines = [line('a', { model: 'claude-nope-1' }), line('b'), line('c', { model: 'claude-nope-1' })];
    const allowed = await scan(lines);
    assert.equal(allowed.problemCount, 0);
    assert.deepEqual(allowed.unknownModels, [{ model: 'claude-nope-1', requests: 2, firstLine: 1 }]);
    const refused = await scan(lines, { unknownModels: 'problem' });
    assert.deepEqual(
      refused.problems.map((p) => p.line),
      [1, 3],
    );
    assert.match(refused.problems[0]!.problem, /"claude-nope-1" is not a model claude-batch knows/);
  });

  it('validate reports a retired model, an over-limit max_tokens and an unknown model, with line numbers', async () => {
    const file = await fileOf([
      line('ok'),
      line('old', { model: 'claude-opus-4' }),
      line('long', { model: 'claude-haiku-4-5', max_tokens: 100_000 }),
      line('typo', { model: 'claude-sonet-4-5' }),
    ]);
    const result = await claudeBatch(['validate', file]);
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, /3 problems found/);
    assert.match(result.stderr, /line 2: params.model "claude-opus-4" was retired/);
    assert.match(result.stderr, /line 3: params.max_tokens 100000 is above claude-haiku-4-5's max output of 64000/);
    assert.match(result.stderr, /line 4: params.model "claude-sonet-4-5" is not a model claude-batch knows/);
  });

  it('validate accepts a model the user’s own catalogue names, by --models or CLAUDE_BATCH_MODELS', async () => {
    const file = await fileOf([line('a', { model: 'claude-next-7', max_tokens: 150_000 })]);
    const models = join(file, '..', 'models.json');
    await writeFile(models, JSON.stringify({ models: [{ id: 'claude-next-7', maxOutputTokens: 200_000 }] }));
    const byFlag = await claudeBatch(['validate', file, '--models', models]);
    assert.equal(byFlag.code, 0, byFlag.stderr);
    assert.match(byFlag.stdout, /1 valid requests/);
    const byEnv = await claudeBatch(['validate', file], { CLAUDE_BATCH_MODELS: models });
    assert.equal(byEnv.code, 0, byEnv.stderr);
  });

  it('estimate warns loudly about requests it cannot price, naming the models and how many', async () => {
    const file = await fileOf([
      line('a', { model: 'claude-nope-1' }),
      line('b'),
      line('c', { model: 'claude-nope-1' }),
      line('d', { model: 'claude-mythos-5-2' }),
    ]);
    const result = await claudeBatch(['estimate', file]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /WARNING: 3 of 4 requests have no price, so the figures above leave them out/);
    assert.match(result.stdout, /claude-nope-1 \(2 requests, first on line 1, not in the model catalogue\)/);
    assert.match(result.stdout, /claude-mythos-5-2 \(1 request, first on line 4, no price in the model catalogue\)/);
    const asJson = await claudeBatch(['--json', 'estimate', file]);
    assert.match(asJson.stderr, /WARNING: 3 of 4 requests have no price/);
    const estimate = JSON.parse(asJson.stdout) as { unpricedRequests: number; unpricedModels: string[] };
    assert.equal(estimate.unpricedRequests, 3);
    assert.deepEqual(estimate.unpricedModels, ['claude-nope-1', 'claude-mythos-5-2']);
  });

  it('estimate prices with the user’s catalogue from CLAUDE_BATCH_MODELS', async () => {
    // 1000 requests of 1,000 max_tokens: 1,000,000 output tokens at most.
    const file = await fileOf(Array.from({ length: 1000 }, (_, i) => line(`r${i}`, { max_tokens: 1000 })));
    const list = await claudeBatch(['--json', 'estimate', file]);
    const listed = (JSON.parse(list.stdout) as { standardUsd: { maxOutput: number } }).standardUsd.maxOutput;
    assert.ok(Math.abs(listed - 15) < 1e-9, String(listed));
    const models = join(file, '..', 'negotiated.json');
    await writeFile(
      models,
      JSON.stringify({ models: [{ id: 'claude-sonnet-4-5', pricesPerMTok: { input: 2, output: 9 } }] }),
    );
    const negotiated = await claudeBatch(['--json', 'estimate', file], { CLAUDE_BATCH_MODELS: models });
    const e = JSON.parse(negotiated.stdout) as { standardUsd: { maxOutput: number }; batchUsd: { maxOutput: number } };
    assert.ok(Math.abs(e.standardUsd.maxOutput - 9) < 1e-9, String(e.standardUsd.maxOutput));
    assert.ok(Math.abs(e.batchUsd.maxOutput - 4.5) < 1e-9);
  });
});
