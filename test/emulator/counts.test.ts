// `request_counts` while a batch runs. The API reference's field text says the non-processing counts stay zero until
// the whole batch has ended; its own example shows them filling. Both are offered (scenario `countsWhileRunning`):
// `filling` (the default) and `zero-until-ended`. Once a batch has ended, both give the same counts.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startCliEmulator } from './cli-process';
import { HOUR, request, requests, testEmulator, type TestEmulator } from './support';

const ZERO = { processing: 0, succeeded: 0, errored: 0, canceled: 0, expired: 0 };

describe('request_counts while a batch runs', () => {
  let t: TestEmulator;
  before(async () => {
    t = await testEmulator();
  });
  after(() => t.emulator.close());

  it('fill as requests finish by default', async () => {
    t.emulator.control.setScenario({ processingMs: 10_000 });
    const batch = await t.client.messages.batches.create({ requests: requests(10, 'fill') });
    t.clock.advance(5_000);
    const half = await t.client.messages.batches.retrieve(batch.id);
    assert.equal(half.processing_status, 'in_progress');
    assert.deepEqual(half.request_counts, { ...ZERO, processing: 5, succeeded: 5 });
  });

  it('stay all processing until the batch ends with zero-until-ended', async () => {
    t.emulator.control.setScenario({ processingMs: 10_000, countsWhileRunning: 'zero-until-ended' });
    const batch = await t.client.messages.batches.create({
      requests: [...requests(9, 'zero'), request('zero-fails', 'fail me [emulator:errored=overloaded_error]')],
    });
    t.clock.advance(9_999);
    const running = await t.client.messages.batches.retrieve(batch.id);
    assert.equal(running.processing_status, 'in_progress');
    assert.deepEqual(running.request_counts, { ...ZERO, processing: 10 });
    t.clock.advance(1);
    const ended = await t.client.messages.batches.retrieve(batch.id);
    assert.equal(ended.processing_status, 'ended');
    assert.deepEqual(ended.request_counts, { ...ZERO, succeeded: 9, errored: 1 });
  });

  it('stay all processing while canceling with zero-until-ended, then show what was canceled', async () => {
    t.emulator.control.setScenario({ processingMs: 10_000, countsWhileRunning: 'zero-until-ended' });
    const batch = await t.client.messages.batches.create({ requests: requests(10, 'stop') });
    t.clock.advance(3_000);
    const canceling = await t.client.messages.batches.cancel(batch.id);
    assert.equal(canceling.processing_status, 'canceling');
    assert.deepEqual(canceling.request_counts, { ...ZERO, processing: 10 });
    t.clock.advance(HOUR);
    const ended = await t.client.messages.batches.retrieve(batch.id);
    assert.deepEqual(ended.request_counts, { ...ZERO, succeeded: 3, canceled: 7 });
  });

  it('are listed the same way as they are retrieved', async () => {
    t.emulator.control.setScenario({ processingMs: 10_000, countsWhileRunning: 'zero-until-ended' });
    const batch = await t.client.messages.batches.create({ requests: requests(4, 'listed') });
    t.clock.advance(5_000);
    const listed = (await t.client.messages.batches.list()).data.find((b) => b.id === batch.id);
    assert.deepEqual(listed?.request_counts, { ...ZERO, processing: 4 });
  });

  it('follow the setting a batch was created with, or its own from setBatchScenario', async () => {
    t.emulator.control.setScenario({ processingMs: 10_000 });
    const filling = await t.client.messages.batches.create({ requests: requests(4, 'made-filling') });
    const overridden = await t.client.messages.batches.create({ requests: requests(4, 'made-override') });
    t.emulator.control.setScenario({ processingMs: 10_000, countsWhileRunning: 'zero-until-ended' });
    t.emulator.control.setBatchScenario(overridden.id, { countsWhileRunning: 'zero-until-ended' });
    t.clock.advance(5_000);
    assert.equal((await t.client.messages.batches.retrieve(filling.id)).request_counts.succeeded, 2);
    assert.deepEqual((await t.client.messages.batches.retrieve(overridden.id)).request_counts, {
      ...ZERO,
      processing: 4,
    });
  });
});

describe('npm run emulator --counts-while-running', () => {
  it('zero-until-ended: a running batch counts every request as processing', { timeout: 60_000 }, async () => {
    // One request a second: the batch runs for 4 s of real time.
    const cli = await startCliEmulator(['--rate', '1', '--counts-while-running', 'zero-until-ended']);
    try {
      const batch = await cli.client.messages.batches.create({ requests: requests(4, 'cli') });
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      const running = await cli.client.messages.batches.retrieve(batch.id);
      assert.equal(running.processing_status, 'in_progress');
      assert.deepEqual(running.request_counts, { ...ZERO, processing: 4 });
    } finally {
      await cli.stop();
    }
  });
});
