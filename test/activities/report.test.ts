// The report from outcome files in object storage: nothing on the worker's disk but its own scratch files, results in
// input order with each request's newest outcome, and the scratch folder left as it was found.
import assert from 'node:assert/strict';
import { readdirSync, statSync } from 'node:fs';
import { mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createReportActivities, type ReportOutput } from '../../src/activities/report';
import type { OutcomeLine } from '../../src/activities/collect';
import { resolveJobOptions } from '../../src/shared/options';
import type { FinalResultLine } from '../../src/shared/job';
import { writeChunk } from '../../src/storage/local-storage';
import type { S3Storage } from '../../src/storage/s3-storage';
import { startTestObjectStore, type TestObjectStore } from '../support/object-store';

/** Enough requests for several of the report's scratch files (16,384 input positions each). */
const REQUESTS = 40_000;

/** A pseudo-random order that is the same every run. */
function shuffled<T>(items: T[]): T[] {
  let state = 7;
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    const j = state % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

describe('report', () => {
  let store: TestObjectStore;
  before(async () => {
    store = await startTestObjectStore();
  });
  after(async () => {
    await store?.stop();
  });

  /**
   * Reports a job of REQUESTS requests whose outcome files are in S3 and checks its results; says how much scratch disk
   * it held at most and how often it read an outcome file.
   */
  async function reportAndCheck(folder: string, scratchBytes?: number) {
    const reads = { outcomeFiles: 0 };
    const storage = Object.assign(Object.create(store.storage) as S3Storage, {
      read: (ref: string) => {
        if (ref.includes('/outcomes-')) reads.outcomeFiles += 1;
        return store.storage.read(ref);
      },
    });
    const output = store.uri(`${folder}/out`);
    const idIndex = store.uri(`${folder}/work/custom-ids.txt`);
    await storage.write(idIndex, async (sink) => {
      for (let seq = 0; seq < REQUESTS; seq++) await writeChunk(sink, `req-${seq}\n`);
    });
    // Round 1: two chunks; every tenth request expired, one has no outcome at all (canceled before it was sent).
    // Round 2 answers the expired ones but the last.
    const expired = (seq: number) => seq % 10 === 0;
    const line = (seq: number, round: number, outcome: OutcomeLine['outcome']): string => {
      const l: OutcomeLine = { seq, outcome, round, batch_id: `batch-r${round}` };
      if (outcome === 'succeeded') l.message = { content: [{ type: 'text', text: `answer ${seq} r${round}` }] };
      return JSON.stringify(l);
    };
    const files: { round: number; ref: string }[] = [];
    const writeOutcomes = async (round: number, chunk: number, lines: string[]) => {
      const ref = store.uri(`${folder}/work/round-${round}/outcomes-${chunk}.jsonl`);
      await storage.write(ref, (sink) => writeChunk(sink, shuffled(lines).join('\n') + '\n'));
      files.push({ round, ref });
    };
    const seqs = Array.from({ length: REQUESTS }, (_, seq) => seq);
    const half = REQUESTS / 2;
    const unsent = 5;
    await writeOutcomes(
      1,
      0,
      seqs.slice(0, half).flatMap((s) => (s === unsent ? [] : [line(s, 1, expired(s) ? 'expired' : 'succeeded')])),
    );
    await writeOutcomes(
      1,
      1,
      seqs.slice(half).map((s) => line(s, 1, expired(s) ? 'expired' : 'succeeded')),
    );
    const stillExpired = REQUESTS - 10;
    await writeOutcomes(
      2,
      0,
      seqs.filter((s) => expired(s) && s !== stillExpired).map((s) => line(s, 2, 'succeeded')),
    );

    const scratchDir = await mkdtemp(join(tmpdir(), 'report-scratch-'));
    const activities = createReportActivities({ storage, scratchDir, ...(scratchBytes ? { scratchBytes } : {}) });
    let peakScratch = 0;
    const sampler = setInterval(() => (peakScratch = Math.max(peakScratch, bytesUnder(scratchDir))), 2);
    const options = resolveJobOptions({ requests: store.uri('report/in.jsonl'), output }, 'wf-report');
    const report = await new MockActivityEnvironment()
      .run((): Promise<ReportOutput> =>
        activities.writeReport({
          workflowId: 'wf-report',
          output,
          idIndex,
          totalRequests: REQUESTS,
          outcomeFiles: files,
          lastRound: 2,
          batches: [],
          options,
          startedAt: 0,
          canceled: false,
        }),
      )
      .finally(() => clearInterval(sampler));

    let text = '';
    for await (const part of storage.read(report.resultsPath)) text += (part as Buffer).toString('utf8');
    const results = text
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as FinalResultLine & { message?: { content: { text: string }[] } });
    assert.equal(results.length, REQUESTS);
    const wrong = results.flatMap((r, seq) => {
      const want =
        seq === unsent
          ? { custom_id: `req-${seq}`, outcome: 'canceled', round: 2 }
          : seq === stillExpired
            ? { custom_id: `req-${seq}`, outcome: 'expired', round: 1 }
            : { custom_id: `req-${seq}`, outcome: 'succeeded', round: expired(seq) ? 2 : 1 };
      const got = { custom_id: r.custom_id, outcome: r.outcome, round: r.round };
      const answer = r.message?.content[0]?.text;
      const rightAnswer = seq === unsent || seq === stillExpired || answer === `answer ${seq} r${want.round}`;
      return JSON.stringify(got) === JSON.stringify(want) && rightAnswer ? [] : [{ seq, got, answer }];
    });
    assert.deepEqual(wrong.slice(0, 5), []);
    assert.equal(report.summary.outcomes.succeeded, REQUESTS - 2);
    assert.equal(report.summary.outcomes.expired, 1);
    assert.equal(report.summary.outcomes.canceled, 1);
    assert.deepEqual(await readdir(scratchDir), [], 'the scratch folder is left empty');
    return { peakScratch, reads: reads.outcomeFiles, files: files.length };
  }

  it('writes results in input order from outcome files in S3, the newest round winning, reading each file once', async () => {
    const { reads, files, peakScratch } = await reportAndCheck('report');
    assert.equal(reads, files);
    assert.ok(peakScratch > 0, 'lines were spilled to scratch');
  });

  it('keeps its scratch disk to the budget, reading the outcome files again for the positions that did not fit', async () => {
    const whole = await reportAndCheck('report-whole');
    const budgeted = await reportAndCheck('report-budget', 256 * 1024);
    assert.ok(budgeted.reads > budgeted.files, `the files were read in several passes (${budgeted.reads} reads)`);
    // One range of 16,384 positions may pass the budget alone; the whole spill never sits on disk.
    assert.ok(
      budgeted.peakScratch < whole.peakScratch * 0.6,
      `scratch peaked at ${budgeted.peakScratch} bytes under the budget, ${whole.peakScratch} without`,
    );
  });
});

/** Bytes in the files under a folder (missing files, being removed, count nothing). */
function bytesUnder(folder: string): number {
  let total = 0;
  for (const entry of readdirSync(folder, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    try {
      total += statSync(join(entry.parentPath, entry.name)).size;
    } catch {
      // Removed while counting.
    }
  }
  return total;
}
