// Pure resolution of a job's options from its input: used by the workflow (deterministic) and the CLI.
import { msToNumber } from '@temporalio/common/lib/time';
import {
  API_MAX_BATCH_BYTES,
  API_MAX_REQUESTS_PER_BATCH,
  JOB_DEFAULTS,
  type BatchJobInput,
  type JobOptions,
  type RetryableOutcome,
} from './job';

const RETRYABLE: readonly RetryableOutcome[] = [
  'expired',
  'invalid_request_error',
  'authentication_error',
  'billing_error',
  'permission_error',
  'not_found_error',
  'rate_limit_error',
  'timeout_error',
  'overloaded_error',
  'api_error',
];

/** A problem with the job's input itself (not with the requests file). */
export class JobInputError extends Error {
  override name = 'JobInputError';
}

function positiveInt(value: unknown, what: string, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > max) {
    throw new JobInputError(`${what} must be a whole number from 1 to ${max}, got ${JSON.stringify(value)}`);
  }
  return value;
}

function duration(value: string | number | undefined, fallback: number, what: string): number {
  if (value === undefined) return fallback;
  let ms: number;
  try {
    ms = msToNumber(value as Parameters<typeof msToNumber>[0]);
  } catch {
    throw new JobInputError(`${what} is not a duration: ${JSON.stringify(value)}`);
  }
  if (!(ms > 0)) throw new JobInputError(`${what} must be positive, got ${JSON.stringify(value)}`);
  return ms;
}

/** `file:///a/b.jsonl` or `/a/b.jsonl` → `/a/b.jsonl`. */
export function uriToPath(uri: string): string {
  return uri.startsWith('file://') ? decodeURIComponent(uri.slice('file://'.length)) : uri;
}

function folderOf(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash <= 0 ? (slash === 0 ? '/' : '.') : path.slice(0, slash);
}

/** Fills every default and checks the input; the workflow records the result as the options it ran with. */
export function resolveJobOptions(input: BatchJobInput, workflowId: string): JobOptions {
  if (typeof input !== 'object' || input === null) throw new JobInputError('the job input must be an object');
  if (typeof input.requests !== 'string' || input.requests.length === 0) {
    throw new JobInputError('`requests` (the path of a JSONL file of requests) is required');
  }
  const requestsPath = uriToPath(input.requests);
  const polling = {
    initialIntervalMs: duration(
      input.polling?.initialInterval,
      JOB_DEFAULTS.polling.initialIntervalMs,
      'polling.initialInterval',
    ),
    maxIntervalMs: duration(input.polling?.maxInterval, JOB_DEFAULTS.polling.maxIntervalMs, 'polling.maxInterval'),
    backoffCoefficient: input.polling?.backoffCoefficient ?? JOB_DEFAULTS.polling.backoffCoefficient,
  };
  if (!(polling.backoffCoefficient >= 1)) throw new JobInputError('polling.backoffCoefficient must be at least 1');
  polling.maxIntervalMs = Math.max(polling.maxIntervalMs, polling.initialIntervalMs);
  const retryOn = input.retryOn ?? [...JOB_DEFAULTS.retryOn];
  for (const outcome of retryOn) {
    if (!RETRYABLE.includes(outcome)) throw new JobInputError(`retryOn: unknown outcome ${JSON.stringify(outcome)}`);
  }
  const maxRetryRounds = input.maxRetryRounds ?? JOB_DEFAULTS.maxRetryRounds;
  if (!Number.isInteger(maxRetryRounds) || maxRetryRounds < 0 || maxRetryRounds > 20) {
    throw new JobInputError('maxRetryRounds must be a whole number from 0 to 20');
  }
  const defaults = { ...input.defaults };
  if (defaults.max_tokens !== undefined) positiveInt(defaults.max_tokens, 'defaults.max_tokens');
  return {
    requests: requestsPath,
    output: input.output ? uriToPath(input.output) : `${folderOf(requestsPath)}/${workflowId}`,
    defaults,
    polling,
    maxRetryRounds,
    retryOn,
    chunk: {
      maxRequests: positiveInt(
        input.chunk?.maxRequests ?? JOB_DEFAULTS.chunk.maxRequests,
        'chunk.maxRequests',
        API_MAX_REQUESTS_PER_BATCH,
      ),
      maxBytes: positiveInt(
        input.chunk?.maxBytes ?? JOB_DEFAULTS.chunk.maxBytes,
        'chunk.maxBytes',
        API_MAX_BATCH_BYTES,
      ),
    },
    submitConcurrency: positiveInt(input.submitConcurrency ?? JOB_DEFAULTS.submitConcurrency, 'submitConcurrency', 64),
    name: input.name ?? requestsPath.slice(requestsPath.lastIndexOf('/') + 1),
    continueAsNewAfterEvents: positiveInt(
      input.continueAsNewAfterEvents ?? JOB_DEFAULTS.continueAsNewAfterEvents,
      'continueAsNewAfterEvents',
      40_000,
    ),
  };
}
