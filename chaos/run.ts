// One chaos run, start to verdict: the servers and workers up, the jobs started together, the chaos applied while they
// run, every job awaited (within its bound), every line and batch checked, everything stopped.
import { writeFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode, DefaultLogger } from '@temporalio/worker';
import { BatchJobClient } from '../src/client';
import { startEmulator, type Emulator } from '../src/emulator';
import { freePort } from '../test/support/ports';
import { checkRun, passed } from './check';
import { awaitJob, startJobs, writeJobs } from './jobs';
import type { ChaosOptions } from './options';
import { seededRandom } from './random';
import type { ChaosReport } from './report';
import { createChaos } from './schedule';
import { startDevServer, type DevServer } from './temporal-server';
import { startWorkers, type WorkerPool } from './workers';

const API_KEY = 'chaos-run';

export async function runChaos(options: ChaosOptions): Promise<ChaosReport> {
  const startedAt = Date.now();
  const log = options.verbose
    ? (line: string) => console.error(`[chaos ${((Date.now() - startedAt) / 1000).toFixed(1).padStart(6)} s] ${line}`)
    : () => undefined;
  const random = seededRandom(options.seed);
  const dir = await mkdtemp(join(tmpdir(), 'claude-batch-chaos-'));
  let emulator: Emulator | undefined;
  let server: DevServer | undefined;
  let workers: WorkerPool | undefined;
  let connection: Connection | undefined;
  let report: ChaosReport | undefined;
  try {
    log(`seed ${options.seed}, folder ${dir}`);
    // Bundled once here: each worker process, replacements included, loads this file instead of running webpack.
    const bundle = await bundleWorkflowCode({
      workflowsPath: require.resolve('../src/workflows'),
      logger: new DefaultLogger('WARN'),
    });
    const bundlePath = join(dir, 'workflows-bundle.js');
    await writeFile(bundlePath, bundle.code);

    emulator = await startEmulator({ apiKey: API_KEY, scenario: { processingMs: options.batchProcessingMs } });
    server = await startDevServer({ dir, port: await freePort() });
    log(`Temporal dev server on ${server.address}, emulator on ${emulator.url}`);
    workers = await startWorkers(options.workers, {
      dir,
      log,
      env: {
        TEMPORAL_ADDRESS: server.address,
        TEMPORAL_NAMESPACE: 'default',
        ANTHROPIC_BASE_URL: emulator.url,
        ANTHROPIC_API_KEY: API_KEY,
        CHAOS_WORKFLOW_BUNDLE: bundlePath,
      },
    });
    log(`${options.workers} worker processes polling`);
    connection = await Connection.connect({ address: server.address });
    const client = new BatchJobClient(new Client({ connection }));
    const plans = await writeJobs(
      join(dir, 'jobs'),
      { jobs: options.jobs, requestsPerJob: options.requestsPerJob, runId: `${options.seed}-${startedAt}` },
      random,
    );

    let jobsEnded = false;
    const chaos = createChaos({
      options,
      random,
      emulator,
      server,
      workers,
      client: client.client,
      workflowIds: plans.map((p) => p.workflowId),
      round1Batches: plans.reduce((n, p) => n + p.round1Batches, 0),
      done: () => jobsEnded,
      log,
    });
    chaos.beforeStart();
    const jobsStartedAt = Date.now();
    await startJobs(client, plans);
    log(`${plans.length} jobs started (${plans.reduce((n, p) => n + p.prompts.size, 0)} requests)`);
    // A failed chaos action (the server not coming back) ends the wait at once: the jobs' bound is minutes away.
    let chaosError: Error | undefined;
    let abandon: () => void = () => undefined;
    const abandoned = new Promise<void>((resolve) => (abandon = resolve));
    const chaosRun = chaos.run().catch((err: unknown) => {
      chaosError = err instanceof Error ? err : new Error(String(err));
      log(`chaos action failed: ${String(err)}`);
      abandon();
    });
    let left = plans.length;
    const outcomes = await Promise.all(
      plans.map(async (plan) => {
        const outcome = await awaitJob(client, plan, jobsStartedAt, {
          deadline: jobsStartedAt + options.jobBoundMs,
          abandoned,
        });
        left -= 1;
        if (outcome.status !== 'COMPLETED' || left % 10 === 0) {
          log(`job ${plan.index} ${outcome.status}${outcome.error ? `: ${outcome.error}` : ''}; ${left} left`);
        }
        return outcome;
      }),
    );
    jobsEnded = true;
    await chaosRun;
    if (chaosError !== undefined) throw chaosError;
    const chaosLog = await chaos.settled();
    const verdict = await checkRun(outcomes, emulator);
    report = {
      options,
      verdict,
      chaos: chaosLog,
      unexpectedWorkerExits: workers.unexpectedExits(),
      jobMs: outcomes.flatMap((o) => (o.tookMs === undefined ? [] : [o.tookMs])),
      wallMs: 0,
      passed: passed(verdict),
    };
    return report;
  } finally {
    await connection?.close().catch(() => undefined);
    await workers?.stop().catch(() => undefined);
    await server?.stop().catch(() => undefined);
    await emulator?.close().catch(() => undefined);
    // A failed run keeps its logs and results for whoever looks into it.
    if (report?.passed && !options.keep) await rm(dir, { recursive: true, force: true });
    else if (report) report.dir = dir;
    else console.error(`chaos: the run stopped early; its logs are in ${dir}`);
    if (report) report.wallMs = Date.now() - startedAt;
  }
}
