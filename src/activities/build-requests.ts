import { ApplicationFailure } from '@temporalio/common';
import { Context } from '@temporalio/activity';
import type { BuildReport, JobOptions, RequestDefaults } from '../shared/job';
import { buildRequestsFromDocuments, DocumentSourceError } from '../sources/build-requests';
import { StorageError, type JobStorage } from '../storage/storage';
import { probeOutput } from './prepare';

export interface BuildRequestsInput {
  jobKey: string;
  source: NonNullable<JobOptions['source']>;
  defaults: RequestDefaults;
  /** Where the requests file goes (the job then validates and splits it as any other). */
  requests: string;
  output: string;
}

export interface BuildDependencies {
  storage: JobStorage;
  /** How long the output folder has to take a probe write before the job fails (default 30 s). */
  outputProbeTimeoutMs?: number;
}

/** The job's first step when it is given documents: their requests and manifest, written to the output folder. */
export function createBuildActivities({ storage, outputProbeTimeoutMs = 30_000 }: BuildDependencies) {
  return {
    async buildRequests(input: BuildRequestsInput): Promise<BuildReport> {
      // Before reading any document: an output the job cannot write fails it now, not after the whole source is read.
      const probe = storage.join(input.output, `.output-probe-${input.jobKey}`);
      await probeOutput(storage, `output ${input.output}`, probe, outputProbeTimeoutMs);
      try {
        return await buildRequestsFromDocuments(storage, {
          source: input.source,
          defaults: input.defaults,
          requests: input.requests,
          manifest: input.source.manifest,
          onFile: (files) => Context.current().heartbeat({ files }),
        });
      } catch (err) {
        // A missing bucket or refused credentials (the store's own words) fail the job as a bad folder or template does.
        if (!(err instanceof DocumentSourceError || err instanceof StorageError)) throw err;
        const ofOutput = err instanceof StorageError && err.ref.startsWith(input.output);
        throw ApplicationFailure.create({
          message: `${err instanceof StorageError ? storageProblem(err, input) : err.message}; no batch was created`,
          type: ofOutput ? 'InvalidOutput' : 'InvalidDocumentSource',
          nonRetryable: true,
        });
      }
    },
  };
}

/** The store's refusal, said of what the job was given: its template, its documents or its output. */
function storageProblem(err: StorageError, input: BuildRequestsInput): string {
  const { template, documents } = input.source;
  const what =
    err.ref === template
      ? 'template'
      : err.ref === documents || err.ref.startsWith(`${documents}/`)
        ? 'documents'
        : 'output';
  return `${what} ${err.ref}: ${err.problem}`;
}
