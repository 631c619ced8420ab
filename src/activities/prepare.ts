import { ApplicationFailure } from '@temporalio/common';
import { Context } from '@temporalio/activity';
import type { ChunkRef, RequestDefaults } from '../shared/job';
import { isS3Uri, StorageError, type JobStorage } from '../storage/storage';
import { CoalescedWrites } from '../storage/coalesced-writes';
import { ChunkWriter, RequestTooLargeError } from '../requests/chunk-writer';
import { describeProblems, scanRequests, type ScanReport } from '../requests/scan-requests';
import { internalId } from '../requests/internal-ids';
import { paramsTextOf, requestBodyLine } from '../requests/request-body-line';
import { ChunkCostEstimates } from '../requests/cost-estimates';
import { workPaths } from './work-paths';

export interface PrepareInput {
  jobKey: string;
  requests: string;
  output: string;
  /** The job's `work` folder, when not the default. */
  work?: string;
  defaults: RequestDefaults;
  limits: { maxRequests: number; maxBytes: number };
}

export interface PreparedJob {
  totalRequests: number;
  /** Storage reference of the input's custom_ids in input order. */
  idIndex: string;
  chunks: ChunkRef[];
}

export interface PrepareDependencies {
  storage: JobStorage;
  /** How long the output folder has to take a probe write before the job fails (default 30 s). */
  outputProbeTimeoutMs?: number;
}

/** Errors that trying again will not fix: the output is not somewhere the worker can write. */
const UNWRITABLE: Readonly<Record<string, string>> = {
  ENOTDIR: 'a part of the path is a file, not a folder',
  EEXIST: 'it is a file, not a folder',
  EISDIR: 'a folder stands where a file must go',
  EACCES: 'the worker may not write there',
  EPERM: 'the worker may not write there',
  EROFS: 'it is on a read-only file system',
  ENOENT: 'its folder cannot be created',
};

