// The order of result lines. The API does not promise request order (lines are matched by custom_id), so the emulator
// does not give it by default: a seeded shuffle, the same for a batch on every read and after a restart. The scenario
// field `resultsOrder: 'request'` (or `--results-order request`) gives request order back.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { startCliEmulator } from './cli-process';
import { API_KEY, frozenClock, HOUR, requests, resultsOf, testEmulator, type TestEmulator } from './support';

const idsOf = (lines: Awaited<ReturnType<typeof resultsOf>>) => lines.map((l) => l.custom_id);

describe('the order of results', () => {
  let t: TestEmulator;
  before(async () => {
    t = await testEmulator();
  });
  after(() => t.emulator.close());

  it('differs from the request order by default, with every request answered once', async () => {
    const sent = requests(20, 'order');
    const batch = await t.client.messages.batches.create({ requests: sent });
    t.clock.advance(HOUR);
    const ids = idsOf(await resultsOf(t.client, batch.id));
    const requested = sent.map((r) => r.custom_id);
    assert.notDeepEqual(ids, requested);
    assert.deepEqual([...ids].sort(), [...requested].sort());
  });

  it('differs even for a batch of two requests', async () => {
    const batch = await t.client.messages.batches.create({ requests: requests(2, 'pair') });
    t.clock.advance(HOUR);
    assert.deepEqual(idsOf(await resultsOf(t.client, batch.id)), ['pair-1', 'pair-0']);
  });

  it('is the same on every read of a batch', async () => {
    const batch = await t.client.messages.batches.create({ requests: requests(50, 'again') });
    t.clock.advance(HOUR);
    const first = await resultsOf(t.client, batch.id);
    assert.deepEqual(await resultsOf(t.client, batch.id), first);
  });

  it('lets a client map each line to its request by custom_id', async () => {
    const sent = requests(10, 'map');
    const batch = await t.client.messages.batches.create({ requests: sent });
    t.clock.advance(HOUR);
    const byId = new Map((await resultsOf(t.client, batch.id)).map((l) => [l.custom_id, l.result]));
    for (const [i, r] of sent.entries()) {
      const result = byId.get(r.custom_id);
      assert.ok(result?.type === 'succeeded');
      const block = result.message.content[0];
      assert.ok(block?.type === 'text');
      assert.match(block.text, new RegExp(`Question number ${i}\\b`));
    }
  });

  it('is request order with the scenario resultsOrder: request', async () => {
    t.emulator.control.setScenario({ resultsOrder: 'request' });
    try {
      const sent = requests(20, 'inorder');
      const batch = await t.client.messages.batches.create({ requests: sent });
      t.clock.advance(HOUR);
      assert.deepEqual(
        idsOf(await resultsOf(t.client, batch.id)),
        sent.map((r) => r.custom_id),
      );
    } finally {
      t.emulator.control.setScenario({});
    }
  });

  it('is fixed when a batch is created: a later server-wide change does not reorder it', async () => {
    const batch = await t.client.messages.batches.create({ requests: requests(20, 'fixed') });
    t.clock.advance(HOUR);
    const before = idsOf(await resultsOf(t.client, batch.id));
    t.emulator.control.setScenario({ resultsOrder: 'request' });
    try {
      assert.deepEqual(idsOf(await resultsOf(t.client, batch.id)), before);
    } finally {
      t.emulator.control.setScenario({});
    }
  });

  it('is request order for one batch with setBatchScenario', async () => {
    const sent = requests(20, 'one');
    const batch = await t.client.messages.batches.create({ requests: sent });
    t.clock.advance(HOUR);
    t.emulator.control.setBatchScenario(batch.id, { resultsOrder: 'request' });
    assert.deepEqual(
      idsOf(await resultsOf(t.client, batch.id)),
      sent.map((r) => r.custom_id),
    );
  });

  it('cuts a stream after that many lines of the shuffled order, and a later read gets them all', async () => {
    const batch = await t.client.messages.batches.create({ requests: requests(10, 'cut') });
    t.clock.advance(HOUR);
    const full = idsOf(await resultsOf(t.client, batch.id));
    t.emulator.control.setBatchScenario(batch.id, { cutResultsAfterLines: 4 });
    const seen: string[] = [];
    await assert.rejects(async () => {
      for await (const line of await t.client.messages.batches.results(batch.id)) seen.push(line.custom_id);
    });
    assert.deepEqual(seen, full.slice(0, 4));
  });
});

