import Anthropic from '@anthropic-ai/sdk';
import { ApplicationFailure } from '@temporalio/common';

/**
 * Turns an Anthropic SDK error into a Temporal failure with the right retry behaviour: 4xx other than 408/409/429 is
 * the request's fault and is not retried; 429, 5xx and 529 are retried, after `retry-after` when the API gives one.
 */
export function toActivityFailure(err: unknown, what: string): unknown {
  if (!(err instanceof Anthropic.APIError)) return err;
  const status = (err as { status?: unknown }).status;
  const message = `${what}: ${err.message}`;
  if (typeof status !== 'number') return err; // connection errors: retried by the activity's policy
  const retryable = status === 408 || status === 409 || status === 429 || status >= 500;
  if (!retryable) {
    return ApplicationFailure.create({ message, type: `AnthropicApi${status}`, nonRetryable: true });
  }
  const headers = err.headers as Headers | undefined;
  const retryAfter = Number(headers?.get('retry-after'));
  return ApplicationFailure.create({
    message,
    type: `AnthropicApi${status}`,
    ...(Number.isFinite(retryAfter) && retryAfter > 0 ? { nextRetryDelay: retryAfter * 1000 } : {}),
  });
}

/** Runs an SDK call, translating its failure. */
export async function callApi<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    throw toActivityFailure(err, what);
  }
}
