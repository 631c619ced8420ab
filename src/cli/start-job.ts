// The options shared by `run` and `start`, and starting a job from them.
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { workflowIdFor, type BatchJobClient } from '../client';
import type { BatchJobInput, BatchJobResult, RequestDefaults } from '../shared/job';
import { JobInputError, resolveJobOptions } from '../shared/options';
import { validateFile } from './check-requests';
import { UserError, type CliContext } from './context';
import { summaryTable } from './format';

export interface JobFlags {
  output?: string;
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
    .option('--model <model>', 'default model for requests that name none')
    .option('--max-tokens <n>', 'default max_tokens for requests that set none')
    .option('--system <text>', 'default system prompt')
    .option('--name <name>', 'a name for the job (its workflow id derives from it)')
    .option('--id <workflowId>', 'the workflow id (starting the same id twice does not run the job twice)')
    .option('--max-retry-rounds <n>', 'retry rounds for expired and transient errors', '3')
    .option('--chunk-size <n>', 'requests per batch (at most 100000)')
    .option('--poll-interval <duration>', 'first wait between checks of a batch, e.g. 30s (default 1 minute)')
    .option('--max-poll-interval <duration>', 'longest wait between checks (default 10 minutes)')
    .option('--budget <usd>', 'the most the job may spend at batch prices; over it, it waits for `approve`');
}

export function inputOf(file: string, flags: JobFlags): BatchJobInput & { requests: string } {
  const defaults: RequestDefaults = {
    ...(flags.model ? { model: flags.model } : {}),
    ...(flags.maxTokens ? { max_tokens: Number(flags.maxTokens) } : {}),
    ...(flags.system ? { system: flags.system } : {}),
  };
  return {
    requests: resolve(file),
    ...(flags.output ? { output: resolve(flags.output) } : {}),
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

export async function startJob(
  ctx: CliContext,
  file: string,
  flags: JobFlags,
): Promise<{ jobs: BatchJobClient; workflowId: string }> {
  const input = inputOf(file, flags);
  const workflowId = flags.id ?? workflowIdFor(flags.name ?? `${input.requests.split('/').pop()}-${Date.now()}`);
  try {
    // The workflow's own check of its input, so a bad option is reported here rather than as a failed job.
    resolveJobOptions(input, workflowId);
  } catch (err) {
    throw err instanceof JobInputError ? new UserError(err.message) : err;
  }
  await validateFile(input.requests, input.defaults);
  const jobs = await ctx.connect();
  await jobs.startBatchJob(input, { workflowId, searchAttributes: process.env.CLAUDE_BATCH_SEARCH_ATTRIBUTES !== '0' });
  return { jobs, workflowId };
}

export function printResult(ctx: CliContext, result: BatchJobResult, workflowId: string): void {
  ctx.print(`\n${summaryTable(result.summary, result.resultsPath)}\n  web ui     ${ctx.jobLink(workflowId)}`, result);
}
