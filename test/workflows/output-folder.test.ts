// What a finished job leaves behind: its results and summary, nothing a dying worker or the job's own work left.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { batchJob } from '../../src/workflows';
import { jobEnv, request, type JobEnv, withTimeSkippingServer } from '../support/job-env';

describe('the output folder of a finished job', () => {
  let env: TestWorkflowEnvironment;
  let job: JobEnv;
  withTimeSkippingServer(
    (started) => (env = started),
    () => job,
  );

  const run = (workflowId: string, input: { requests: string; output: string; keepWorkData?: boolean }) =>
    job.withWorker(async () => {
      const handle = await env.client.workflow.start(batchJob, {
        args: [{ ...input, chunk: { maxRequests: 2 } }],
        taskQueue: job.taskQueue,
        workflowId,
      });
      return handle.result();
    });

  it('holds only results.jsonl and summary.json, without the files of writes a killed worker interrupted', async () => {
    job = await jobEnv(env);
    const requests = await job.writeRequests('in.jsonl', [request('a', 'one'), request('b', 'two'), request('c', 'x')]);
    const output = join(job.dir, 'out');
    await mkdir(output, { recursive: true });
    // What a worker SIGKILLed while writing the report leaves (this layout and the one before it).
    await writeFile(join(output, 'results.jsonl.4242-0badc0de.partial'), '{"custom_id":"a"');
    await writeFile(join(output, 'summary.json.4242.7.partial'), '{');
    const { summary } = await run('debris', { requests, output });
    assert.equal(summary.outcomes.succeeded, 3);
    assert.deepEqual((await readdir(output)).sort(), ['results.jsonl', 'summary.json']);
  });

  it('keeps the chunks and raw outcomes when asked to', async () => {
    job = await jobEnv(env);
    const requests = await job.writeRequests('in.jsonl', [request('a', 'one'), request('b', 'two'), request('c', 'x')]);
    const output = join(job.dir, 'kept');
    await run('keep-work', { requests, output, keepWorkData: true });
    const [key, ...others] = await readdir(join(output, '.work'));
    assert.deepEqual(others, [], 'one job, one work folder');
    assert.deepEqual((await readdir(join(output, '.work', key!, 'round-1'))).sort(), [
      'chunk-0000.json',
      'chunk-0001.json',
      'outcomes-0000.jsonl',
      'outcomes-0001.jsonl',
    ]);
  });
});
