// Any Temporal SDK can run a job: the Python example (examples/python, on the `temporalio` package that scripts/setup
// installs) starts a job on the dev server, queries its progress, signals checkNow and awaits the result, served by
// our worker and the emulator.
import { after, afterEach, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { startDevServer } from '../support/temporal';
import { jobEnv, request, type JobEnv } from '../support/job-env';
import { projectRoot, runCommand } from '../support/cli';

const python = join(projectRoot, '.tools', 'python', 'bin', 'python');
const example = join(projectRoot, 'examples', 'python', 'run_batch_job.py');
const pinned = /^TEMPORALIO_PYTHON_VERSION=(.+)$/m.exec(
  readFileSync(join(projectRoot, 'tools', 'versions.env'), 'utf8'),
)?.[1];

describe('the Python service example', () => {
  let env: TestWorkflowEnvironment;
  let job: JobEnv;
  before(async () => {
    if (!existsSync(python)) throw new Error(`${python} is missing: run \`npm run setup\``);
    const version = await runCommand(python, ['-c', 'import importlib.metadata as m; print(m.version("temporalio"))']);
    assert.equal(version.stdout.trim(), pinned, 'the pinned temporalio package: run `npm run setup`');
    env = await startDevServer();
  });
  after(async () => {
    await env?.teardown();
  });
  afterEach(async () => {
    await job?.close();
  });

  it('starts a job, follows its progress, checks now instead of in an hour, and gets the result', async () => {
    // The batch ends at its first check: the job ends only if checkNow cuts its hour-long first wait short.
    job = await jobEnv(env, {
      followTemporalTime: false,
      emulator: { scenario: { neverEnds: true, endAfterRetrieves: 1 } },
    });
    const requests = await job.writeRequests('in.jsonl', [
      request('a', 'first'),
      request('b', 'second [emulator:errored=invalid_request_error]'),
      request('c', 'third'),
    ]);
    const run = await job.withWorker(() =>
      runCommand(
        python,
        [example, requests, '--workflow-id', 'from-python', '--task-queue', job.taskQueue, '--first-wait', '1 hour'],
        { env: { TEMPORAL_ADDRESS: env.address, TEMPORAL_NAMESPACE: 'default' }, timeoutMs: 120_000 },
      ),
    );
    assert.equal(run.code, 0, run.stderr);
    const lines = run.stdout.trim().split('\n');
    assert.equal(lines[0], 'started from-python');
    assert.ok(lines.includes('progress: waiting, round 1, 0 of 3 final'), run.stdout);
    assert.ok(lines.includes('sent checkNow'), run.stdout);
    const report = JSON.parse(lines.at(-1)!) as { resultsPath: string; outcomes: Record<string, number> };
    assert.deepEqual(
      [report.outcomes.succeeded, report.outcomes.errored, report.outcomes.expired, report.outcomes.canceled],
      [2, 1, 0, 0],
    );
    const results = await job.readResults(join(report.resultsPath, '..'));
    assert.deepEqual(
      results.map((r) => [r.custom_id, r.outcome]),
      [
        ['a', 'succeeded'],
        ['b', 'errored'],
        ['c', 'succeeded'],
      ],
    );
  });
});
