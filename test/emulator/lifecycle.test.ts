// A batch's life, driven by the emulator's clock: processing speed, expiry at 24 h, scenarios, archive.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import { EmulatorClock } from '../../src/emulator';
import { HOUR, rawCall, requests, resultsOf, testEmulator, type TestEmulator } from './support';

describe('batch lifecycle on the emulator clock', () => {
  let t: TestEmulator;
  before(async () => {
    t = await testEmulator();
  });
  beforeEach(() => t.emulator.control.reset());
  after(() => t.emulator.close());

  it('expires every unfinished request when the clock passes 24 h', async () => {
    t.emulator.control.setScenario({ neverEnds: true });
    const batch = await t.client.messages.batches.create({ requests: requests(4) });
    t.clock.advance(23 * HOUR);
    const late = await t.client.messages.batches.retrieve(batch.id);
    assert.equal(late.processing_status, 'in_progress');
    assert.equal(late.request_counts.processing, 4);
    t.clock.advance(HOUR);
    const expired = await t.client.messages.batches.retrieve(batch.id);
    assert.equal(expired.processing_status, 'ended');
    assert.deepEqual(expired.request_counts, { processing: 0, succeeded: 0, errored: 0, canceled: 0, expired: 4 });
    assert.equal(expired.ended_at, expired.expires_at);
    const lines = await resultsOf(t.client, batch.id);
    assert.deepEqual(
      lines.map((l) => l.result.type),
      ['expired', 'expired', 'expired', 'expired'],
    );
  });

  it('takes processingMs from creation, whatever the size', async () => {
    t.emulator.control.setScenario({ processingMs: 10 * HOUR });
    const batch = await t.client.messages.batches.create({ requests: requests(10) });
    t.clock.advance(5 * HOUR);
    const half = await t.client.messages.batches.retrieve(batch.id);
    assert.equal(half.request_counts.succeeded, 5);
    t.clock.advance(5 * HOUR);
    assert.equal((await t.client.messages.batches.retrieve(batch.id)).processing_status, 'ended');
  });

  it('ends a batch at its N-th retrieve with endAfterRetrieves', async () => {
    t.emulator.control.setScenario({ neverEnds: true, endAfterRetrieves: 3 });
    const batch = await t.client.messages.batches.create({ requests: requests(3) });
    assert.equal((await t.client.messages.batches.retrieve(batch.id)).processing_status, 'in_progress');
    assert.equal((await t.client.messages.batches.retrieve(batch.id)).processing_status, 'in_progress');
    const third = await t.client.messages.batches.retrieve(batch.id);
    assert.equal(third.processing_status, 'ended');
    assert.deepEqual(third.request_counts, { processing: 0, succeeded: 3, errored: 0, canceled: 0, expired: 0 });
    assert.equal((await resultsOf(t.client, batch.id)).length, 3);
  });

  it('overrides one batch with setBatchScenario', async () => {
    const slow = await t.client.messages.batches.create({ requests: requests(2, 'slow') });
    const fast = await t.client.messages.batches.create({ requests: requests(2, 'fast') });
    t.emulator.control.setBatchScenario(slow.id, { neverEnds: true });
    t.clock.advance(HOUR);
    assert.equal((await t.client.messages.batches.retrieve(slow.id)).processing_status, 'in_progress');
    assert.equal((await t.client.messages.batches.retrieve(fast.id)).processing_status, 'ended');
  });

  it('ends a cancel after cancelDelayMs', async () => {
    t.emulator.control.setScenario({ neverEnds: true, cancelDelayMs: 30_000 });
    const batch = await t.client.messages.batches.create({ requests: requests(2) });
    await t.client.messages.batches.cancel(batch.id);
    t.clock.advance(29_000);
    assert.equal((await t.client.messages.batches.retrieve(batch.id)).processing_status, 'canceling');
    t.clock.advance(1_000);
    const ended = await t.client.messages.batches.retrieve(batch.id);
    assert.equal(ended.processing_status, 'ended');
    assert.equal(ended.request_counts.canceled, 2);
    // A second cancel of an ended batch changes nothing.
    const again = await t.client.messages.batches.cancel(batch.id);
    assert.equal(again.cancel_initiated_at, ended.cancel_initiated_at);
  });

  it('archives results: archived_at set and results 404', async () => {
    const batch = await t.client.messages.batches.create({ requests: requests(2) });
    t.clock.advance(HOUR);
    t.emulator.control.archive(batch.id);
    const archived = await t.client.messages.batches.retrieve(batch.id);
    assert.equal(archived.archived_at, new Date(t.clock.now()).toISOString());
    await assert.rejects(t.client.messages.batches.results(batch.id), (err: unknown) => {
      assert.ok(err instanceof Anthropic.NotFoundError);
      assert.equal(err.type, 'not_found_error');
      return true;
    });
    const raw = await rawCall(t.emulator, `/v1/messages/batches/${batch.id}/results`);
    assert.equal(raw.status, 404);
  });

  it('forgets everything on reset', async () => {
    await t.client.messages.batches.create({ requests: requests(1) });
    t.emulator.control.reset();
    assert.deepEqual(t.emulator.record.batches(), []);
    assert.deepEqual(t.emulator.record.calls, []);
    assert.deepEqual((await t.client.messages.batches.list()).data, []);
  });

  it('runs in real time when not frozen, and can be set, advanced, frozen and resumed', () => {
    const clock = new EmulatorClock();
    const before = Date.now();
    assert.ok(clock.now() >= before && clock.now() <= Date.now());
    clock.set(Date.parse('2030-01-01T00:00:00Z'));
    assert.ok(Math.abs(clock.now() - Date.parse('2030-01-01T00:00:00Z')) < 1000);
    clock.freeze();
    const frozen = clock.now();
    clock.advance(25 * HOUR);
    assert.equal(clock.now(), frozen + 25 * HOUR);
    clock.resume();
    assert.ok(clock.now() >= frozen + 25 * HOUR);
  });
});
