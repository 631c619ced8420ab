// Workers on many machines: three worker processes on one task queue, each with its own empty scratch folder and no
// shared disk (the input is uploaded to S3 first; they share only Temporal and the object store), run a job of several
// chunks and a retry round while one of them is SIGKILLed during a collect. Nothing is lost or paid for twice.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, DefaultLogger } from '@temporalio/worker';
import { batchJob } from '../../src/workflows';
import type { FinalResultLine } from '../../src/shared/job';
import { writeChunk } from '../../src/storage/local-storage';
import { startDevServer } from '../support/temporal';
import { jobEnv, type JobEnv } from '../support/job-env';
import { batchesByChunk, jobRequests, wrongAnswers } from '../support/answers';
import { eventually } from '../support/eventually';
import { projectRoot } from '../support/cli';
import { startTestObjectStore, type TestObjectStore } from '../support/object-store';

const REQUESTS = 30;
const CHUNK = 10;

interface WorkerProcess {
  child: ChildProcess;
  identity: string;
  scratch: string;
}

/** Settings a worker could inherit from this process and use instead of the test's servers. */
const FOREIGN_ENV = /^(TEMPORAL_|ANTHROPIC_|CLAUDE_BATCH_|AWS_)/;

describe('workers on many machines', () => {
  let env: TestWorkflowEnvironment;
  let store: TestObjectStore;
  let job: JobEnv;
  const workers: WorkerProcess[] = [];
  before(async () => {
    env = await startDevServer();
    store = await startTestObjectStore('fleet');
  });
  after(async () => {
    for (const w of workers) w.child.kill('SIGKILL');
    await job?.close();
    await store?.stop();
    await env?.teardown();
  });

  /** One worker process, as on a machine of its own: its own scratch folder, the data only in S3. */
  async function startWorker(bundlePath: string): Promise<WorkerProcess> {
    const scratch = await mkdtemp(join(tmpdir(), 'fleet-worker-'));
    const inherited = Object.fromEntries(Object.entries(process.env).filter(([k]) => !FOREIGN_ENV.test(k)));
    const child = spawn(process.execPath, ['--import', 'tsx', join(projectRoot, 'chaos', 'worker-process.ts')], {
      cwd: projectRoot,
      env: {
        ...inherited,
        ...store.env,
        CLAUDE_BATCH_SCRATCH_DIR: scratch,
        TEMPORAL_ADDRESS: env.address,
        CLAUDE_BATCH_TASK_QUEUE: job.taskQueue,
        ANTHROPIC_BASE_URL: job.emulator.url,
        ANTHROPIC_API_KEY: 'test-key',
        CHAOS_WORKFLOW_BUNDLE: bundlePath,
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    await new Promise<void>((ready, failed) => {
      let out = '';
      child.stdout?.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('polling')) ready();
      });
      child.once('exit', (code) => failed(new Error(`worker exited (${code}) before polling`)));
    });
    const worker = { child, identity: `${child.pid}@${hostname()}`, scratch };
    workers.push(worker);
    return worker;
  }

  it('completes a job of several chunks and a retry round on three workers sharing only Temporal and S3, one killed during a collect', async () => {
    job = await jobEnv(env, {
      followTemporalTime: false,
      // A slow results stream, so a collect is under way long enough to kill its worker in the middle of it.
      emulator: { scenario: { processingMs: 500, resultsDelayMsPerLine: 300 } },
    });
    // Two requests fail once as overloaded: a retry round.
    for (const i of [3, 17]) {
      job.emulator.control.addRule({
        match: { text: new RegExp(`question ${i} of its own`) },
        outcome: 'errored',
        errorType: 'overloaded_error',
        times: 1,
      });
    }
    const requests = store.uri('inputs/questions.jsonl');
    await store.storage.write(requests, (sink) =>
      writeChunk(
        sink,
        jobRequests(0, REQUESTS)
          .map((r) => JSON.stringify(r) + '\n')
          .join(''),
      ),
    );
    const bundleDir = await mkdtemp(join(tmpdir(), 'fleet-bundle-'));
    const bundlePath = join(bundleDir, 'workflows-bundle.js');
    const bundle = await bundleWorkflowCode({
      workflowsPath: require.resolve('../../src/workflows'),
      logger: new DefaultLogger('WARN'),
    });
    await writeFile(bundlePath, bundle.code);
    const started = await Promise.all([0, 1, 2].map(() => startWorker(bundlePath)));

    const handle = await env.client.workflow.start(batchJob, {
      args: [
        {
          requests,
          output: store.uri('results/questions'),
          chunk: { maxRequests: CHUNK },
          polling: { initialInterval: 300, maxInterval: 1000 },
        },
      ],
      taskQueue: job.taskQueue,
      workflowId: 'fleet-job',
    });

    // The worker running a collect, caught in the middle of it.
    const collecting = await eventually(
      async () => {
        const description = await handle.describe();
        const collect = description.raw.pendingActivities?.find(
          (a) => a.activityType?.name === 'collectBatch' && a.lastWorkerIdentity && a.lastStartedTime,
        );
        return collect ? collect.lastWorkerIdentity! : undefined;
      },
      'a collect under way',
      120_000,
    );
    const doomed = started.find((w) => w.identity === collecting);
    assert.ok(doomed, `the collect runs on one of our workers (${collecting})`);
    doomed.child.kill('SIGKILL');

    const result = await handle.result();

    let text = '';
    for await (const part of store.storage.read(result.resultsPath)) text += (part as Buffer).toString('utf8');
    const results = text
      .split('\n')
      .filter((l) => l.length > 0)
      .map((l) => JSON.parse(l) as FinalResultLine);
    assert.deepEqual(wrongAnswers(0, REQUESTS, results), { wrong: [], lost: [], repeated: [] }, 'one line per input');
    assert.equal(result.summary.outcomes.succeeded, REQUESTS);
    assert.deepEqual(
      results.filter((r) => r.round === 2).map((r) => r.custom_id),
      ['r-3', 'r-17'],
    );

    const byChunk = await batchesByChunk(job.emulator);
    assert.deepEqual(
      [...byChunk].filter(([, ids]) => ids.length > 1),
      [],
      'no chunk was paid for twice',
    );
    assert.equal(byChunk.size, REQUESTS / CHUNK + 1, 'one batch per chunk and round: three, and one retry');

    const identities = new Set<string>();
    for (const event of (await handle.fetchHistory()).events ?? []) {
      const identity = event.activityTaskStartedEventAttributes?.identity;
      if (identity) identities.add(identity);
    }
    assert.ok(identities.size >= 2, `activities ran on more than one worker: ${[...identities].join(', ')}`);
    for (const identity of identities) {
      assert.ok(
        started.some((w) => w.identity === identity),
        `${identity} is one of the three workers`,
      );
    }
    for (const w of started) {
      assert.deepEqual(await readdir(w.scratch), [], `worker ${w.identity} left nothing in its scratch folder`);
    }
  });
});