const inSeconds = (ms: number) => (ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`);

/** Errors reading the requests file that trying again will not fix. */
const UNREADABLE: Readonly<Record<string, string>> = {
  EISDIR: 'is a folder, not a requests file (give the path of a JSONL file)',
  ENOENT: 'no such file',
  ENOTDIR: 'no such file (a part of the path is a file, not a folder)',
  EACCES: 'the worker may not read it',
  EPERM: 'the worker may not read it',
};

const errorCode = (err: unknown): string | undefined =>
  err instanceof Error ? (err as NodeJS.ErrnoException).code : undefined;

/**
 * Writes and removes a small object in the output folder, so an output the job could never write its results to fails
 * the job now, before any batch is paid for, rather than after the batches end or in a retry loop.
 */
export async function probeOutput(storage: JobStorage, what: string, probe: string, timeoutMs: number): Promise<void> {
  const written = (async () => {
    await storage.write(probe, (sink) => {
      sink.write('probe\n');
      return Promise.resolve();
    });
    await storage.remove(probe);
  })();
  let timer: NodeJS.Timeout | undefined;
  // The activity's heartbeat timeout is shorter than the deadline: stay alive while the storage has its chance.
  const alive = setInterval(() => Context.current().heartbeat({ probing: what }), 2_000);
  const deadline = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), timeoutMs)));
  try {
    if ((await Promise.race([written, deadline])) === 'late') {
      written.catch(() => undefined);
      throw ApplicationFailure.create({
        message: `${what} did not answer within ${inSeconds(timeoutMs)} (a probe write hung); no batch was created`,
        type: 'InvalidOutput',
        nonRetryable: true,
      });
    }
  } catch (err) {
    if (err instanceof StorageError) {
      throw ApplicationFailure.create({
        message: `${what}: ${err.problem}; no batch was created`,
        type: 'InvalidOutput',
        nonRetryable: true,
      });
    }
    const reason = UNWRITABLE[errorCode(err) ?? ''];
    if (!reason) throw err;
    throw ApplicationFailure.create({
      message: `${what}: ${reason} (${(err as Error).message}); no batch was created`,
      type: 'InvalidOutput',
      nonRetryable: true,
    });
  } finally {
    clearTimeout(timer);
    clearInterval(alive);
  }
}

/**
 * Fails the job now when the requests are not there to read: no such file or object, a folder (prefix) of objects
 * given for one, a bucket that does not exist, no credentials, an unreachable store.
 */
async function checkRequestsExist(storage: JobStorage, requests: string): Promise<void> {
  const refuse = (problem: string) => ApplicationFailure.nonRetryable(`${requests}: ${problem}`, 'InvalidRequestsFile');
  try {
    if (await storage.exists(requests)) return;
    for await (const object of storage.list(requests)) {
      throw refuse(
        `is a folder of objects (${object.key}, …), not a requests file: give the key of a JSONL object; no batch was created`,
      );
    }
  } catch (err) {
    if (err instanceof StorageError) throw refuse(`${err.problem}; no batch was created`);
    throw err;
  }
  throw refuse(isS3Uri(requests) ? 'no such object (check the key); no batch was created' : 'no such file');
}

/** Validates the whole requests file and, only if every line is good, splits it into round-1 chunks. */
export function createPrepareActivities({ storage, outputProbeTimeoutMs = 30_000 }: PrepareDependencies) {
  return {
    async validateAndSplit(input: PrepareInput): Promise<PreparedJob> {
      const paths = workPaths(storage, input.output, input.jobKey, input.work);
      await checkRequestsExist(storage, input.requests);
      if (input.work === undefined) {
        await probeOutput(
          storage,
          `output ${input.output}`,
          storage.join(paths.work, 'output-probe'),
          outputProbeTimeoutMs,
        );
      } else {
        const probe = `.output-probe-${input.jobKey}`;
        await probeOutput(storage, `output ${input.output}`, storage.join(input.output, probe), outputProbeTimeoutMs);
        await probeOutput(storage, `work ${input.work}`, storage.join(paths.work, 'work-probe'), outputProbeTimeoutMs);
      }
      const chunks = new ChunkWriter(storage, (i) => paths.chunkBody(1, i), input.limits);
      const source = storage.read(input.requests);
      let readError: unknown;
      source.once('error', (err) => (readError = err));
      let report: ScanReport | undefined;
      let chunkRefs: ChunkRef[] = [];
      const costs = new ChunkCostEstimates();
      try {
        await storage.write(paths.idIndex, async (idSink) => {
          const ids = new CoalescedWrites(idSink);
          report = await scanRequests(source, {
            defaults: input.defaults,
            onProgress: (lines) => Context.current().heartbeat({ lines }),
            onRequest: (request, seq, line, lineNumber) => {
              const idWritten = ids.write(`${request.customId}\n`);
              const paramsJson =
                (request.defaultsUsed ? undefined : paramsTextOf(line, request.customId)) ??
                JSON.stringify(request.params);
              let added: Promise<void> | undefined;
              try {
                added = chunks.add(
                  (chunk) => requestBodyLine(internalId(input.jobKey, 1, chunk, seq), paramsJson),
                  (chunk) =>
                    costs.add(
                      chunk,
                      request.params.model,
                      request.params.max_tokens,
                      paramsJson.length,
                      paramsJson.includes('"cache_control"'),
                    ),
                );
              } catch (err) {
                if (err instanceof RequestTooLargeError)
                  throw tooLarge(input.requests, lineNumber, request.customId, err);
                throw err;
              }
              return idWritten || added ? Promise.all([idWritten, added]).then(() => undefined) : undefined;
            },
          });
          chunkRefs = (await chunks.finish()).map((c) => ({ ...c, estimate: costs.of(c.index) }));
          await ids.flush();
        });
      } catch (err) {
        source.destroy();
        await chunks.abort();
        const reason =
          err === readError
            ? err instanceof StorageError
              ? err.problem
              : UNREADABLE[errorCode(err) ?? '']
            : undefined;
        if (!reason && !(err instanceof ApplicationFailure)) throw err;
        await storage.remove(paths.work);
        if (err instanceof ApplicationFailure) throw err;
        throw ApplicationFailure.create({
          message: `${input.requests}: ${reason}; no batch was created`,
          type: 'InvalidRequestsFile',
          nonRetryable: true,
        });
      }
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

/** A request no batch under `chunk.maxBytes` can hold: the job's own failure, named by line and custom_id. */
function tooLarge(file: string, line: number, customId: string, err: RequestTooLargeError): ApplicationFailure {
  return ApplicationFailure.create({
    message:
      `${file}: line ${line} (custom_id ${JSON.stringify(customId)}) makes a ${err.bytes}-byte batch on its own, over ` +
      `chunk.maxBytes of ${err.maxBytes} bytes; raise chunk.maxBytes (the API allows 256 MB) or shorten the request; ` +
      'no batch was created',
    type: 'InvalidRequestsFile',
    nonRetryable: true,
    details: [{ line, customId, bytes: err.bytes, maxBytes: err.maxBytes }],
  });
}
