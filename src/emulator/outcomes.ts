// Decides, at creation, how each request will end. It counts submissions of identical params across batches so that
// "fail N times, then succeed" holds even when a client resubmits a request under a new custom_id.
import { createHash } from 'node:crypto';
import { cachePrefixOf, paramsProblem, textOf, type CacheUse, type MessageParams } from './completions';
import type { PlannedOutcome, RequestRule, Scenario } from './types';

export interface PlannedRequest {
  outcome: PlannedOutcome;
  error?: { type: string; message: string };
  cache: CacheUse;
}

/** `[emulator:errored=<type>]`, `[emulator:expired]`, either with ` x<N>` for only the first N submissions. */
const MARKER = /\[emulator:(?:errored=([a-z_]+)|(expired))(?:\s+x(\d+))?\]/;

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

function matches(pattern: RegExp | string | undefined, value: string): boolean {
  if (pattern === undefined) return true;
  if (typeof pattern === 'string') return value.includes(pattern);
  pattern.lastIndex = 0;
  return pattern.test(value);
}

export class OutcomePlanner {
  /** Submissions seen so far per params digest. */
  private readonly submissions = new Map<string, number>();
  private rules: { rule: RequestRule; applied: Map<string, number> }[] = [];
  private readonly cachedPrefixes = new Set<string>();

  addRule(rule: RequestRule): void {
    this.rules.push({ rule, applied: new Map() });
  }

  reset(): void {
    this.submissions.clear();
    this.rules = [];
    this.cachedPrefixes.clear();
  }

  /** `paramsJson` is `JSON.stringify(params)`, passed in because the caller already has it. */
  plan(customId: string, params: unknown, paramsJson: string, scenario: Scenario): PlannedRequest {
    const key = digest(paramsJson).toString('base64');
    const seenBefore = this.submissions.get(key) ?? 0;
    this.submissions.set(key, seenBefore + 1);

    const problem = paramsProblem(params);
    if (problem)
      return { outcome: 'errored', error: { type: 'invalid_request_error', message: problem }, cache: 'none' };
    const typed = params as MessageParams;
    const text = textOf(typed);

    const marker = MARKER.exec(text);
    if (marker && seenBefore < (marker[3] ? Number(marker[3]) : Infinity)) {
      return marker[2] ? { outcome: 'expired', cache: 'none' } : failure(marker[1]);
    }
    for (const { rule, applied } of this.rules) {
      if (!matches(rule.match.customId, customId) || !matches(rule.match.text, text)) continue;
      const times = applied.get(key) ?? 0;
      if (times >= (rule.times ?? Infinity)) continue;
      applied.set(key, times + 1);
      if (rule.outcome === 'errored') return failure(rule.errorType);
      if (rule.outcome === 'expired') return { outcome: 'expired', cache: 'none' };
      return { outcome: 'succeeded', cache: this.cacheUse(typed, paramsJson) };
    }
    const unit = digest(`${customId}\n${paramsJson}`).readUInt32BE(0) / 0x100000000;
    if (scenario.erroredFraction !== undefined && unit < scenario.erroredFraction) return failure(scenario.errorType);
    if (scenario.expiredFraction !== undefined && unit >= 1 - scenario.expiredFraction) {
      return { outcome: 'expired', cache: 'none' };
    }
    return { outcome: 'succeeded', cache: this.cacheUse(typed, paramsJson) };
  }

  /** First sight of a cached prefix writes the cache; later sights read it. */
  cacheUse(params: MessageParams, paramsJson?: string): CacheUse {
    // Most requests mark no breakpoint: skip walking their prompt.
    if (paramsJson !== undefined && !paramsJson.includes('"cache_control"')) return 'none';
    const prefix = cachePrefixOf(params);
    if (!prefix) return 'none';
    const key = digest(prefix.key).toString('base64');
    if (this.cachedPrefixes.has(key)) return 'read';
    this.cachedPrefixes.add(key);
    return 'write';
  }
}

function failure(errorType: string | undefined): PlannedRequest {
  const type = errorType ?? 'api_error';
  return { outcome: 'errored', error: { type, message: `Emulated ${type}` }, cache: 'none' };
}
