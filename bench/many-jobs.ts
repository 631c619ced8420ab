// 1,000 jobs waiting on one worker: small batches that never end, on the Temporal CLI's dev server (real time), with
// the worker in its own process. Once every job has sent its batch, prints the worker's CPU share and RSS over the
// next minute and the checks it made meanwhile. `npm run bench` runs it; `npx tsx bench/many-jobs.ts` alone
// (BENCH_JOBS, default 1,000).
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { DefaultLogger } from '@temporalio/worker';
import { buildWorkflowBundle } from '../src/workflow-bundle';
import { startEmulator } from '../src/emulator';
import { batchJob } from '../src/workflows';
import { request } from '../test/support/job-env';
import { startDevServer, uniqueTaskQueue } from '../test/support/temporal';
import type { WorkerSample } from './end-to-end-worker';

const MINUTE_MS = 60_000;

export interface ManyJobsFigures {
  jobs: number;
  /** From the first start to every job's batch created. */
  submittedSeconds: number;
  /** Worker CPU seconds over the minute, per second of it (1 = one core busy). */
  cpuShare: number;
  rssBeforeMb: number;
  rssAfterMb: number;
  /** Batch checks the worker made during the minute. */
  checks: number;
}

export async function manyJobsFigures(jobs = Number(process.env.BENCH_JOBS ?? 1_000)): Promise<ManyJobsFigures> {
  const dir = await mkdtemp(join(tmpdir(), 'claude-batch-many-'));
  const env = await startDevServer();
  const emulator = await startEmulator({ scenario: { neverEnds: true } });
  try {
    const { bundlePath } = await buildWorkflowBundle({
      bundlePath: join(dir, 'workflows.js'),
      logger: new DefaultLogger('WARN'),
    });
    const requests = join(dir, 'one.jsonl');
    await writeFile(requests, JSON.stringify(request('only', 'a small batch that never ends')) + '\n');
    const taskQueue = uniqueTaskQueue('many');
    const worker = fork(join(__dirname, 'end-to-end-worker.ts'), [env.address, taskQueue, emulator.url, bundlePath], {
      execArgv: ['--import', 'tsx'],
    });
    try {
      await once(worker, 'message');
      const sample = async (): Promise<WorkerSample> => {
        worker.send('sample');
        return ((await once(worker, 'message')) as [WorkerSample])[0];
      };
      const began = Date.now();
      for (let i = 0; i < jobs; i += 50) {
        await Promise.all(
          Array.from({ length: Math.min(50, jobs - i) }, (_, k) =>
            env.client.workflow.start(batchJob, {
              args: [{ requests, output: join(dir, `out-${i + k}`), maxRetryRounds: 0 }],
              taskQueue,
              workflowId: `bench-many-${i + k}`,
            }),
          ),
        );
      }
      while (emulator.record.batches().length < jobs) await sleep(200);
      const submittedSeconds = (Date.now() - began) / 1000;
      const before = await sample();
      const checksBefore = emulator.record.count('retrieve');
      await sleep(MINUTE_MS);
      const after = await sample();
      const figures: ManyJobsFigures = {
        jobs,
        submittedSeconds,
        cpuShare: (after.cpuSeconds - before.cpuSeconds) / (MINUTE_MS / 1000),
        rssBeforeMb: before.rssMb,
        rssAfterMb: after.rssMb,
        checks: emulator.record.count('retrieve') - checksBefore,
      };
      worker.send('stop');
      await once(worker, 'message');
      return figures;
    } finally {
      worker.kill();
    }
  } finally {
    await emulator.close();
    await env.teardown();
    await rm(dir, { recursive: true, force: true });
  }
}

export function printManyJobs(f: ManyJobsFigures): void {
  console.log(
    `\n${f.jobs} jobs waiting on one worker (dev server, batches that never end): all sent in ${f.submittedSeconds.toFixed(0)} s; ` +
      `over the next minute the worker used ${(f.cpuShare * 100).toFixed(1)}% of a core for ${f.checks} checks, ` +
      `RSS ${f.rssBeforeMb.toFixed(0)} → ${f.rssAfterMb.toFixed(0)} MB`,
  );
}

if (require.main === module) {
  manyJobsFigures()
    .then(printManyJobs)
    .catch((err: unknown) => {
      console.error(err);
      process.exit(1);
    });
}
