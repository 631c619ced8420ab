// A whole job end to end (validate, split, submit, wait, collect, report) through the emulator and a worker, each in
// its own process, on the time-skipping server: wall time, the worker's CPU time and peak RSS, the emulator's peak
// RSS. `npm run bench` runs it at 100,000 requests, and at BENCH_REQUESTS too when larger (1,000,000 is about
// 2.1 GB in 10 chunks: check the free space of the temporary folder first).
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import { DefaultLogger } from '@temporalio/worker';
import { buildWorkflowBundle } from '../src/workflow-bundle';
import { writeChunk } from '../src/storage/local-storage';
import { batchJob } from '../src/workflows';
import { request } from '../test/support/job-env';
import { startTimeSkippingServer, uniqueTaskQueue } from '../test/support/temporal';
import type { WorkerFigures } from './end-to-end-worker';
import { peakRssOf } from './peak-rss';

const filler = 'lorem ipsum dolor sit amet consectetur adipiscing elit '.repeat(36); // ~2 KB a request

export interface EndToEndFigures {
  requests: number;
  megabytes: number;
  chunks: number;
  wallSeconds: number;
  worker: WorkerFigures;
  emulatorPeakRssMb: number;
}

/** Writes `n` requests of about 2 KB each. */
export async function writeRequests(file: string, n: number): Promise<void> {
  const out = createWriteStream(file);
  for (let i = 0; i < n; i++) await writeChunk(out, JSON.stringify(request(`doc-${i}`, `${i} ${filler}`)) + '\n');
  out.end();
  await finished(out);
}

/** The emulator as `npm run emulator` runs it, processing requests as fast as it can. */
async function startEmulatorProcess(): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(__dirname, '..', 'src', 'emulator', 'main.ts'), '--port', '0', '--quiet', '--rate', '1e9'],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let seen = '';
  const url = await new Promise<string | undefined>((resolve) => {
    // Read to the end (the emulator logs its shutdown too), the URL from its first lines.
    child.stdout.on('data', (data) => {
      seen += String(data);
      const found = /on (http:\/\/\S+)/.exec(seen)?.[1];
      if (found) resolve(found);
    });
    child.once('exit', () => resolve(undefined));
  });
  if (url) return { url, child };
  throw new Error(`the emulator did not start: ${seen}`);
}

export async function endToEndFigures(sizes: number[]): Promise<EndToEndFigures[]> {
  const dir = await mkdtemp(join(tmpdir(), 'claude-batch-e2e-'));
  const env = await startTimeSkippingServer();
  try {
    const { bundlePath } = await buildWorkflowBundle({
      bundlePath: join(dir, 'workflows.js'),
      logger: new DefaultLogger('WARN'),
    });
    const figures: EndToEndFigures[] = [];
    for (const n of sizes) {
      const file = join(dir, `requests-${n}.jsonl`);
      await writeRequests(file, n);
      const megabytes = (await stat(file)).size / 1e6;
      const emulator = await startEmulatorProcess();
      const taskQueue = uniqueTaskQueue('e2e');
      const worker = fork(join(__dirname, 'end-to-end-worker.ts'), [env.address, taskQueue, emulator.url, bundlePath], {
        execArgv: ['--import', 'tsx'],
      });
      try {
        await once(worker, 'message');
        const began = Date.now();
        const result = await env.client.workflow.execute(batchJob, {
          args: [{ requests: file, output: join(dir, `out-${n}`), maxRetryRounds: 0 }],
          taskQueue,
          workflowId: `bench-e2e-${n}`,
        });
        const wallSeconds = (Date.now() - began) / 1000;
        if (result.summary.outcomes.succeeded !== n)
          throw new Error(`${n} requests: ${JSON.stringify(result.summary.outcomes)}`);
        const emulatorPeakRssMb = peakRssOf(emulator.child.pid!) / 1e6;
        worker.send('stop');
        const [workerFigures] = (await once(worker, 'message')) as [WorkerFigures];
        figures.push({
          requests: n,
          megabytes,
          chunks: result.summary.batches.length,
          wallSeconds,
          worker: workerFigures,
          emulatorPeakRssMb,
        });
      } finally {
        worker.kill();
        emulator.child.kill();
        await once(emulator.child, 'exit');
        await rm(join(dir, `out-${n}`), { recursive: true, force: true });
        await rm(file, { force: true });
      }
    }
    return figures;
  } finally {
    await env.teardown();
    await rm(dir, { recursive: true, force: true });
  }
}

export function printEndToEnd(figures: EndToEndFigures[]): void {
  console.log('\nwhole job end to end (emulator and worker in their own processes, time-skipping server):');
  for (const f of figures) {
    console.log(
      `${String(f.requests).padStart(9)} requests ${f.megabytes.toFixed(0).padStart(5)} MB ${String(f.chunks).padStart(3)} chunks: ` +
        `wall ${f.wallSeconds.toFixed(1).padStart(6)} s, worker CPU ${f.worker.cpuSeconds.toFixed(1).padStart(6)} s, ` +
        `worker peak RSS ${f.worker.peakRssMb.toFixed(0).padStart(5)} MB, emulator peak RSS ${f.emulatorPeakRssMb.toFixed(0).padStart(5)} MB`,
    );
  }
}

if (require.main === module) {
  const sizes = (process.env.BENCH_E2E ?? '100000').split(',').map(Number);
  endToEndFigures(sizes)
    .then(printEndToEnd)
    .catch((err: unknown) => {
      console.error(err);
      process.exit(1);
    });
}
