// The chaos suite's short run (`npm run chaos -- --short`), through the same code: jobs of one size started together
// on worker processes, one SIGKILLed while creates are in flight, the Temporal server restarted, API answers dropped
// and failed. Every job must complete with exactly its own answers, from exactly one batch per chunk and round.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SHORT_RUN } from '../../chaos/options';
import { formatReport } from '../../chaos/report';
import { runChaos } from '../../chaos/run';

describe('chaos (short run)', () => {
  it(
    'loses, repeats, mixes up and pays twice for nothing when workers die and the server restarts',
    { timeout: 15 * 60_000 },
    async () => {
      const report = await runChaos({ ...SHORT_RUN, seed: Math.floor(Math.random() * 2 ** 31), verbose: false });
      const figures = formatReport(report);
      console.log(figures);
      const v = report.verdict;
      assert.equal(v.completed, v.jobs, figures);
      assert.equal(v.linesChecked, v.requests, figures);
      assert.equal(v.wrong, 0, figures);
      assert.equal(v.lost, 0, figures);
      assert.equal(v.duplicate, 0, figures);
      assert.equal(v.duplicateBatches, 0, figures);
      assert.equal(v.batchesUsedByAnotherJob, 0, figures);
      assert.equal(v.unusedBatches, 0, figures);
      // The faults that make a submission retry must have bitten, or the run proved nothing about retries.
      assert.ok((report.chaos.faultsHit.get('create dropped') ?? 0) > 0, figures);
      assert.ok((report.chaos.faultsHit.get('create 500') ?? 0) > 0, figures);
      assert.equal(report.chaos.kills.length, 1, figures);
      assert.equal(report.chaos.restarts.length, 1, figures);
      assert.ok(report.passed, figures);
    },
  );
});
