// `npm run bench`: throughput and memory of the worker's bulk steps on a 100,000-request (~200 MB) file, on local files
// and through an S3-compatible store (versitygw), side by side with this machine's JSON.parse-every-line speed;
// cache-read share and cost of 10,000 requests sharing a cached prefix with and without cache priming; the idle
// worker; how soon results land after a batch ends and the history its wait writes (bench/polling.ts); the whole job
// end to end in a worker process (bench/end-to-end.ts). Prints figures.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { finished, pipeline } from 'node:stream/promises';
import Anthropic from '@anthropic-ai/sdk';
import type { MessageBatch } from '@anthropic-ai/sdk/resources/messages/batches';
import { startEmulator } from '../src/emulator';
import { writeChunk } from '../src/storage/local-storage';
import { StorageRouter } from '../src/storage/router';
import { S3Storage } from '../src/storage/s3-storage';
import type { JobStorage } from '../src/storage/storage';
import { workPaths } from '../src/activities/work-paths';
import { startObjectStore, type ObjectStore } from '../src/dev/object-store';
import { request } from '../test/support/job-env';
import { cachePrimingFigures, printCachePriming } from './cache-priming';
import { idleWorkerFigures, printIdleWorker } from './idle-worker';
import { endToEndFigures, printEndToEnd } from './end-to-end';
import { pollingFigures, printPolling } from './polling';
import { manyJobsFigures, printManyJobs } from './many-jobs';

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
async function measure(args: string[], env: Record<string, string> = {}): Promise<Figures> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--import', 'tsx', join(__dirname, 'measure-worker.ts'), ...args],
    { maxBuffer: 1 << 20, env: { ...process.env, ...env } },
  );
  return JSON.parse(stdout.trim().split('\n').pop()!) as Figures;
}

interface WorkerSteps {
  validate: Figures;
  collect: Figures;
  report: Figures;
  /** Create of the first chunk's batch (its body streamed from storage) plus streaming all its results back. */
  roundTrip: number;
  create: number;
}

/**
 * A job's bulk steps on one storage backend, each in a worker process of its own: validate + split the requests, create
 * the first chunk's batch from its stored body, collect its results, write the report.
 */
async function workerSteps(
  storage: JobStorage,
  requests: string,
  output: string,
  emulatorUrl: string,
  advance: () => void,
  env: Record<string, string> = {},
): Promise<WorkerSteps> {
  const validate = await measure(['validate-split', requests, output], env);
  const began = Date.now();
  const anthropic = new Anthropic({ apiKey: 'bench', baseURL: emulatorUrl });
  const work = workPaths(storage, output, 'jbench0000000');
  const firstChunk = work.chunkBody(1, 0);
  const body = await storage.blob(firstChunk, 'application/json');
  const batch = await anthropic.post<MessageBatch>('/v1/messages/batches', {
    body,
    headers: { 'content-type': 'application/json' },
  });
  const create = (Date.now() - began) / 1000;
  advance();
  // Sized by the chunk it collects (all of the file up to 100,000 requests; the first batch's share beyond).
  const collect = await measure(['collect', firstChunk, output, emulatorUrl, batch.id], env);
  const roundTrip = (Date.now() - began) / 1000;
  const report = await measure(['report', work.outcomes(1, 0), output, String(REQUESTS)], env);
  return { validate, collect, report, roundTrip, create };
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

    // The emulator runs in this process: its peak RSS over create + results is this process's.
    let emulatorPeak = 0;
    const sampler = setInterval(() => (emulatorPeak = Math.max(emulatorPeak, process.memoryUsage().rss)), 20);
    const emulator = await startEmulator({ requestsPerSecond: 1_000_000 });
    const advance = () => emulator.clock.advance(60 * 60 * 1000);
    let store: ObjectStore | undefined;
    let local: WorkerSteps;
    let s3: WorkerSteps;
    let upload: number;
    try {
      local = await workerSteps(new StorageRouter(), file, output, emulator.url, advance);
      const emulatorPeakLocal = emulatorPeak;
      store = await startObjectStore({ dataDir: join(dir, 's3'), bucket: 'bench' });
      const storage = new S3Storage(store.client());
      const requests = 's3://bench/inputs/requests.jsonl';
      const uploadBegan = Date.now();
      await storage.write(requests, (sink) => pipeline(createReadStream(file), sink, { end: false }));
      upload = (Date.now() - uploadBegan) / 1000;
      s3 = await workerSteps(storage, requests, 's3://bench/out', emulator.url, advance, store.env);
      emulatorPeak = Math.max(emulatorPeak, emulatorPeakLocal);
    } finally {
      clearInterval(sampler);
      await emulator.close();
      await store?.stop();
    }

    const cpuPerMb = (f: Figures) => f.cpuSeconds / (f.mbPerSecond * f.seconds);
    const row = (f: Figures) =>
      `${f.step.padEnd(20)} ${f.seconds.toFixed(2).padStart(7)} s ${f.mbPerSecond.toFixed(1).padStart(8)} MB/s ${f.peakRssMb.toFixed(0).padStart(6)} MB peak RSS  ${(reference.mbPerSecond / f.mbPerSecond).toFixed(2)}x of the JSON.parse reference time, CPU ${(cpuPerMb(f) / cpuPerMb(reference)).toFixed(2)}x`;
    const sizeMb = local.validate.mbPerSecond * local.validate.seconds;
    console.log(`\n${REQUESTS} requests, ${sizeMb.toFixed(0)} MB`);
    console.log(row(reference));
    for (const [where, steps] of [
      ['local', local],
      ['S3', s3],
    ] as const) {
      console.log(row({ ...steps.validate, step: `validate+split ${where}` }));
      console.log(row({ ...steps.collect, step: `collect ${where}` }));
      console.log(row({ ...steps.report, step: `report ${where}` }));
    }
    console.log(`S3: upload of the requests file ${upload.toFixed(1)} s (${(sizeMb / upload).toFixed(0)} MB/s)`);
    for (const [where, steps] of [
      ['local files', local],
      ['S3', s3],
    ] as const) {
      console.log(
        `emulator, ${where}: create (body streamed from storage) + stream all results of the first batch in ` +
          `${steps.roundTrip.toFixed(1)} s (create ${steps.create.toFixed(1)} s)`,
      );
    }
    console.log(`emulator peak RSS ${(emulatorPeak / 1e6).toFixed(0)} MB`);

    // One job's worth of requests sharing a cached prefix, on the emulator, with and without cache priming.
    printCachePriming(await cachePrimingFigures());

    printIdleWorker(await idleWorkerFigures());

    // How soon results land after a batch ends, and the history the wait writes: today's backoff and the new policy.
    printPolling(await pollingFigures());

    // The whole job end to end, worker and emulator in their own processes: 100,000 requests, and BENCH_REQUESTS.
    printEndToEnd(await endToEndFigures(REQUESTS > 100_000 ? [100_000, REQUESTS] : [REQUESTS]));

    // 1,000 jobs waiting on one worker: its CPU share and RSS over a minute.
    printManyJobs(await manyJobsFigures());
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