describe('the order of a batch kept in files', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'emulator-order-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('shuffles across blocks of lines, and is the same after a restart on the data directory', async () => {
    // More than two blocks of 4096 lines, read from the replies file.
    const count = 9_000;
    const clock = frozenClock();
    const first = await testEmulator({ dataDir: dir, clock });
    const sent = requests(count, 'big');
    let ids: string[];
    let batchId: string;
    try {
      const batch = await first.client.messages.batches.create({ requests: sent });
      batchId = batch.id;
      clock.advance(HOUR);
      ids = idsOf(await resultsOf(first.client, batch.id));
    } finally {
      await first.emulator.close();
    }
    assert.equal(new Set(ids).size, count);
    assert.deepEqual([...ids].sort(), sent.map((r) => r.custom_id).sort());
    // Each block of 4096 requests comes out whole, the blocks in a shuffled order and each shuffled within.
    const blockOf = (id: string) => Math.floor(Number(id.slice('big-'.length)) / 4096);
    const blocks = ids.map(blockOf).filter((b, k, all) => k === 0 || all[k - 1] !== b);
    assert.deepEqual([...blocks].sort(), [0, 1, 2], 'a block at a time');
    assert.notDeepEqual(blocks, [0, 1, 2], 'the blocks are shuffled');
    const firstBlock = ids.filter((id) => blockOf(id) === 0);
    const firstSent = sent.slice(0, 4096).map((r) => r.custom_id);
    assert.deepEqual([...firstBlock].sort(), [...firstSent].sort());
    assert.notDeepEqual(firstBlock, firstSent, 'the lines within a block are shuffled');
    const second = await testEmulator({ dataDir: dir, clock });
    try {
      assert.deepEqual(idsOf(await resultsOf(second.client, batchId)), ids);
    } finally {
      await second.emulator.close();
    }
  });
});

describe('npm run emulator --results-order', () => {
  it('request: results in request order', { timeout: 60_000 }, async () => {
    const cli = await startCliEmulator(['--rate', '1000', '--results-order', 'request']);
    try {
      const sent = requests(20, 'cli');
      let batch = await cli.client.messages.batches.create({ requests: sent });
      while (batch.processing_status !== 'ended') {
        await new Promise((resolve) => setTimeout(resolve, 20));
        batch = await cli.client.messages.batches.retrieve(batch.id);
      }
      assert.deepEqual(
        idsOf(await resultsOf(cli.client, batch.id)),
        sent.map((r) => r.custom_id),
      );
    } finally {
      await cli.stop();
    }
  });
});

const root = join(__dirname, '..', '..');
const python = join(root, '.tools', 'python', 'bin', 'python');

describe('the order of results, seen by the official Python SDK', () => {
  let t: TestEmulator;
  before(async () => {
    t = await testEmulator();
    t.emulator.control.setScenario({ neverEnds: true, endAfterRetrieves: 2 });
  });
  after(() => t.emulator.close());

  it(
    'sees lines out of request order and maps each to its request by custom_id',
    { skip: !existsSync(python) && `${python} is missing: run \`npm run setup\``, timeout: 60_000 },
    async () => {
      const { stdout } = await promisify(execFile)(python, [join(__dirname, 'python_order_check.py')], {
        env: { ...process.env, ANTHROPIC_BASE_URL: t.emulator.url, ANTHROPIC_API_KEY: API_KEY },
        timeout: 50_000,
      });
      const report = JSON.parse(stdout.trim().split('\n').at(-1)!) as {
        sent: string[];
        received: string[];
        mapped: Record<string, string>;
      };
      assert.equal(report.sent.length, 12);
      assert.notDeepEqual(report.received, report.sent);
      assert.deepEqual([...report.received].sort(), [...report.sent].sort());
      for (const [i, customId] of report.sent.entries()) {
        assert.match(report.mapped[customId] ?? '', new RegExp(`Python order check ${i}\\b`));
      }
    },
  );
});
