import { closeSync, createWriteStream, openSync, readSync, type WriteStream } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { finished } from 'node:stream/promises';
import { createInterface } from 'node:readline';
import { Context } from '@temporalio/activity';
import type { BuildReport, JobOptions, JobSummary } from '../shared/job';
import { emptyCost, emptyCounts, emptyTokens, type FinalResultLine } from '../shared/job';
import type { JobStorage } from '../storage/storage';
import { writeChunk } from '../storage/local-storage';
import { CoalescedWrites } from '../storage/coalesced-writes';
import { addUsage } from '../pricing/prices';
import { outputPaths } from './work-paths';

export interface ReportInput {
  workflowId: string;
  output: string;
  idIndex: string;
  totalRequests: number;
  /** Every outcome file, oldest round first: a later round's outcome replaces an earlier one. */
  outcomeFiles: { round: number; ref: string }[];
  /** The round a request that never got an outcome (canceled before it was sent) is reported in. */
  lastRound: number;
  batches: JobSummary['batches'];
  options: JobOptions;
  startedAt: number;
  canceled: boolean;
  /** For jobs built from documents: what the build did. */
  build?: BuildReport;
}

export interface ReportOutput {
  summary: JobSummary;
  resultsPath: string;
  summaryPath: string;
}

const SEQ_PREFIX = /^\{"seq":(\d+),/;
/** How many failed custom_ids the summary names (the Web UI shows them; results.jsonl has them all). */
const FIRST_FAILED = 5;

/** Input positions per scratch file: small enough that a worker's open files stay few, whatever the job's size. */
const MIN_POSITIONS_PER_BUCKET = 16_384;
const MAX_BUCKETS = 256;

export interface ReportDependencies {
  storage: JobStorage;
  /** Local folder for the report's scratch files (default: CLAUDE_BATCH_SCRATCH_DIR, else the OS's temp folder). */
  scratchDir?: string;
  /**
   * The most scratch disk one report uses (default: CLAUDE_BATCH_SCRATCH_BYTES, else 2 GiB). Past it, the outcome files
   * are read again for the input positions that did not fit; one range of positions may pass it on its own.
   */
  scratchBytes?: number;
}

const DEFAULT_SCRATCH_BYTES = 2 * 1024 ** 3;

/**
 * Writes results.jsonl (one line per input custom_id, in input order, with its final outcome) and summary.json.
 *
 * An external merge by input position: the outcome files are read as streams, newest round first, and each request's
 * final line (the first seen) is spilled to a local scratch file for its range of input positions; results are then
 * written range by range, each range's file read by offset and deleted once done. When the spilled lines pass the
 * scratch budget, the furthest ranges are given up and the files read again for them after the others are written.
 * Memory: 12 bytes per request (where its line lies), not the lines. Scratch disk: the budget (one pass when the final
 * lines, about the size of results.jsonl, fit in it). No backend has to offer random access or keep data locally.
 */
export function createReportActivities({ storage, scratchDir, scratchBytes }: ReportDependencies) {
  return {
    async writeReport(input: ReportInput): Promise<ReportOutput> {
      const ctx = Context.current();
      const n = input.totalRequests;
      const perBucket = Math.max(MIN_POSITIONS_PER_BUCKET, Math.ceil(n / MAX_BUCKETS));
      const bucketCount = Math.ceil(n / perBucket);
      const budget = scratchBytes ?? (Number(process.env.CLAUDE_BATCH_SCRATCH_BYTES) || DEFAULT_SCRATCH_BYTES);
      const offsetOf = new Float64Array(n).fill(-1);
      const lengthOf = new Int32Array(n);
      const scratchRoot = scratchDir ?? process.env.CLAUDE_BATCH_SCRATCH_DIR ?? tmpdir();
      await mkdir(scratchRoot, { recursive: true });
      const scratch = await mkdtemp(join(scratchRoot, 'report-'));
      const bucketPath = (b: number) => join(scratch, `positions-${b}.jsonl`);
      const outcomes = emptyCounts();
      const firstFailed: string[] = [];
      const tokens = emptyTokens();
      const cost = emptyCost();
      const paths = outputPaths(storage, input.output);
      try {
        // Newest round first: a request's first line seen is its final one, and older lines never reach the disk.
        const newestFirst = [...input.outcomeFiles].reverse();
        /** Spills the final lines of the ranges from `first` on, as many as the budget holds; returns where it stopped. */
        const spillFrom = async (first: number): Promise<number> => {
          let end = bucketCount;
          const spill = new Spill(bucketPath);
          try {
            for (const [f, file] of newestFirst.entries()) {
              for await (const line of createInterface({ input: storage.read(file.ref), crlfDelay: Infinity })) {
                const seq = Number(SEQ_PREFIX.exec(line)?.[1]);
                if (!(seq >= 0 && seq < n)) continue;
                const bucket = Math.floor(seq / perBucket);
                if (bucket < first || bucket >= end || offsetOf[seq]! >= 0) continue;
                offsetOf[seq] = spill.bytesIn(bucket);
                const appended = spill.append(bucket, line);
                lengthOf[seq] = appended.length;
                if (appended.wait) await appended.wait;
                // Over budget: the furthest range spilled waits for the next pass (the first one always stays).
                while (spill.totalBytes > budget && spill.lastBucket() > first) {
                  end = spill.lastBucket();
                  await spill.drop(end);
                  offsetOf.fill(-1, end * perBucket, Math.min(n, (end + 1) * perBucket));
                }
              }
              ctx.heartbeat({ indexed: f + 1, from: first });
            }
          } finally {
            await spill.close();
          }
          return end;
        };

        await storage.write(paths.results, async (sink) => {
          const out = new CoalescedWrites(sink);
          let seq = 0;
          let buffer = Buffer.alloc(64 * 1024);
          let open: { bucket: number; fd: number } | undefined;
          const closeBucket = async () => {
            if (!open) return;
            closeSync(open.fd);
            await rm(bucketPath(open.bucket), { force: true });
            open = undefined;
          };
          const ids = createInterface({ input: storage.read(input.idIndex), crlfDelay: Infinity })[
            Symbol.asyncIterator
          ]();
          try {
            for (let from = 0; from < bucketCount;) {
              const end = await spillFrom(from);
              for (const stop = Math.min(n, end * perBucket); seq < stop;) {
                const next = await ids.next();
                if (next.done) break;
                const customId = next.value;
                let text: string;
                if (offsetOf[seq]! < 0) {
                  const line: FinalResultLine = {
                    custom_id: customId,
                    outcome: 'canceled',
                    round: input.lastRound,
                    batch_id: null,
                  };
                  text = JSON.stringify(line);
                  outcomes.canceled += 1;
                  if (firstFailed.length < FIRST_FAILED) firstFailed.push(customId);
                } else {
                  const bucket = Math.floor(seq / perBucket);
                  if (open?.bucket !== bucket) {
                    await closeBucket();
                    open = { bucket, fd: openSync(bucketPath(bucket), 'r') };
                  }
                  const length = lengthOf[seq]!;
                  if (buffer.length < length) buffer = Buffer.alloc(length * 2);
                  readSync(open.fd, buffer, 0, length, offsetOf[seq]!);
                  const stored = buffer.toString('utf8', 0, length);
                  const rest = stored.replace(SEQ_PREFIX, '');
                  text = `{"custom_id":${JSON.stringify(customId)},${rest}`;
                  const parsed = JSON.parse(rest.length > 0 ? `{${rest}` : '{}') as Omit<
                    FinalResultLine,
                    'custom_id'
                  > & {
                    message?: { model?: string };
                  };
                  outcomes[parsed.outcome] += 1;
                  if (parsed.outcome !== 'succeeded' && firstFailed.length < FIRST_FAILED) firstFailed.push(customId);
                  if (parsed.outcome === 'errored' && parsed.error) {
                    outcomes.erroredByType[parsed.error.type] = (outcomes.erroredByType[parsed.error.type] ?? 0) + 1;
                  }
                  if (parsed.outcome === 'succeeded' && parsed.usage) {
                    addUsage(tokens, cost, parsed.message?.model ?? 'unknown', parsed.usage);
                  }
                }
                const written = out.write(text + '\n');
                if (written) await written;
                seq += 1;
                if (seq % 10_000 === 0) ctx.heartbeat({ written: seq });
              }
              await closeBucket();
              from = end;
            }
            await out.flush();
          } finally {
            await closeBucket();
            await ids.return?.();
          }
        });
      } finally {
        await rm(scratch, { recursive: true, force: true });
      }

      const summary: JobSummary = {
        workflowId: input.workflowId,
        name: input.options.name,
        totalRequests: n,
        outcomes,
        rounds: input.lastRound,
        batches: input.batches,
        tokens,
        cost: { ...cost, savedUsd: cost.standardUsd - cost.batchUsd },
        canceled: input.canceled,
        ...(input.build ? { build: input.build } : {}),
        options: input.options,
        startedAt: new Date(input.startedAt).toISOString(),
        finishedAt: new Date().toISOString(),
        firstFailed,
      };
      await storage.write(paths.summary, (sink) => writeChunk(sink, JSON.stringify(summary, null, 2) + '\n'));
      return { summary, resultsPath: paths.results, summaryPath: paths.summary };
    },
  };
}

/** The report's scratch files, one per range of input positions, opened as lines arrive for them. */
class Spill {
  private readonly files = new Map<number, { sink: WriteStream; bytes: number; pending: string[]; chars: number }>();
  private total = 0;

  constructor(
    private readonly pathOf: (bucket: number) => string,
    /** Lines gathered per file before one write: at most this times the number of files in memory. */
    private readonly flushAtChars = 64 * 1024,
  ) {}

  bytesIn(bucket: number): number {
    return this.files.get(bucket)?.bytes ?? 0;
  }

  /**
   * Appends the line (and a newline) and says how many bytes the line takes; `wait`, when set, is a write under way
   * that the caller awaits before the next append (a promise per line would cost more than the write).
   */
  append(bucket: number, line: string): { length: number; wait?: Promise<void> } {
    let file = this.files.get(bucket);
    if (!file) {
      const sink = createWriteStream(this.pathOf(bucket), { highWaterMark: 256 * 1024 });
      sink.on('error', () => undefined);
      file = { sink, bytes: 0, pending: [], chars: 0 };
      this.files.set(bucket, file);
    }
    const length = Buffer.byteLength(line);
    file.bytes += length + 1;
    this.total += length + 1;
    file.pending.push(line, '\n');
    file.chars += line.length + 1;
    if (file.chars < this.flushAtChars) return { length };
    return { length, wait: this.flush(file) };
  }

  /** Bytes spilled so far, over every range. */
  get totalBytes(): number {
    return this.total;
  }

  /** The furthest range holding a line, or -1. */
  lastBucket(): number {
    let last = -1;
    for (const bucket of this.files.keys()) last = Math.max(last, bucket);
    return last;
  }

  /** Gives up a range's file (its lines are read again in a later pass). */
  async drop(bucket: number): Promise<void> {
    const file = this.files.get(bucket);
    if (!file) return;
    this.files.delete(bucket);
    this.total -= file.bytes;
    file.sink.destroy();
    await rm(this.pathOf(bucket), { force: true });
  }

  private flush(file: { sink: WriteStream; pending: string[]; chars: number }): Promise<void> {
    const text = file.pending.join('');
    file.pending = [];
    file.chars = 0;
    return writeChunk(file.sink, text);
  }

  async close(): Promise<void> {
    await Promise.all(
      [...this.files.values()].map(async (file) => {
        if (file.pending.length > 0) await this.flush(file);
        file.sink.end();
        await finished(file.sink);
      }),
    );
    this.files.clear();
  }
}
