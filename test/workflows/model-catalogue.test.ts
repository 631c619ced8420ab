// The worker prices a job's results with the user's catalogue file (CLAUDE_BATCH_MODELS) over ours: negotiated prices
// reach the summary, and the workflow itself only adds up what the activities priced.
import { after, afterEach, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { MODELS_ENV } from '../../src/models/load-catalogue';
import type { BatchJobInput, JobSummary } from '../../src/shared/job';
import { batchJob } from '../../src/workflows';
import { jobEnv, request, type JobEnv } from '../support/job-env';
import { startTimeSkippingServer } from '../support/temporal';

describe('a job priced with a user catalogue', () => {
  let env: TestWorkflowEnvironment;
  let job: JobEnv;
  const before_ = process.env[MODELS_ENV];
  before(async () => {
    env = await startTimeSkippingServer();
  });
  after(async () => {
    await env?.teardown();
    if (before_ === undefined) delete process.env[MODELS_ENV];
    else process.env[MODELS_ENV] = before_;
  });
  afterEach(async () => {
    await job?.close();
  });

  const run = (id: string, input: BatchJobInput): Promise<JobSummary> =>
    job.withWorker(async () => {
      const handle = await env.client.workflow.start(batchJob, {
        args: [input],
        taskQueue: job.taskQueue,
        workflowId: id,
      });
      return (await handle.result()).summary;
    });

  it('uses the negotiated price of CLAUDE_BATCH_MODELS for the summary’s cost', async () => {
    job = await jobEnv(env);
    const lines = [request('a', 'Summarize: the sky is blue.'), request('b', 'Summarize: grass is green.')];
    const listed = await run('listed-prices', {
      requests: await job.writeRequests('in.jsonl', lines),
      output: join(job.dir, 'listed'),
    });
    // Ten times the list price of claude-sonnet-4-5 ($3 / $15): named by its alias, it covers the dated id the API
    // answers with too.
    const catalogue = join(job.dir, 'models.json');
    await writeFile(
      catalogue,
      JSON.stringify({ models: [{ id: 'claude-sonnet-4-5', pricesPerMTok: { input: 30, output: 150 } }] }),
    );
    process.env[MODELS_ENV] = catalogue;
    const negotiated = await run('negotiated-prices', {
      requests: await job.writeRequests('in2.jsonl', lines),
      output: join(job.dir, 'negotiated'),
    });
    delete process.env[MODELS_ENV];

    assert.deepEqual(negotiated.tokens, listed.tokens, 'the same work');
    assert.ok(listed.cost.standardUsd > 0);
    assert.deepEqual(negotiated.cost.unpricedModels, []);
    const expected = (negotiated.tokens.input * 30 + negotiated.tokens.output * 150) / 1_000_000;
    assert.ok(Math.abs(negotiated.cost.standardUsd - expected) < 1e-12, `${negotiated.cost.standardUsd} ≠ ${expected}`);
    assert.ok(Math.abs(negotiated.cost.standardUsd - 10 * listed.cost.standardUsd) < 1e-12);
    assert.ok(Math.abs(negotiated.cost.batchUsd - negotiated.cost.standardUsd / 2) < 1e-12);
  });
});
