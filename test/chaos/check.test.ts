// The chaos run's verdict, on results made by hand: a checker that cannot fail proves nothing, so each kind of damage
// the run looks for is planted here and must be counted.
import { afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Anthropic from '@anthropic-ai/sdk';
import { startEmulator, type Emulator } from '../../src/emulator';
import type { FinalResultLine } from '../../src/shared/job';
import { checkRun, passed, type CheckedJob } from '../../chaos/check';
import { promptOf } from '../../chaos/jobs';

const prompts = (job: number) =>
  new Map([0, 1, 2].map((seq) => [`job${job}-q${seq}`, promptOf(job, seq, `t${job}${seq}`)]));

describe('chaos verdict', () => {
  let emulator: Emulator;
  let anthropic: Anthropic;
  let dir: string;

  // Each test its own emulator: the verdict reads every batch the emulator ever made.
  beforeEach(async () => {
    emulator = await startEmulator({ apiKey: 'k' });
    anthropic = new Anthropic({ baseURL: emulator.url, apiKey: 'k', maxRetries: 0 });
    dir = await mkdtemp(join(tmpdir(), 'claude-batch-chaos-check-'));
  });
  afterEach(async () => {
    await emulator.close();
    await rm(dir, { recursive: true, force: true });
  });

  /** A batch of one job's requests, under its internal ids (key, round 1, chunk 0). */
  async function batchOf(job: number, key: string): Promise<string> {
    const requests = [...prompts(job).values()].map((prompt, seq) => ({
      custom_id: `${key}-r1c0-${seq}`,
      params: { model: 'claude-haiku-4-5', max_tokens: 64, messages: [{ role: 'user' as const, content: prompt }] },
    }));
    return (await anthropic.messages.batches.create({ requests })).id;
  }

  const line = (customId: string, batchId: string, text: string): FinalResultLine => ({
    custom_id: customId,
    outcome: 'succeeded',
    message: { content: [{ type: 'text', text: `Summary (8 words): ${text}` }] },
    round: 1,
    batch_id: batchId,
  });

  async function job(index: number, lines: FinalResultLine[], batchId: string): Promise<CheckedJob> {
    const resultsPath = join(dir, `results-${index}.jsonl`);
    await writeFile(resultsPath, lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
    return {
      plan: { index, prompts: prompts(index) },
      status: 'COMPLETED',
      result: { resultsPath, summary: { batches: [{ round: 1, chunk: 0, batchId, requestCount: 3 }] } },
    };
  }

  it('counts wrong, lost and repeated lines, and batches paid twice, unused or used by another job', async () => {
    const a = await batchOf(0, 'ka');
    const again = await batchOf(0, 'ka'); // the same chunk paid for twice
    const b = await batchOf(1, 'kb');
    const p0 = prompts(0);
    const p1 = prompts(1);
    const job0 = await job(
      0,
      [
        line('job0-q0', a, p0.get('job0-q0')!),
        line('job0-q1', a, p1.get('job1-q1')!), // another request's answer
        line('job0-q1', a, p0.get('job0-q1')!), // a second line for the same request
        // job0-q2: no line
      ],
      a,
    );
    // Job 1 took job 0's batch for its own (the adoption bug): every line is wrong.
    const job1 = await job(
      1,
      [...p1.keys()].map((id) => line(id, a, p1.get(id)!)),
      a,
    );
    const stuck: CheckedJob = { plan: { index: 2, prompts: prompts(2) }, status: 'RUNNING' };

    const v = await checkRun([job0, job1, stuck], emulator);
    assert.equal(v.completed, 2);
    assert.equal(v.requests, 9);
    assert.equal(v.linesChecked, 6);
    assert.equal(v.wrong, 4);
    assert.equal(v.duplicate, 1);
    assert.equal(v.lost, 1);
    assert.equal(v.batchesCreated, 3);
    assert.equal(v.duplicateBatches, 1);
    assert.equal(v.batchesUsedByAnotherJob, 1);
    assert.equal(v.unusedBatches, 2, `${again} and ${b}`);
    assert.equal(passed(v), false);
  });

  it('passes a job that answered its own requests from its own batch', async () => {
    const a = await batchOf(3, 'kc');
    const p3 = prompts(3);
    const v = await checkRun(
      [
        await job(
          3,
          [...p3.keys()].map((id) => line(id, a, p3.get(id)!)),
          a,
        ),
      ],
      emulator,
    );
    assert.equal(v.linesChecked, 3);
    assert.ok(passed(v), v.examples.join('\n'));
  });
});
