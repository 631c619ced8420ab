// Runs one worker-side step in its own process so its peak RSS is its own: `tsx bench/measure-worker.ts <step> ...`.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import Anthropic from '@anthropic-ai/sdk';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createActivities } from '../src/activities';
import type { PreparedJob } from '../src/activities/prepare';
import type { CollectedBatch } from '../src/shared/job';
import { LocalStorage } from '../src/storage/local-storage';

let peak = 0;
const sample = () => (peak = Math.max(peak, process.memoryUsage().rss));
const sampler = setInterval(sample, 20);

async function main(): Promise<void> {
  const [step, file, output, apiUrl, batchId] = process.argv.slice(2);
  const bytes = (await stat(file!)).size;
  const started = process.hrtime.bigint();
  const cpuBefore = process.cpuUsage();
  let detail: unknown;
  const activities = createActivities({
    anthropic: new Anthropic({ apiKey: 'bench', baseURL: apiUrl ?? 'http://127.0.0.1:1' }),
    storage: new LocalStorage(),
  });
  const env = new MockActivityEnvironment();
  if (step === 'parse-reference') {
    let n = 0;
    for await (const line of createInterface({
      input: createReadStream(file!, { highWaterMark: 1 << 20 }),
      crlfDelay: Infinity,
    })) {
      if (line.length > 0) {
        JSON.parse(line);
        n += 1;
      }
    }
    detail = { lines: n };
  } else if (step === 'validate-split') {
    const prepared: PreparedJob = await env.run(() =>
      activities.validateAndSplit({
        jobKey: 'jbench0000000',
        requests: file!,
        output: output!,
        defaults: {},
        limits: { maxRequests: 100_000, maxBytes: 256 * 1024 * 1024 },
      }),
    );
    detail = { requests: prepared.totalRequests, chunks: prepared.chunks.length };
  } else if (step === 'collect') {
    const collected: CollectedBatch = await env.run(() =>
      activities.collectBatch({
        jobKey: 'jbench0000000',
        output: output!,
        round: 1,
        chunk: 0,
        batchId: batchId!,
        requestCount: 100_000,
        retryOn: ['expired'],
      }),
    );
    detail = collected.counts;
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  // CPU time is the step's own cost even when the other end (the emulator serving results) sets the pace.
  const cpu = process.cpuUsage(cpuBefore);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  sample();
  clearInterval(sampler);
  console.log(
    JSON.stringify({ step, seconds, cpuSeconds, mbPerSecond: bytes / 1e6 / seconds, peakRssMb: peak / 1e6, detail }),
  );
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
