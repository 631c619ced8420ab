// Histories of real runs (recorded by `npm run record-histories`) replay against today's workflow code: a change that
// would break running jobs fails here. Changes that alter history need `patched()`.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Worker } from '@temporalio/worker';
import { DeterminismViolationError } from '@temporalio/workflow';
import { loadHistories } from '../support/histories';
import { quietRuntime, workflowBundle } from '../support/temporal';
import { workflowsPath } from '../support/job-env';

describe('replay of recorded batch job histories', () => {
  it('replays every recorded scenario without a determinism error', async () => {
    quietRuntime();
    const histories = await loadHistories();
    assert.ok(histories.length >= 5, `recorded histories present (${histories.length})`);
    const bundle = await workflowBundle(workflowsPath);
    const failures: string[] = [];
    for await (const result of Worker.runReplayHistories({ workflowBundle: bundle }, histories)) {
      if (result.error) failures.push(`${result.workflowId}: ${result.error.message}`);
    }
    assert.deepEqual(failures, []);
  });

  it('detects a workflow change that breaks determinism', async () => {
    quietRuntime();
    const [first] = await loadHistories();
    assert.ok(first, 'a recorded history');
    const changed = await workflowBundle(require.resolve('../fixtures/changed-batch-job'));
    await assert.rejects(
      Worker.runReplayHistory({ workflowBundle: changed }, first.history, first.workflowId),
      DeterminismViolationError,
    );
  });
});
