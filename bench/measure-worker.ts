// Runs one worker-side step in its own process so its peak RSS is its own: `tsx bench/measure-worker.ts <step> ...`.
// Paths may be local or `s3://` (the store configured by the AWS_* environment, as a worker's is).
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import Anthropic from '@anthropic-ai/sdk';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createActivities } from '../src/activities';
import type { PreparedJob } from '../src/activities/prepare';
import type { CollectedBatch } from '../src/shared/job';
import { StorageRouter } from '../src/storage/router';
import { workPaths } from '../src/activities/work-paths';
import type { ReportOutput } from '../src/activities/report';
import { resolveJobOptions } from '../src/shared/options';

let peak = 0;
const sample = () => (peak = Math.max(peak, process.memoryUsage().rss));
const sampler = setInterval(sample, 20);

async function main(): Promise<void> {
  const [step, file, output, apiUrl, batchId] = process.argv.slice(2);
  const storage = new StorageRouter();
  const bytes = await storage.size(file!);
  const started = process.hrtime.bigint();
  const cpuBefore = process.cpuUsage();
  let detail: unknown;
  const activities = createActivities({
    anthropic: new Anthropic({ apiKey: 'bench', baseURL: apiUrl ?? 'http://127.0.0.1:1' }),
    storage,
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
        requestCount: Math.min(Number(process.env.BENCH_REQUESTS ?? 100_000), 100_000),
        retryOn: ['expired'],
      }),
    );
    detail = collected.counts;
  } else if (step === 'report') {
    // `file` is the outcomes of the chunk collected; the job had that one chunk.
    const requests = Number(apiUrl);
    const work = workPaths(storage, output!, 'jbench0000000');
    const report: ReportOutput = await env.run(() =>
      activities.writeReport({
        workflowId: 'bench',
        output: output!,
        idIndex: work.idIndex,
        totalRequests: requests,
        outcomeFiles: [{ round: 1, ref: file! }],
        lastRound: 1,
        batches: [],
        options: resolveJobOptions({ requests: file!, output: output! }, 'bench'),
        startedAt: 0,
        canceled: false,
      }),
    );
    detail = { results: await storage.size(report.resultsPath) };
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
