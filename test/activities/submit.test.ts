// Sending chunks: a worker uploads one create body at a time, whatever number of chunks its jobs submit at once.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MockActivityEnvironment } from '@temporalio/testing';
import { EmulatorClock } from '../../src/emulator';
import { createBatchActivities, type BatchSnapshot, type SubmitChunkInput } from '../../src/activities/batches';
import type { ChunkRef } from '../../src/shared/job';
import { LocalStorage } from '../../src/storage/local-storage';
import { requests, testEmulator, type TestEmulator } from '../emulator/support';

describe('submit chunk', () => {
  let t: TestEmulator;
  let dir: string;
  before(async () => {
    // A running clock: the emulator records when each create arrived.
    t = await testEmulator({ clock: new EmulatorClock() });
    dir = await mkdtemp(join(tmpdir(), 'claude-batch-submit-'));
  });
  after(async () => {
    await t?.emulator.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('sends one create body at a time from a worker, the next once the API has answered the last', async () => {
    const STALL_MS = 1_000;
    // The first create is answered only after a second: the others must not be on the wire meanwhile.
    t.emulator.control.injectFaults({ kind: 'stall', endpoint: 'create', ms: STALL_MS, count: 1 });
    const chunks: ChunkRef[] = await Promise.all(
      [0, 1, 2].map(async (index) => {
        const body = join(dir, `chunk-${index}.json`);
        const text = JSON.stringify({ requests: requests(2, `c${index}`) });
        await writeFile(body, text);
        return { index, body, requestCount: 2, bytes: text.length };
      }),
    );
    const activities = createBatchActivities({ anthropic: t.client, storage: new LocalStorage() });
    const batches: BatchSnapshot[] = await Promise.all(
      chunks.map((chunk) =>
        new MockActivityEnvironment().run<[SubmitChunkInput], BatchSnapshot, typeof activities.submitChunk>(
          (input) => activities.submitChunk(input),
          { jobKey: 'ksubmit', round: 1, chunk, scheduledAt: Date.now(), claimed: [] },
        ),
      ),
    );
    assert.equal(new Set(batches.map((b) => b.id)).size, 3);
    const arrivals = t.emulator.record.calls.filter((c) => c.endpoint === 'create').map((c) => c.at);
    assert.equal(arrivals.length, 3);
    assert.ok(arrivals[1]! - arrivals[0]! >= STALL_MS, `creates arrived ${arrivals.join(', ')}`);
  });
});
