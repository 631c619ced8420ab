// Results streams that break or crawl, and batches that outlive the emulator process with a data directory.
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startEmulator } from '../../src/emulator';
import { frozenClock, HOUR, request, requests, resultsOf, testEmulator, type TestEmulator } from './support';

describe('results streams', () => {
  let t: TestEmulator;
  before(async () => {
    t = await testEmulator();
  });
  after(() => t.emulator.close());

  it('cuts the connection midway with cutResultsAfterLines: the SDK iterator throws after the lines sent', async () => {
    const batch = await t.client.messages.batches.create({ requests: requests(10, 'cut') });
    t.clock.advance(HOUR);
    t.emulator.control.setBatchScenario(batch.id, { cutResultsAfterLines: 4 });
    const seen: string[] = [];
    await assert.rejects(async () => {
      for await (const line of await t.client.messages.batches.results(batch.id)) seen.push(line.custom_id);
    });
    assert.equal(seen.length, 4);
    assert.equal(new Set(seen).size, 4);
    t.emulator.control.setBatchScenario(batch.id, {});
    assert.equal((await resultsOf(t.client, batch.id)).length, 10, 'a later read gets everything');
  });

  it('applies a server-wide cut to batches already made, and heals when the scenario is cleared', async () => {
    t.emulator.control.setScenario({ cutResultsAfterLines: 1 });
    const batch = await t.client.messages.batches.create({ requests: requests(3, 'heal') });
    t.clock.advance(HOUR);
    await assert.rejects(resultsOf(t.client, batch.id));
    t.emulator.control.setScenario({});
    assert.equal((await resultsOf(t.client, batch.id)).length, 3);
  });

  it('slows the stream with resultsDelayMsPerLine', async () => {
    const batch = await t.client.messages.batches.create({ requests: requests(5, 'slow') });
    t.clock.advance(HOUR);
    t.emulator.control.setBatchScenario(batch.id, { resultsDelayMsPerLine: 20 });
    const started = Date.now();
    assert.equal((await resultsOf(t.client, batch.id)).length, 5);
    assert.ok(Date.now() - started >= 80);
  });
});

describe('a data directory', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'emulator-durable-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('keeps batches, requests, outcomes and results across a restart', async () => {
    const clock = frozenClock();
    const first = await testEmulator({ dataDir: dir, clock });
    first.emulator.control.addRule({ match: { customId: 'keep-1' }, outcome: 'errored', errorType: 'api_error' });
    const done = await first.client.messages.batches.create({ requests: requests(3, 'keep') });
    const canceled = await first.client.messages.batches.create({
      requests: [request('c1', 'never [emulator:expired]')],
    });
    clock.advance(HOUR);
    await first.client.messages.batches.cancel(canceled.id);
    const before = await first.client.messages.batches.retrieve(done.id);
    const linesBefore = await resultsOf(first.client, done.id);
    await first.emulator.close();

    const second = await testEmulator({ dataDir: dir, clock });
    try {
      const after = await second.client.messages.batches.retrieve(done.id);
      assert.deepEqual(after, before);
      assert.deepEqual(await resultsOf(second.client, done.id), linesBefore, 'the same lines in the same order');
      assert.equal(errorTypeOf(linesBefore.find((l) => l.custom_id === 'keep-1')), 'api_error');
      assert.deepEqual(await second.emulator.record.requestsOf(done.id), requests(3, 'keep'));
      assert.deepEqual(
        second.emulator.record.batches().map((b) => b.id),
        [done.id, canceled.id],
      );
      clock.advance(10_000);
      const ended = await second.client.messages.batches.retrieve(canceled.id);
      assert.equal(ended.processing_status, 'ended');
      assert.equal(ended.request_counts.canceled, 1);
      const listed = await second.client.messages.batches.list();
      assert.deepEqual(
        listed.data.map((b) => b.id),
        [canceled.id, done.id],
      );
      const made = await second.client.messages.batches.create({ requests: requests(1, 'later') });
      assert.equal((await second.client.messages.batches.list()).data[0]?.id, made.id, 'new batches list first');
      await second.client.messages.batches.delete(done.id);
    } finally {
      await second.emulator.close();
    }
    const third = await startEmulator({ dataDir: dir, clock });
    try {
      assert.equal(third.record.batches().length, 2, 'the deleted batch stays deleted');
      assert.ok(!(await readdir(join(dir, 'batches'))).some((f) => f.startsWith(done.id)));
    } finally {
      await third.close();
    }
  });

  it('serves the same results for a batch kept before replies were logged (an older emulator data directory)', async () => {
    const older = await mkdtemp(join(tmpdir(), 'emulator-older-'));
    try {
      const clock = frozenClock();
      const first = await testEmulator({ dataDir: older, clock });
      first.emulator.control.addRule({ match: { customId: 'old-1' }, outcome: 'errored' });
      const batch = await first.client.messages.batches.create({
        requests: [...requests(3, 'old'), request('cached', 'x', { system: [cachedBlock] })],
      });
      clock.advance(HOUR);
      const linesBefore = await resultsOf(first.client, batch.id);
      await first.emulator.close();
      await rm(join(older, 'batches', `${batch.id}.replies.jsonl`));

      const second = await testEmulator({ dataDir: older, clock });
      try {
        assert.deepEqual(await resultsOf(second.client, batch.id), linesBefore);
      } finally {
        await second.emulator.close();
      }
    } finally {
      await rm(older, { recursive: true, force: true });
    }
  });
});

const cachedBlock = {
  type: 'text',
  text: 'A long shared preamble. '.repeat(200),
  cache_control: { type: 'ephemeral' },
};

function errorTypeOf(line: Awaited<ReturnType<typeof resultsOf>>[number] | undefined): string | undefined {
  return line?.result.type === 'errored' ? line.result.error.error.type : undefined;
}
