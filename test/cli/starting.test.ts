// Starting a job with our CLI on a server as a user finds it: the Temporal CLI's dev server started without our search
// attributes, a task queue nobody polls, an id already in use, connection flags instead of the environment.
import { after, afterEach, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { BatchJobClient } from '../../src/client';
import { claudeBatch } from '../support/cli';
import { jobEnv, request, type JobEnv } from '../support/job-env';
import { untilPhase } from '../support/eventually';
import { startDevServer } from '../support/temporal';

describe('starting a job with the CLI', () => {
  let env: TestWorkflowEnvironment;
  let job: JobEnv;
  let worker: Worker;
  let running: Promise<void>;
  let jobs: BatchJobClient;
  let requests: string;
  /** The address as flags: no TEMPORAL_* variable is set for these runs. */
  let at: string[];
  const fast = ['--poll-interval', '300ms'];
  const noTemporalEnv = { TEMPORAL_ADDRESS: '', TEMPORAL_UI_URL: '', TEMPORAL_NAMESPACE: '' };

  before(async () => {
    env = await startDevServer(); // without the ClaudeBatch* search attributes
    job = await jobEnv(env, { followTemporalTime: false });
    worker = await job.newWorker();
    running = worker.run();
    jobs = new BatchJobClient(env.client, job.taskQueue);
    requests = await job.writeRequests('in.jsonl', [request('a', 'hello'), request('b', 'world')]);
    at = ['--address', env.address, '--namespace', 'default'];
  });
  after(async () => {
    worker?.shutdown();
    await running;
    await job?.close();
    await env?.teardown();
  });
  afterEach(() => job.emulator.control.setScenario({}));

  const cli = (args: string[], extraEnv: NodeJS.ProcessEnv = {}) =>
    claudeBatch(args, { ...noTemporalEnv, CLAUDE_BATCH_TASK_QUEUE: job.taskQueue, ...extraEnv }, 60_000);

  it('starts on a server without the search attributes, saying so once, and the job runs', async () => {
    const started = await cli(['start', requests, '--id', 'no-attributes', ...at, ...fast]);
    assert.equal(started.code, 0, started.stderr);
    assert.equal(started.stderr.match(/search attributes/g)?.length, 1, started.stderr);
    assert.match(started.stderr, /has no ClaudeBatchPhase, .* search attributes, so the job starts without them/);
    const result = await jobs.result('no-attributes');
    assert.equal(result.summary.outcomes.succeeded, 2);
  });

  it('takes --address and --ui-url as flags: the Web UI link uses the URL given', async () => {
    const started = await cli([
      '--json',
      'start',
      requests,
      '--id',
      'flags',
      ...at,
      ...fast,
      '--ui-url',
      'http://ui.test:9999',
    ]);
    assert.equal(started.code, 0, started.stderr);
    const doc = JSON.parse(started.stdout) as { workflowId: string; webUi: string };
    assert.equal(doc.webUi, 'http://ui.test:9999/namespaces/default/workflows/flags');
    await jobs.result('flags');
  });

  it('without a UI URL, links to the Web UI next to the address (its gRPC port plus 1000)', async () => {
    const port = Number(env.address.split(':').pop());
    const started = await cli(['--json', 'start', requests, '--id', 'ui-next-door', ...at, ...fast]);
    assert.equal(started.code, 0, started.stderr);
    const doc = JSON.parse(started.stdout) as { webUi: string };
    assert.match(doc.webUi, new RegExp(`^http://[^/]+:${port + 1000}/namespaces/default/workflows/ui-next-door$`));
    await jobs.result('ui-next-door');
  });

  it('warns when no worker polls the task queue and says how to start one', async () => {
    const started = await cli(['start', requests, '--id', 'no-worker', ...at, ...fast], {
      CLAUDE_BATCH_TASK_QUEUE: 'nobody-polls-this',
    });
    assert.equal(started.code, 0, started.stderr);
    assert.match(started.stderr, /no worker polls task queue nobody-polls-this on .*, so the job waits/);
    assert.match(started.stderr, /claude-batch worker --address/);
    // Watching it says the same at once, rather than waiting in silence.
    const watched = await claudeBatch(['watch', 'no-worker', ...at], noTemporalEnv, 10_000);
    assert.match(watched.stderr, /no worker polls task queue nobody-polls-this/);
    await jobs.handle('no-worker').terminate('test over');
  });

  it('a worker on the queue: no warning', async () => {
    const started = await cli(['start', requests, '--id', 'with-worker', ...at, ...fast]);
    assert.equal(started.code, 0, started.stderr);
    assert.doesNotMatch(started.stderr, /no worker polls/);
    await jobs.result('with-worker');
  });

  it('starting a running id again says which job it attached to, and starts no second one', async () => {
    job.emulator.control.setScenario({ processingMs: 60 * 60 * 1000 });
    const first = await cli(['start', requests, '--id', 'twice', ...at, ...fast]);
    assert.equal(first.code, 0, first.stderr);
    await untilPhase(jobs.handle('twice'), 'waiting');
    const { runId } = await jobs.handle('twice').describe();
    const second = await cli(['start', requests, '--id', 'twice', ...at, ...fast]);
    assert.equal(second.code, 0, second.stderr);
    assert.match(second.stderr, new RegExp(`twice was already running \\(started .*, run ${runId}\\): attached`));
    assert.equal((await jobs.handle('twice').describe()).runId, runId);
    await jobs.cancel('twice');
  });

  it('starting a completed id again is refused with exit 2, saying why and what to do', async () => {
    const again = await cli(['start', requests, '--id', 'with-worker', ...at, ...fast]);
    assert.equal(again.code, 2, again.stderr);
    assert.match(again.stderr, /job with-worker has already run to its end.*--name/);
  });

  it('--name gives a new id each run, so a nightly job runs every night', async () => {
    const ids: string[] = [];
    for (let night = 0; night < 2; night++) {
      const started = await cli(['--json', 'start', requests, '--name', 'nightly', ...at, ...fast]);
      assert.equal(started.code, 0, started.stderr);
      const { workflowId } = JSON.parse(started.stdout) as { workflowId: string };
      assert.match(workflowId, /^batch-nightly-\d{8}T\d{6}\.\d{3}Z$/);
      ids.push(workflowId);
      assert.equal((await jobs.result(workflowId)).summary.outcomes.succeeded, 2);
    }
    assert.notEqual(ids[0], ids[1]);
  });

  it('list shows a header, and each job with its name, outcome, requests and cost', async () => {
    const list = await cli(['list', ...at]);
    assert.equal(list.code, 0, list.stderr);
    const [header, ...rows] = list.stdout.trim().split('\n');
    assert.match(header!, /^ID\s+NAME\s+OUTCOME\s+REQUESTS\s+COST\s+STARTED$/);
    const flags = rows.find((r) => r.startsWith('flags '));
    assert.match(flags ?? '', /^flags\s+in\.jsonl\s+COMPLETED\s+2\s+\$\d/);
    assert.ok(
      rows.some((r) => /^no-worker\s+.*TERMINATED/.test(r)),
      list.stdout,
    );
  });
});
