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
}

/**
 * Writes results.jsonl (one line per input custom_id, in input order, with its final outcome) and summary.json.
 *
 * The outcome files are read once, as streams, newest round first, and each request's final line (the first seen) is
 * spilled to a local scratch file for its range of input positions; results are then written range by range, each
 * range's file read by offset and deleted once done. Memory: 12 bytes per request (where its line lies), not the
 * lines. Scratch disk: at most the final outcome lines, about the size of results.jsonl, and shrinking as it is written.
 * No storage backend has to offer random access or keep data on the worker's disk.
 */
export function createReportActivities({ storage, scratchDir }: ReportDependencies) {
  return {
    async writeReport(input: ReportInput): Promise<ReportOutput> {
      const ctx = Context.current();
      const n = input.totalRequests;
      const perBucket = Math.max(MIN_POSITIONS_PER_BUCKET, Math.ceil(n / MAX_BUCKETS));
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
        const spill = new Spill(bucketPath);
        try {
          // Newest round first: a request's first line seen is its final one, and older lines never reach the disk.
          const newestFirst = [...input.outcomeFiles].reverse();
          for (const [f, file] of newestFirst.entries()) {
            for await (const line of createInterface({ input: storage.read(file.ref), crlfDelay: Infinity })) {
              const seq = Number(SEQ_PREFIX.exec(line)?.[1]);
              if (!(seq >= 0 && seq < n) || offsetOf[seq]! >= 0) continue;
              const bucket = Math.floor(seq / perBucket);
              offsetOf[seq] = spill.bytesIn(bucket);
              const appended = spill.append(bucket, line);
              lengthOf[seq] = appended.length;
              if (appended.wait) await appended.wait;
            }
            ctx.heartbeat({ indexed: f + 1 });
          }
        } finally {
          await spill.close();
        }

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
          try {
            for await (const customId of createInterface({ input: storage.read(input.idIndex), crlfDelay: Infinity })) {
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
                const parsed = JSON.parse(rest.length > 0 ? `{${rest}` : '{}') as Omit<FinalResultLine, 'custom_id'> & {
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
            await out.flush();
          } finally {
            await closeBucket();
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
    file.pending.push(line, '\n');
    file.chars += line.length + 1;
    if (file.chars < this.flushAtChars) return { length };
    return { length, wait: this.flush(file) };
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
