import { ApplicationFailure } from '@temporalio/common';
import { Context } from '@temporalio/activity';
import type { BuildReport, JobOptions, RequestDefaults } from '../shared/job';
import { buildRequestsFromDocuments, DocumentSourceError } from '../sources/build-requests';
import { StorageError, type JobStorage } from '../storage/storage';
import { probeOutput } from './prepare';
import { workPaths } from './work-paths';

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
      const paths = workPaths(storage, input.output, input.jobKey);
      // Before reading any document: an output the job cannot write fails it now, not after the whole source is read.
      await probeOutput(
        storage,
        `output ${input.output}`,
        storage.join(paths.work, 'output-probe'),
        outputProbeTimeoutMs,
      );
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
        await storage.remove(paths.work);
        const ofOutput = err instanceof StorageError && err.ref.startsWith(input.output);
        throw ApplicationFailure.create({
          message: `${err.message}; no batch was created`,
          type: ofOutput ? 'InvalidOutput' : 'InvalidDocumentSource',
          nonRetryable: true,
        });
      }
    },
  };
}
