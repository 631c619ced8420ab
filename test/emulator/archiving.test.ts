// Automatic archiving: the API keeps a batch's results for 29 days after its creation. From then on, on the emulator's
// clock, the batch has `archived_at` (creation + 29 days) and its results endpoint answers 404; the batch itself is
// still retrieved, listed and deleted as before.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import { frozenClock, HOUR, rawCall, requests, resultsOf, testEmulator, type TestEmulator } from './support';

const DAY = 24 * HOUR;
const iso = (ms: number) => new Date(ms).toISOString();

describe('automatic archiving', () => {
  let t: TestEmulator;
  before(async () => {
    t = await testEmulator();
  });
  after(() => t.emulator.close());

  it('keeps the results downloadable until 29 days after creation, with archived_at null', async () => {
    const batch = await t.client.messages.batches.create({ requests: requests(3, 'kept') });
    t.clock.set(Date.parse(batch.created_at) + 29 * DAY - 1);
    assert.equal((await t.client.messages.batches.retrieve(batch.id)).archived_at, null);
    assert.equal((await resultsOf(t.client, batch.id)).length, 3);
  });

  it('sets archived_at to 29 days after creation once that time has come', async () => {
    const batch = await t.client.messages.batches.create({ requests: requests(3, 'aged') });
    const archivedAt = Date.parse(batch.created_at) + 29 * DAY;
    t.clock.set(archivedAt + 5 * DAY);
    const retrieved = await t.client.messages.batches.retrieve(batch.id);
    assert.equal(retrieved.archived_at, iso(archivedAt));
    assert.equal(retrieved.processing_status, 'ended');
    const listed = (await t.client.messages.batches.list()).data.find((b) => b.id === batch.id);
    assert.equal(listed?.archived_at, iso(archivedAt));
  });

  it('answers the results of a batch 29 days old with 404 and the API error body', async () => {
    const batch = await t.client.messages.batches.create({ requests: requests(3, 'gone') });
    t.clock.set(Date.parse(batch.created_at) + 29 * DAY);
    await assert.rejects(t.client.messages.batches.results(batch.id), (err: unknown) => {
      assert.ok(err instanceof Anthropic.NotFoundError);
      assert.equal(err.type, 'not_found_error');
      return true;
    });
    const raw = await rawCall(t.emulator, `/v1/messages/batches/${batch.id}/results`);
    assert.equal(raw.status, 404);
    assert.deepEqual(Object.keys(raw.body as object).sort(), ['error', 'request_id', 'type']);
    assert.equal((raw.body as { type: string }).type, 'error');
    assert.match((raw.body as { error: { message: string } }).error.message, /archived/);
  });

  it('still deletes a batch whose results were archived', async () => {
    const batch = await t.client.messages.batches.create({ requests: requests(1, 'old') });
    t.clock.set(Date.parse(batch.created_at) + 40 * DAY);
    assert.deepEqual(await t.client.messages.batches.delete(batch.id), { id: batch.id, type: 'message_batch_deleted' });
  });

  it('keeps the earlier time of a manual archive', async () => {
    const batch = await t.client.messages.batches.create({ requests: requests(1, 'manual') });
    t.clock.advance(2 * DAY);
    const manualAt = t.clock.now();
    t.emulator.control.archive(batch.id);
    t.clock.advance(30 * DAY);
    assert.equal((await t.client.messages.batches.retrieve(batch.id)).archived_at, iso(manualAt));
  });
});

describe('automatic archiving with a data directory', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'emulator-archive-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('archives a batch kept across a restart when its 29 days are up', async () => {
    const clock = frozenClock();
    const first = await testEmulator({ dataDir: dir, clock });
    const batch = await first.client.messages.batches.create({ requests: requests(2, 'durable') });
    await first.emulator.close();
    clock.set(Date.parse(batch.created_at) + 29 * DAY);
    const second = await testEmulator({ dataDir: dir, clock });
    try {
      const retrieved = await second.client.messages.batches.retrieve(batch.id);
      assert.equal(retrieved.archived_at, iso(Date.parse(batch.created_at) + 29 * DAY));
      await assert.rejects(second.client.messages.batches.results(batch.id), Anthropic.NotFoundError);
    } finally {
      await second.emulator.close();
    }
  });
});
