// A job's summary never shows a cost that silently leaves requests out: `run`, `watch` and `demo` print it with a
// warning line naming the unpriced models (and `results` prints the same warning on stderr).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { summaryTable, unpricedCostWarning } from '../../src/cli/format';
import { emptyCounts, type JobSummary } from '../../src/shared/job';

const summary = (unpricedModels: string[]) =>
  ({
    workflowId: 'wf',
    name: 'job',
    totalRequests: 3,
    outcomes: { ...emptyCounts(), succeeded: 3 },
    rounds: 1,
    batches: [],
    tokens: { input: 10, output: 10, cacheWrite: 0, cacheRead: 0 },
    cost: { batchUsd: 0.5, standardUsd: 1, savedUsd: 0.5, unpricedModels },
  }) as unknown as JobSummary;

describe('the summary of a job with unpriced models', () => {
  it('warns, naming the models, and says the cost leaves them out', () => {
    const table = summaryTable(summary(['claude-next-7', 'claude-x']), '/tmp/results.jsonl');
    assert.match(
      table,
      /WARNING +no price known for claude-next-7, claude-x: their requests are NOT in the cost above/,
    );
    assert.match(table, /CLAUDE_BATCH_MODELS/);
  });

  it('has no warning when every model was priced', () => {
    assert.doesNotMatch(summaryTable(summary([]), '/tmp/results.jsonl'), /WARNING/);
    assert.equal(unpricedCostWarning([]), undefined);
  });
});
