// How our CLI tells a job's end, run as a user runs it (bin/claude-batch) against the Temporal CLI's dev server, a
// worker and the emulator: the outcome and its cause, the results a canceled job kept, a job still running, and the
// exit codes of the policy (0 all succeeded, 1 failed, 3 finished with failed requests, 4 still running).
import { after, afterEach, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { BatchJobClient } from '../../src/client';
import type { BatchJobInput, JobProgress } from '../../src/shared/job';
import { claudeBatch, projectRoot } from '../support/cli';
import { jobEnv, request, type JobEnv } from '../support/job-env';
import { untilPhase } from '../support/eventually';
import { startDevServer } from '../support/temporal';

const fast = { initialInterval: '300ms', maxInterval: '1s' };

describe('the CLI tells how a job ended', () => {
  let env: TestWorkflowEnvironment;
  let job: JobEnv;
  let worker: Worker;
  let running: Promise<void>;
  let jobs: BatchJobClient;
  let cliEnv: NodeJS.ProcessEnv;
  const cli = (args: string[], timeoutMs = 60_000) => claudeBatch(args, cliEnv, timeoutMs);

  before(async () => {
    env = await startDevServer();
    job = await jobEnv(env, { followTemporalTime: false });
    worker = await job.newWorker();
    running = worker.run();
    jobs = new BatchJobClient(env.client, job.taskQueue);
    cliEnv = {
      TEMPORAL_ADDRESS: env.address,
      CLAUDE_BATCH_TASK_QUEUE: job.taskQueue,
      CLAUDE_BATCH_SEARCH_ATTRIBUTES: '0',
    };
  });
  after(async () => {
    worker?.shutdown();
    await running;
    await job?.close();
    await env?.teardown();
  });
  afterEach(() => {
    job.emulator.control.setScenario({});
    job.emulator.control.clearFaults();
  });

  const startJob = async (workflowId: string, lines: (object | string)[], input: Partial<BatchJobInput> = {}) => {
    const requests = await job.writeRequests(`${workflowId}.jsonl`, lines);
    const output = join(job.dir, workflowId);
    await jobs.startBatchJob({ requests, output, polling: fast, ...input }, { workflowId });
    return { requests, output };
  };

  it('watch, results and status of a job whose file has a bad line say FAILED, name the line, exit 1', async () => {
    await startJob('bad-line', [request('a', 'fine'), 'not json']);
    const watched = await cli(['watch', 'bad-line']);
    assert.equal(watched.code, 1, watched.stderr);
    assert.match(watched.stderr, /job bad-line FAILED: [\s\S]*line 2: not valid JSON/);
    assert.match(watched.stderr, /claude-batch validate/, 'says what to do next');
    assert.doesNotMatch(watched.stderr, /Activity task failed|at .*\.ts:\d+/);

    const results = await cli(['results', 'bad-line']);
    assert.equal(results.code, 1);
    assert.match(results.stderr, /FAILED: [\s\S]*line 2/);

    const status = await cli(['--json', 'status', 'bad-line']);
    assert.equal(status.code, 1);
    const doc = JSON.parse(status.stdout) as { status: string; outcome: string; failure: { message: string } };
    assert.equal(doc.status, 'FAILED', "the workflow's own status");
    assert.equal(doc.outcome, 'FAILED');
    assert.match(doc.failure.message, /line 2: not valid JSON/);
  });

  it("watch of a job the API refuses shows the API's error, not the activity's wrapper, and exits 1", async () => {
    job.emulator.control.injectFaults({ status: 401, count: 1, endpoint: 'create' });
    await startJob('refused', [request('a', 'hello')]);
    const watched = await cli(['watch', 'refused']);
    assert.equal(watched.code, 1, watched.stderr);
    assert.match(watched.stderr, /job refused FAILED: .*401/);
    assert.match(watched.stderr, /ANTHROPIC_API_KEY/);
    assert.doesNotMatch(watched.stderr, /Activity task failed/);
  });

  it('a job that finished with failed requests prints its summary and exits 3', async () => {
    job.emulator.control.setScenario({ erroredFraction: 1, errorType: 'invalid_request_error' });
    await startJob('with-errors', [request('a', 'one'), request('b', 'two')]);
    const watched = await cli(['watch', 'with-errors']);
    assert.equal(watched.code, 3, watched.stderr);
    assert.match(watched.stdout, /outcome\s+COMPLETED with errors/);
    assert.match(watched.stdout, /errored\s+2/);
    assert.match(watched.stderr, /2 of 2 requests did not succeed/);
    const results = await cli(['results', 'with-errors']);
    assert.equal(results.code, 3);
    assert.equal(results.stdout.trim().split('\n').length, 2, 'the results are printed all the same');
  });

  it('results of a running job says it is still running (phase, round) and exits 4; --wait waits', async () => {
    job.emulator.control.setScenario({ processingMs: 8_000 });
    await startJob('still-running', [request('a', 'slow')]);
    await untilPhase(jobs.handle('still-running'), 'waiting');
    const now = await cli(['results', 'still-running']);
    assert.equal(now.code, 4, now.stderr);
    assert.match(now.stderr, /job still-running is still running \(waiting, round 1 of 4/);
    assert.match(now.stderr, /--wait/);
    assert.equal(now.stdout, '');
    const waited = await cli(['results', 'still-running', '--wait']);
    assert.equal(waited.code, 0, waited.stderr);
    assert.equal(waited.stdout.trim().split('\n').length, 1);
  });

  it('results and watch of a canceled job give the results it kept and its summary, exit 3', async () => {
    job.emulator.control.setScenario({ processingMs: 60 * 60 * 1000 });
    await startJob('canceled', [request('a', 'x'), request('b', 'y')]);
    await untilPhase(jobs.handle('canceled'), 'waiting');
    await jobs.cancel('canceled');
    const watched = await cli(['watch', 'canceled']);
    assert.equal(watched.code, 3, watched.stderr);
    assert.match(watched.stdout, /outcome\s+CANCELED/);
    assert.match(watched.stdout, /canceled\s+2/);
    assert.match(watched.stderr, /job canceled was CANCELED/);
    assert.doesNotMatch(watched.stderr, /Workflow canceled/);
    const results = await cli(['results', 'canceled']);
    assert.equal(results.code, 3, results.stderr);
    const lines = results.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { outcome: string });
    assert.deepEqual(
      lines.map((l) => l.outcome),
      ['canceled', 'canceled'],
    );
  });

  it('run --cancel-on-interrupt: Ctrl-C cancels, then the summary of what was kept, exit 3', async () => {
    job.emulator.control.setScenario({ processingMs: 60 * 60 * 1000 });
    const requests = await job.writeRequests('interrupted.jsonl', [request('a', 'x')]);
    const child = spawn(
      process.execPath,
      [
        join(projectRoot, 'bin', 'claude-batch'),
        'run',
        requests,
        '--id',
        'interrupted',
        '--cancel-on-interrupt',
        '--poll-interval',
        '1s',
        '--output',
        join(job.dir, 'interrupted'),
      ],
      { cwd: projectRoot, env: { ...process.env, ...cliEnv }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    try {
      await untilPhase(jobs.handle('interrupted'), 'waiting');
      child.kill('SIGINT');
      const code = await Promise.race([exited, new Promise<string>((r) => setTimeout(() => r('hung'), 60_000))]);
      assert.equal(code, 3, stderr);
      assert.match(stdout, /outcome\s+CANCELED/);
      assert.match(stdout, /canceled\s+1/);
      assert.doesNotMatch(stderr, /Workflow canceled/);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });

  it('cancel of a job that has ended says so and how it ended, exit 2', async () => {
    await startJob('ended', ['not json']);
    await assert.rejects(jobs.result('ended'));
    const canceled = await cli(['cancel', 'ended']);
    assert.equal(canceled.code, 2, canceled.stderr);
    assert.match(canceled.stderr, /job ended has already ended \(FAILED\), so there is nothing to cancel/);
  });

  it('status of a running job prints its progress and exits 0', async () => {
    job.emulator.control.setScenario({ processingMs: 60 * 60 * 1000 });
    await startJob('status-running', [request('a', 'x')]);
    await untilPhase(jobs.handle('status-running'), 'waiting');
    const status = await cli(['--json', 'status', 'status-running']);
    assert.equal(status.code, 0, status.stderr);
    const doc = JSON.parse(status.stdout) as JobProgress & { status: string };
    assert.equal(doc.status, 'RUNNING');
    assert.equal(doc.phase, 'waiting');
    await jobs.cancel('status-running');
  });
});
