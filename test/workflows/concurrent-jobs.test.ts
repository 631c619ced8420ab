// Jobs started together never take each other's batches: on the Temporal CLI's dev server (whose run ids are
// time-ordered, the condition the defect needed), several jobs of one size start in one Promise.all while creates
// lose their answers or a worker process is killed mid-wave, and each job must answer its own requests.
import { after, afterEach, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { batchJob } from '../../src/workflows';
import type { BatchJobInput, BatchJobResult } from '../../src/shared/job';
import { startDevServer } from '../support/temporal';
import { jobEnv, type JobEnv } from '../support/job-env';
import { batchesByChunk, jobRequests, wrongAnswers } from '../support/answers';
import { eventually } from '../support/eventually';
import { projectRoot } from '../support/cli';

const JOBS = 10;
const REQUESTS = 12;
const fastPolling = { initialInterval: 300, maxInterval: 1000 };

describe('concurrent jobs', () => {
  let env: TestWorkflowEnvironment;
  let job: JobEnv;
  before(async () => {
    env = await startDevServer();
  });
  after(async () => {
    await env?.teardown();
  });
  afterEach(async () => {
    await job?.close();
  });

  /** Starts every job in one Promise.all (as close together as a client can) and waits for them all. */
  async function runTogether(tag: string, input: Omit<BatchJobInput, 'requests'>): Promise<BatchJobResult[]> {
    const files = await Promise.all(
      Array.from({ length: JOBS }, (_, j) => job.writeRequests(`${tag}-${j}.jsonl`, jobRequests(j, REQUESTS))),
    );
    const handles = await Promise.all(
      files.map((requests, j) =>
        env.client.workflow.start(batchJob, {
          args: [{ requests, ...input }],
          taskQueue: job.taskQueue,
          workflowId: `${tag}-${j}`,
        }),
      ),
    );
    return Promise.all(handles.map((h) => h.result()));
  }

  /** Each job answered with its own replies, nothing lost or repeated, one batch per chunk and round, none shared. */
  async function assertEachJobGotItsOwnAnswers(results: BatchJobResult[], chunksPerJob: number): Promise<void> {
    for (const [j, result] of results.entries()) {
      const lines = await job.readResults(result.summary.options.output);
      const { wrong, lost, repeated } = wrongAnswers(j, REQUESTS, lines);
      assert.deepEqual({ wrong, lost, repeated }, { wrong: [], lost: [], repeated: [] }, `job ${j}'s results`);
      assert.equal(result.summary.outcomes.succeeded, REQUESTS);
    }
    const byChunk = await batchesByChunk(job.emulator);
    const twice = [...byChunk].filter(([, ids]) => ids.length > 1);
    assert.deepEqual(twice, [], 'no chunk of any job was paid for twice');
    assert.equal(byChunk.size, JOBS * chunksPerJob, 'one batch per job and chunk');
    const used = results.flatMap((r) => r.summary.batches.map((b) => b.batchId));
    assert.equal(new Set(used).size, used.length, 'no batch reported by two jobs');
    assert.equal(used.length, JOBS * chunksPerJob);
  }

  it('answers each job from its own batch when jobs of one size start together and creates lose their answers', async () => {
    job = await jobEnv(env, { followTemporalTime: false });
    job.emulator.control.injectFaults({ kind: 'drop-after-create', count: JOBS });
    const worker = await job.newWorker();
    const results = await worker.runUntil(runTogether('dropped', { polling: fastPolling }));
    assert.equal(job.emulator.record.batches().length, JOBS);
    await assertEachJobGotItsOwnAnswers(results, 1);
  });

  it('answers each job from its own batches when a worker process is killed during a wave of creates', async () => {
    job = await jobEnv(env, { followTemporalTime: false });
    // Creates are held a moment at the API, so the kill lands while several are in flight.
    job.emulator.control.injectFaults({ kind: 'stall', endpoint: 'create', ms: 400, count: 3 * JOBS });
    const workers: ChildProcess[] = [];
    const startWorker = () => {
      const child = spawn(process.execPath, ['--import', 'tsx', join(projectRoot, 'src', 'worker.ts')], {
        cwd: projectRoot,
        env: {
          ...process.env,
          TEMPORAL_ADDRESS: env.address,
          CLAUDE_BATCH_TASK_QUEUE: job.taskQueue,
          ANTHROPIC_BASE_URL: job.emulator.url,
          ANTHROPIC_API_KEY: 'test-key',
        },
        stdio: 'ignore',
      });
      workers.push(child);
      return child;
    };
    try {
      const doomed = startWorker();
      startWorker();
      const finished = runTogether('killed', { polling: fastPolling, chunk: { maxRequests: REQUESTS / 3 } });
      await eventually(
        () => Promise.resolve(job.emulator.record.count('create') >= JOBS ? true : undefined),
        'a wave of creates under way',
        120_000,
      );
      doomed.kill('SIGKILL');
      startWorker();
      const results = await finished;
      await assertEachJobGotItsOwnAnswers(results, 3);
    } finally {
      for (const w of workers) w.kill('SIGKILL');
    }
  });
});
