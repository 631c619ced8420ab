// `npm run bench`: throughput and memory of the worker's bulk steps on a 100,000-request (~200 MB) file, side by side
// with this machine's JSON.parse-every-line speed; cache-read share and cost of 10,000 requests sharing a cached
// prefix with and without cache priming; and the history size of a simulated 24 h wait. Prints figures.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { finished } from 'node:stream/promises';
import Anthropic from '@anthropic-ai/sdk';
import type { MessageBatch } from '@anthropic-ai/sdk/resources/messages/batches';
import { startEmulator } from '../src/emulator';
import { LocalStorage, writeChunk } from '../src/storage/local-storage';
import { batchJob } from '../src/workflows';
import { jobEnv, request } from '../test/support/job-env';
import { cachePrimingFigures, printCachePriming } from './cache-priming';
import { idleWorkerFigures, printIdleWorker } from './idle-worker';
import { startTimeSkippingServer } from '../test/support/temporal';

const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 100_000);
const filler = 'lorem ipsum dolor sit amet consectetur adipiscing elit '.repeat(36); // ~2 KB a request

interface Figures {
  step: string;
  seconds: number;
  cpuSeconds: number;
  mbPerSecond: number;
  peakRssMb: number;
  detail: unknown;
}

/** Runs a step in a child process (asynchronously: the emulator in this process must keep answering it). */
async function measure(args: string[]): Promise<Figures> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--import', 'tsx', join(__dirname, 'measure-worker.ts'), ...args],
    { maxBuffer: 1 << 20 },
  );
  return JSON.parse(stdout.trim().split('\n').pop()!) as Figures;
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'claude-batch-bench-'));
  try {
    const file = join(dir, 'requests.jsonl');
    const out = createWriteStream(file);
    for (let i = 0; i < REQUESTS; i++)
      await writeChunk(out, JSON.stringify(request(`doc-${i}`, `${i} ${filler}`)) + '\n');
    out.end();
    await finished(out);
    const output = join(dir, 'out');

    const reference = await measure(['parse-reference', file]);
    const validate = await measure(['validate-split', file, output]);

    // The emulator runs in this process: its peak RSS over create + results is this process's.
    let emulatorPeak = 0;
    const sampler = setInterval(() => (emulatorPeak = Math.max(emulatorPeak, process.memoryUsage().rss)), 20);
    const emulator = await startEmulator({ requestsPerSecond: 1_000_000 });
    let collect: Figures;
    let roundTrip: number;
    let create: number;
    try {
      const began = Date.now();
      const anthropic = new Anthropic({ apiKey: 'bench', baseURL: emulator.url });
      const firstChunk = join(output, '.work', 'round-1', 'chunk-0000.json');
      const body = await new LocalStorage().blob(firstChunk, 'application/json');
      const batch = await anthropic.post<MessageBatch>('/v1/messages/batches', {
        body,
        headers: { 'content-type': 'application/json' },
      });
      create = (Date.now() - began) / 1000;
      emulator.clock.advance(60 * 60 * 1000);
      // Sized by the chunk it collects (all of the file up to 100,000 requests; the first batch's share beyond).
      collect = await measure(['collect', firstChunk, output, emulator.url, batch.id]);
      roundTrip = (Date.now() - began) / 1000;
    } finally {
      clearInterval(sampler);
      await emulator.close();
    }

    const cpuPerMb = (f: Figures) => f.cpuSeconds / (f.mbPerSecond * f.seconds);
    const row = (f: Figures) =>
      `${f.step.padEnd(16)} ${f.seconds.toFixed(2).padStart(7)} s ${f.mbPerSecond.toFixed(1).padStart(8)} MB/s ${f.peakRssMb.toFixed(0).padStart(6)} MB peak RSS  ${(reference.mbPerSecond / f.mbPerSecond).toFixed(2)}x of the JSON.parse reference time, CPU ${(cpuPerMb(f) / cpuPerMb(reference)).toFixed(2)}x`;
    console.log(`\n${REQUESTS} requests, ${(validate.mbPerSecond * validate.seconds).toFixed(0)} MB`);
    console.log(row(reference));
    console.log(row(validate));
    console.log(row(collect));
    console.log(
      `emulator: create + stream all results of the 100,000-request batch in ${roundTrip.toFixed(1)} s ` +
        `(create ${create.toFixed(1)} s), peak RSS ${(emulatorPeak / 1e6).toFixed(0)} MB`,
    );

    // One job's worth of requests sharing a cached prefix, on the emulator, with and without cache priming.
    printCachePriming(await cachePrimingFigures());

    printIdleWorker(await idleWorkerFigures());

    // A job whose batch runs the whole 24 h window (ends expired), on the time-skipping server.
    const env = await startTimeSkippingServer();
    try {
      const job = await jobEnv(env, { emulator: { scenario: { neverEnds: true } } });
      try {
        const requests = await job.writeRequests('day.jsonl', [request('a', 'x')]);
        const handle = await job.withWorker(async () => {
          const h = await env.client.workflow.start(batchJob, {
            args: [{ requests, maxRetryRounds: 0 }],
            taskQueue: job.taskQueue,
            workflowId: 'bench-24h',
          });
          await h.result();
          return h;
        });
        const events = (await handle.fetchHistory()).events?.length ?? 0;
        console.log(`history of a job waiting 24 h (one run, default polling): ${events} events (target under 2,000)`);
      } finally {
        await job.close();
      }
    } finally {
      await env.teardown();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
