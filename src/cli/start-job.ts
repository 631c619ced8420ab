// The options shared by `run` and `start`, and starting a job from them.
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { workflowIdFor, type BatchJobClient } from '../client';
import type { BatchJobInput, RequestDefaults } from '../shared/job';
import { isS3Uri } from '../storage/storage';
import { JobInputError, resolveJobOptions } from '../shared/options';
import { validateFile } from './check-requests';
import { UserError, type CliContext } from './context';
import { collect, DOCUMENT_DEFAULTS, sourceOf, type DocumentFlags } from './document-source';
import { checkJobFlags } from './flags';
import { missingSearchAttributes, runningJob, warnIfNoWorker } from './server-checks';

export interface JobFlags extends DocumentFlags {
  output?: string;
  work?: string;
  model?: string;
  maxTokens?: string;
  system?: string;
  name?: string;
  id?: string;
  maxRetryRounds?: string;
  chunkSize?: string;
  pollInterval?: string;
  maxPollInterval?: string;
  budget?: string;
}

export function jobOptions(cmd: Command): Command {
  return cmd
    .option('-o, --output <folder>', 'where results.jsonl and summary.json go (default: next to the input)')
    .option('--work <folder>', "the job's work area: chunks and raw outcomes (default: <output>/.work)")
    .option('--model <model>', 'default model for requests that name none')
    .option('--max-tokens <n>', 'default max_tokens for requests that set none')
    .option('--system <text>', 'default system prompt')
    .option('--name <name>', 'a name for the job (its workflow id derives from it)')
    .option('--id <workflowId>', 'the workflow id (starting the same id twice does not run the job twice)')
    .option('--max-retry-rounds <n>', 'retry rounds for expired and transient errors', '3')
    .option('--chunk-size <n>', 'requests per batch (at most 100000)')
    .option('--poll-interval <duration>', 'first wait between checks of a batch, e.g. 30s (default 1 minute)')
    .option('--max-poll-interval <duration>', 'longest wait between checks (default 10 minutes)')
    .option('--budget <usd>', 'the most the job may spend at batch prices; over it, it waits for `approve`')
    .option(
      '-t, --template <prompt.txt>',
      'given a folder (or s3:// prefix) of documents instead of a requests file: the prompt, with {{document}}',
    )
    .option('--include <glob>', 'with --template: only documents matching it (repeatable)', collect)
    .option('--exclude <glob>', 'with --template: leave out documents matching it (repeatable)', collect);
}

/** The job's input: a requests file, or with --template a folder of documents (built as `claude-batch build` does). */
export function inputOf(file: string, flags: JobFlags): BatchJobInput {
  const { template } = flags;
  const defaults: RequestDefaults = {
    ...(template ? DOCUMENT_DEFAULTS : {}),
    ...(flags.model ? { model: flags.model } : {}),
    ...(flags.maxTokens ? { max_tokens: Number(flags.maxTokens) } : {}),
    ...(flags.system ? { system: flags.system } : {}),
  };
  if (!template && (flags.include || flags.exclude)) {
    throw new UserError('--include and --exclude choose documents: give --template and a folder of documents');
  }
  // A local path is made absolute for the workers; an s3:// URI means the same to every machine.
  const where = (ref: string) => (isS3Uri(ref) ? ref : resolve(ref));
  return {
    ...(template ? { source: sourceOf(file, { ...flags, template }) } : { requests: where(file) }),
    ...(flags.output ? { output: where(flags.output) } : {}),
    ...(flags.work ? { work: where(flags.work) } : {}),
    ...(Object.keys(defaults).length > 0 ? { defaults } : {}),
    ...(flags.name ? { name: flags.name } : {}),
    ...(flags.maxRetryRounds ? { maxRetryRounds: Number(flags.maxRetryRounds) } : {}),
    ...(flags.chunkSize ? { chunk: { maxRequests: Number(flags.chunkSize) } } : {}),
    ...(flags.budget !== undefined ? { budgetUsd: Number(flags.budget) } : {}),
    ...(flags.pollInterval || flags.maxPollInterval
      ? {
          polling: {
            ...(flags.pollInterval ? { initialInterval: flags.pollInterval } : {}),
            ...(flags.maxPollInterval ? { maxInterval: flags.maxPollInterval } : {}),
          },
        }
      : {}),
  };
}

/**
 * A job's workflow id: --id as given; otherwise its name (or the file's) and the start time, so the same nightly job
 * gets a new id every night (a completed job's id cannot be used again).
 */
export function workflowIdOf(flags: JobFlags, requests: string, now = new Date()): string {
  if (flags.id) return flags.id;
  // Milliseconds too: two runs started by a script in the same second are two jobs.
  const stamp = now.toISOString().replace(/[-:]/g, '');
  return workflowIdFor(`${flags.name ?? requests.split('/').pop()}-${stamp}`);
}

export async function startJob(
  ctx: CliContext,
  file: string,
  flags: JobFlags,
): Promise<{ jobs: BatchJobClient; workflowId: string }> {
  checkJobFlags(flags);
  const input = inputOf(file, flags);
  const workflowId = workflowIdOf(flags, input.requests ?? input.source!.documents);
  try {
    // The workflow's own check of its input, so a bad option is reported here rather than as a failed job.
    resolveJobOptions(input, workflowId);
  } catch (err) {
    throw err instanceof JobInputError ? new UserError(err.message) : err;
  }
  // A folder of documents is the workers' to read (perhaps on their machines only); the job checks it before any batch.
  if (input.requests) await validateFile(input.requests, input.defaults);
  const jobs = await ctx.connect();
  const { address, namespace } = ctx.server();
  const running = await runningJob(jobs, workflowId);
  let searchAttributes = process.env.CLAUDE_BATCH_SEARCH_ATTRIBUTES !== '0';
  if (searchAttributes) {
    const missing = await missingSearchAttributes(jobs).catch(() => []);
    if (missing.length > 0) {
      searchAttributes = false;
      console.error(
        `claude-batch: note: namespace ${namespace} on ${address} has no ${missing.join(', ')} search attributes, so the job starts without them (\`list\` shows less); register them as the README says (\`claude-batch dev\` does), or set CLAUDE_BATCH_SEARCH_ATTRIBUTES=0 to stop this note`,
      );
    }
  }
  await jobs.startBatchJob(input, { workflowId, searchAttributes }).catch((err: unknown) => {
    throw err instanceof WorkflowExecutionAlreadyStartedError
      ? new UserError(
          `job ${workflowId} has already run to its end, and a completed job's id cannot be used again: give another --id, or use --name for an id of its own each run (\`claude-batch results ${workflowId}\` gives its results)`,
        )
      : err;
  });
  if (running) {
    console.error(
      `claude-batch: ${workflowId} was already running (started ${running.startTime.toISOString()}, run ${running.runId}): attached to that job, no new one started; give another --id (or --name) for a new job`,
    );
  }
  await warnIfNoWorker(ctx, jobs, jobs.taskQueue);
  return { jobs, workflowId };
}
