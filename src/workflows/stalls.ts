// Reading an activity's failure as the job sees it: is the API refusing us, and what should a person check.
import { ActivityFailure, ApplicationFailure, TimeoutFailure } from '@temporalio/workflow';
import type { SubmitFailureDetails } from '../activities/batches';

/** The failure at the root of an activity's failure, with the API's HTTP status when it came from the API. */
function rootOf(err: unknown): { failure: unknown; status?: number } {
  const failure = err instanceof ActivityFailure ? (err.cause ?? err) : err;
  const status =
    failure instanceof ApplicationFailure ? Number(/^AnthropicApi(\d{3})$/.exec(failure.type ?? '')?.[1]) : NaN;
  return Number.isFinite(status) ? { failure, status } : { failure };
}

/** The error as a person should read it. */
export function errorText(err: unknown): string {
  const { failure } = rootOf(err);
  if (failure instanceof TimeoutFailure) return `the worker running the step stopped answering (${failure.message})`;
  return failure instanceof Error ? failure.message : String(failure);
}

/** What to check, from what the API answered. */
export function hintFor(err: unknown): string {
  const { status } = rootOf(err);
  switch (status) {
    case 401:
      return 'the API refused the workers’ key: check ANTHROPIC_API_KEY on every worker';
    case 403:
      return 'the workers’ key may not use this batch: check it belongs to the workspace that created the job’s batches';
    case 404:
      return 'the API does not know this batch: check that every worker’s ANTHROPIC_BASE_URL and key point at the workspace (or emulator) that created it';
    case 429:
    case 500:
    case 502:
    case 503:
    case 504:
    case 529:
      return 'the API is rate limiting, overloaded or failing: the job goes on by itself when it answers again';
    case undefined:
      return 'the API could not be reached from the workers (network, ANTHROPIC_BASE_URL) or the workers are stopping: the job goes on by itself when a worker gets through';
    default:
      return 'the API refused the call: check the workers’ key, workspace and ANTHROPIC_BASE_URL';
  }
}

/**
 * Whether a failed submission may end the job at once: only a refusal by the API (a 4xx that retrying cannot fix,
 * such as a bad key) of a create that certainly made no batch. Outages, timeouts and dying workers never end it.
 */
export function refusedWithoutBatch(err: unknown): boolean {
  const { failure, status } = rootOf(err);
  if (!(failure instanceof ApplicationFailure) || !failure.nonRetryable || status === undefined) return false;
  const details = failure.details?.[0] as SubmitFailureDetails | undefined;
  return details?.batchMayExist !== true;
}
