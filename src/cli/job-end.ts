// What became of a job, read from Temporal (its result or its failure), and the exit code each end maps to.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  ActivityFailure,
  ApplicationFailure,
  CancelledFailure,
  TerminatedFailure,
  WorkflowFailedError,
  defaultPayloadConverter,
} from '@temporalio/client';
import { arrayFromPayloads } from '@temporalio/common';
import type { BatchJobClient } from '../client';
import type { BatchJobInput, BatchJobResult, JobSummary } from '../shared/job';
import { resolveJobOptions } from '../shared/options';
import type { CarriedJob } from '../workflows/batch-job';
import { EXIT } from './exit-codes';

export type JobEnd =
  | { outcome: 'COMPLETED' | 'COMPLETED with errors'; result: BatchJobResult }
  /** Canceled: what finished is on disk (absent when the job was canceled before it read its input). */
  | { outcome: 'CANCELED'; result?: BatchJobResult }
  | { outcome: 'FAILED' | 'TERMINATED' | 'TIMED OUT'; cause: string; failureType?: string };

/** Requests that did not succeed. */
export const failedRequests = (summary: JobSummary): number => summary.totalRequests - summary.outcomes.succeeded;

/** How a job that returned a result ended. */
export function completed(result: BatchJobResult): JobEnd {
  return { outcome: failedRequests(result.summary) > 0 ? 'COMPLETED with errors' : 'COMPLETED', result };
}

/** How a closed job ended, from its result or its failure (`result` is the job's handle.result()). */
export async function jobEndOf(
  jobs: BatchJobClient,
  workflowId: string,
  result: Promise<BatchJobResult>,
): Promise<JobEnd> {
  try {
    return completed(await result);
  } catch (err) {
    if (!(err instanceof WorkflowFailedError)) throw err;
    if (err.cause instanceof CancelledFailure) {
      return { outcome: 'CANCELED', ...(await canceledResult(jobs, workflowId)) };
    }
    if (err.cause instanceof TerminatedFailure) {
      return { outcome: 'TERMINATED', cause: err.cause.message || 'terminated' };
    }
    if (!err.cause) return { outcome: 'TIMED OUT', cause: err.message };
    const root = rootCause(err.cause);
    return {
      outcome: 'FAILED',
      cause: root.message,
      ...(root instanceof ApplicationFailure && root.type ? { failureType: root.type } : {}),
    };
  }
}

/** The failure at the bottom of the chain: the API's error or the bad line, not "Activity task failed". */
function rootCause(failure: Error): Error {
  let f = failure;
  while ((f instanceof ActivityFailure || f instanceof ApplicationFailure) && f.cause instanceof Error) f = f.cause;
  return f;
}

/** What to do after a failure of this type. */
export function nextStepAfter(end: Extract<JobEnd, { cause: string }>, workflowId: string): string {
  if (end.failureType === 'InvalidRequestsFile' || end.failureType === 'InvalidJobInput') {
    return 'fix the requests file (`claude-batch validate <file>` lists every problem) and start the job again';
  }
  if (end.failureType === 'InvalidDocumentSource') {
    return "fix the documents folder or template (`claude-batch build <folder> -t <prompt> -o <file>` previews the job's build offline) and start the job again";
  }
  if (end.failureType?.startsWith('AnthropicApi')) {
    return `check the workers' ANTHROPIC_API_KEY and ANTHROPIC_BASE_URL, then start the job again (a failed job's id, ${workflowId}, may be used again)`;
  }
  if (end.outcome === 'TERMINATED') return 'its results were not written; start the job again to run it';
  return 'see its history in the Web UI, then start the job again';
}

/**
 * Where a job writes its results, from the input it was started with (its latest run's first event): a canceled job
 * has no result, but its summary and results are on disk there.
 */
async function outputFolderOf(jobs: BatchJobClient, workflowId: string): Promise<string | undefined> {
  const history = await jobs.handle(workflowId).fetchHistory();
  const payloads = history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads;
  const [input, carried] = arrayFromPayloads(defaultPayloadConverter, payloads) as [BatchJobInput?, CarriedJob?];
  if (carried) return carried.options.output;
  if (!input) return undefined;
  try {
    return resolveJobOptions(input, workflowId).output;
  } catch {
    return undefined;
  }
}

async function canceledResult(jobs: BatchJobClient, workflowId: string): Promise<{ result?: BatchJobResult }> {
  const output = await outputFolderOf(jobs, workflowId).catch(() => undefined);
  if (!output) return {};
  const summaryPath = join(output, 'summary.json');
  try {
    const summary = JSON.parse(await readFile(summaryPath, 'utf8')) as JobSummary;
    return { result: { summary, resultsPath: join(output, 'results.jsonl'), summaryPath } };
  } catch {
    return {};
  }
}

/** The exit code of a job's end. */
export function exitCodeOf(end: JobEnd): number {
  switch (end.outcome) {
    case 'COMPLETED':
      return EXIT.ok;
    case 'COMPLETED with errors':
    case 'CANCELED':
      return EXIT.requestsFailed;
    default:
      return EXIT.error;
  }
}

/** One sentence on how the job ended, for stderr (undefined when every request succeeded). */
export function endSentence(end: JobEnd, workflowId: string): string | undefined {
  switch (end.outcome) {
    case 'COMPLETED':
      return undefined;
    case 'COMPLETED with errors': {
      const o = end.result.summary.outcomes;
      return `job ${workflowId} COMPLETED with errors: ${failedRequests(end.result.summary)} of ${end.result.summary.totalRequests} requests did not succeed (${o.errored} errored, ${o.expired} expired, ${o.canceled} canceled); their lines in ${end.result.resultsPath} say why`;
    }
    case 'CANCELED':
      return end.result
        ? `job ${workflowId} was CANCELED: ${end.result.summary.outcomes.succeeded} of ${end.result.summary.totalRequests} requests succeeded before it stopped; the results so far are in ${end.result.resultsPath}`
        : `job ${workflowId} was CANCELED before it wrote any results`;
    default:
      return `job ${workflowId} ${end.outcome}: ${end.cause}; ${nextStepAfter(end, workflowId)}`;
  }
}
