import { closeSync, openSync, readSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { Context } from '@temporalio/activity';
import type { JobOptions, JobSummary } from '../shared/job';
import { emptyCost, emptyCounts, emptyTokens, type FinalResultLine } from '../shared/job';
import type { JobStorage } from '../storage/storage';
import { writeChunk } from '../storage/local-storage';
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
}

export interface ReportOutput {
  summary: JobSummary;
  resultsPath: string;
  summaryPath: string;
}

const SEQ_PREFIX = /^\{"seq":(\d+),/;

/**
 * Writes results.jsonl (one line per input custom_id, in input order, with its final outcome) and summary.json.
 * Memory stays small whatever the job's size: only where each request's final line lies is kept, not the lines.
 */
export function createReportActivities({ storage }: { storage: JobStorage }) {
  return {
    async writeReport(input: ReportInput): Promise<ReportOutput> {
      const ctx = Context.current();
      const n = input.totalRequests;
      const fileOf = new Int16Array(n).fill(-1);
      const offsetOf = new Float64Array(n);
      const lengthOf = new Int32Array(n);
      const localFiles: string[] = [];
      for (const [f, file] of input.outcomeFiles.entries()) {
        const path = await storage.localPath(file.ref);
        localFiles.push(path);
        let offset = 0;
        for await (const line of createInterface({ input: storage.read(file.ref), crlfDelay: Infinity })) {
          const length = Buffer.byteLength(line);
          const seq = Number(SEQ_PREFIX.exec(line)?.[1]);
          fileOf[seq] = f;
          offsetOf[seq] = offset;
          lengthOf[seq] = length;
          offset += length + 1;
        }
        ctx.heartbeat({ indexed: f + 1 });
      }

      const outcomes = emptyCounts();
      const tokens = emptyTokens();
      const cost = emptyCost();
      const fds = localFiles.map((p) => openSync(p, 'r'));
      const paths = outputPaths(storage, input.output);
      try {
        await storage.write(paths.results, async (sink) => {
          let seq = 0;
          let buffer = Buffer.alloc(64 * 1024);
          for await (const customId of createInterface({ input: storage.read(input.idIndex), crlfDelay: Infinity })) {
            const f = fileOf[seq]!;
            let text: string;
            if (f < 0) {
              const line: FinalResultLine = {
                custom_id: customId,
                outcome: 'canceled',
                round: input.lastRound,
                batch_id: null,
              };
              text = JSON.stringify(line);
              outcomes.canceled += 1;
            } else {
              const length = lengthOf[seq]!;
              if (buffer.length < length) buffer = Buffer.alloc(length * 2);
              readSync(fds[f]!, buffer, 0, length, offsetOf[seq]!);
              const stored = buffer.toString('utf8', 0, length);
              const rest = stored.replace(SEQ_PREFIX, '');
              text = `{"custom_id":${JSON.stringify(customId)},${rest}`;
              const parsed = JSON.parse(rest.length > 0 ? `{${rest}` : '{}') as Omit<FinalResultLine, 'custom_id'> & {
                message?: { model?: string };
              };
              outcomes[parsed.outcome] += 1;
              if (parsed.outcome === 'errored' && parsed.error) {
                outcomes.erroredByType[parsed.error.type] = (outcomes.erroredByType[parsed.error.type] ?? 0) + 1;
              }
              if (parsed.outcome === 'succeeded' && parsed.usage) {
                addUsage(tokens, cost, parsed.message?.model ?? 'unknown', parsed.usage);
              }
            }
            await writeChunk(sink, text + '\n');
            seq += 1;
            if (seq % 10_000 === 0) ctx.heartbeat({ written: seq });
          }
        });
      } finally {
        for (const fd of fds) closeSync(fd);
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
        options: input.options,
        startedAt: new Date(input.startedAt).toISOString(),
        finishedAt: new Date().toISOString(),
      };
      await storage.write(paths.summary, (sink) => writeChunk(sink, JSON.stringify(summary, null, 2) + '\n'));
      return { summary, resultsPath: paths.results, summaryPath: paths.summary };
    },
  };
}
