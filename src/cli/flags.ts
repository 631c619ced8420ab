// Flag values checked before anything starts: numbers that are numbers, durations that carry their unit.
import { msToNumber } from '@temporalio/common/lib/time';
import { API_MAX_REQUESTS_PER_BATCH } from '../shared/job';
import { UserError } from './exit-codes';
import type { JobFlags } from './start-job';

/** A whole number within bounds, or a UserError naming the flag. */
export function wholeNumber(flag: string, raw: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const n = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || n < min || n > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `${min} or more` : `from ${min} to ${max}`;
    throw new UserError(`${flag} must be a whole number ${range}, got ${raw}`);
  }
  return n;
}

/** An amount of US dollars above zero. */
export function dollars(flag: string, raw: string): number {
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(n) || n <= 0) {
    throw new UserError(`${flag} must be an amount of US dollars above 0, e.g. 2.50, got ${raw}`);
  }
  return n;
}

/** A duration with its unit (`30s`, `5m`, `1h`, `2 minutes`): a bare number would silently be milliseconds. */
export function duration(flag: string, raw: string): number {
  if (/^\s*\d+(\.\d+)?\s*$/.test(raw)) {
    throw new UserError(`${flag} ${raw} has no unit: give one, e.g. ${raw.trim()}s or ${raw.trim()}m`);
  }
  let ms: number;
  try {
    ms = msToNumber(raw as Parameters<typeof msToNumber>[0]);
  } catch {
    ms = NaN;
  }
  if (!(ms > 0)) throw new UserError(`${flag} must be a duration such as 30s, 5m or 1h, got ${raw}`);
  return ms;
}

/** The job flags of `run` and `start`, checked before a file is read or a server reached. */
export function checkJobFlags(flags: JobFlags): void {
  if (flags.maxTokens !== undefined) wholeNumber('--max-tokens', flags.maxTokens, 1);
  if (flags.maxRetryRounds !== undefined) wholeNumber('--max-retry-rounds', flags.maxRetryRounds, 0, 100);
  if (flags.chunkSize !== undefined) {
    const n = Number(flags.chunkSize);
    if (!Number.isInteger(n) || n < 1 || n > API_MAX_REQUESTS_PER_BATCH) {
      // In the workflow's words too, so the message matches what the job itself would have said.
      throw new UserError(
        `--chunk-size ${flags.chunkSize}: chunk.maxRequests must be a whole number from 1 to ${API_MAX_REQUESTS_PER_BATCH}, got ${flags.chunkSize}`,
      );
    }
  }
  if (flags.pollInterval !== undefined) duration('--poll-interval', flags.pollInterval);
  if (flags.maxPollInterval !== undefined) duration('--max-poll-interval', flags.maxPollInterval);
  if (flags.budget !== undefined) dollars('--budget', flags.budget);
}
