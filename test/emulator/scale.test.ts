// A batch at the API's limits: 100,000 requests in a ~200 MB body, created, ended by the clock, and every result
// streamed through the SDK. Prints the time and peak memory taken (figures for the reader, not assertions; the
// benchmark measures the emulator on its own).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { HOUR, request, testEmulator, type TestEmulator } from './support';

const COUNT = 100_000;
/** About 2 KB of review text per request, so the body is near the size of a real full batch. */
const REVIEW = 'Decent value, slow delivery; the box arrived dented but the kettle works. '.repeat(26);

describe('a 100,000-request batch', () => {
  let t: TestEmulator;
  let peakRss = 0;
  let sampler: NodeJS.Timeout;
  before(async () => {
    t = await testEmulator();
    sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 20);
  });
  after(async () => {
    clearInterval(sampler);
    await t.emulator.close();
  });

  it('is created, ends, and streams every result through the SDK', async () => {
    const mb = (bytes: number) => `${Math.round(bytes / 1024 / 1024)} MB`;
    const rssBefore = process.memoryUsage().rss;
    const batchRequests = Array.from({ length: COUNT }, (_, i) =>
      request(`row-${i}`, `Classify the sentiment of review number ${i}: "${REVIEW}".`, {
        max_tokens: 64,
      }),
    );
    const bodyBytes = Buffer.byteLength(JSON.stringify({ requests: batchRequests }));

    let started = performance.now();
    const batch = await t.client.messages.batches.create({ requests: batchRequests });
    const createMs = performance.now() - started;
    assert.equal(batch.request_counts.processing, COUNT);
    assert.equal(t.emulator.record.batches().at(-1)?.requestCount, COUNT);

    t.clock.advance(HOUR);
    const ended = await t.client.messages.batches.retrieve(batch.id);
    assert.equal(ended.processing_status, 'ended');
    assert.equal(ended.request_counts.succeeded, COUNT);

    started = performance.now();
    let lines = 0;
    const seen = new Set<string>();
    for await (const line of await t.client.messages.batches.results(batch.id)) {
      lines += 1;
      seen.add(line.custom_id);
    }
    const resultsMs = performance.now() - started;
    assert.equal(lines, COUNT);
    assert.equal(seen.size, COUNT, 'every request once (in the default shuffled order)');

    console.log(
      `100k batch: body ${mb(bodyBytes)}; create ${Math.round(createMs)} ms; results streamed in ` +
        `${Math.round(resultsMs)} ms; RSS ${mb(rssBefore)} before, peak ${mb(peakRss)} (SDK, test and emulator in one process)`,
    );
  });
});
