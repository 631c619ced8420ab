import { ApplicationFailure } from '@temporalio/common';
import { Context } from '@temporalio/activity';
import type { ChunkRef, RequestDefaults } from '../shared/job';
import type { JobStorage } from '../storage/storage';
import { CoalescedWrites } from '../storage/coalesced-writes';
import { ChunkWriter } from '../requests/chunk-writer';
import { describeProblems, scanRequests, type ScanReport } from '../requests/scan-requests';
import { internalId } from '../requests/internal-ids';
import { paramsTextOf, requestBodyLine } from '../requests/request-body-line';
import { workPaths } from './work-paths';

export interface PrepareInput {
  jobKey: string;
  requests: string;
  output: string;
  defaults: RequestDefaults;
  limits: { maxRequests: number; maxBytes: number };
}

export interface PreparedJob {
  totalRequests: number;
  /** Storage reference of the input's custom_ids in input order. */
  idIndex: string;
  chunks: ChunkRef[];
}

/** Validates the whole requests file and, only if every line is good, splits it into round-1 chunks. */
export function createPrepareActivities({ storage }: { storage: JobStorage }) {
  return {
    async validateAndSplit(input: PrepareInput): Promise<PreparedJob> {
      const paths = workPaths(storage, input.output);
      if (!(await storage.exists(input.requests))) {
        throw ApplicationFailure.nonRetryable(`${input.requests}: no such file`, 'InvalidRequestsFile');
      }
      const chunks = new ChunkWriter(storage, (i) => paths.chunkBody(1, i), input.limits);
      let report: ScanReport | undefined;
      let chunkRefs: ChunkRef[] = [];
      await storage.write(paths.idIndex, async (idSink) => {
        const ids = new CoalescedWrites(idSink);
        report = await scanRequests(storage.read(input.requests), {
          defaults: input.defaults,
          onProgress: (lines) => Context.current().heartbeat({ lines }),
          onRequest: (request, seq, line) => {
            const idWritten = ids.write(`${request.customId}\n`);
            const paramsJson =
              (request.defaultsUsed ? undefined : paramsTextOf(line, request.customId)) ??
              JSON.stringify(request.params);
            const added = chunks.add((chunk) => requestBodyLine(internalId(input.jobKey, 1, chunk, seq), paramsJson));
            return idWritten || added ? Promise.all([idWritten, added]).then(() => undefined) : undefined;
          },
        });
        chunkRefs = await chunks.finish();
        await ids.flush();
      });
      const scanned = report!;
      if (scanned.problemCount > 0) {
        await storage.remove(paths.work);
        throw ApplicationFailure.create({
          message: describeProblems(input.requests, scanned),
          type: 'InvalidRequestsFile',
          nonRetryable: true,
          details: [{ problems: scanned.problems, problemCount: scanned.problemCount }],
        });
      }
      return { totalRequests: scanned.requests, idIndex: paths.idIndex, chunks: chunkRefs };
    },
  };
}
