// Decides, at creation, how each request will end. It counts submissions of identical params across batches so that
// "fail N times, then succeed" holds even when a client resubmits a request under a new custom_id. What a batch
// counts is held back until the batch is accepted: a create refused midway (a duplicate custom_id at request 90,000)
// leaves the counts as they were.
import { createHash } from 'node:crypto';
import { cachePrefixOf, textOf, type CacheUse, type MessageParams } from './completions';
import { paramsProblem, type ParamsContext } from './params';
import { PromptCache, WAVE_MS, type PromptCacheView } from './prompt-cache';
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

/** Counts by key, with a round's increments kept apart until it commits (so concurrent rounds add up). */
class StagedCounts {
  private readonly added = new Map<string, number>();

  constructor(private readonly committed: Map<string, number>) {}

  count(key: string): number {
    return (this.committed.get(key) ?? 0) + (this.added.get(key) ?? 0);
  }

  increment(key: string): void {
    this.added.set(key, (this.added.get(key) ?? 0) + 1);
  }

  commit(): void {
    for (const [key, n] of this.added) this.committed.set(key, (this.committed.get(key) ?? 0) + n);
    this.added.clear();
  }
}

export class OutcomePlanner {
  /** Submissions seen so far per params digest. */
  private readonly submissions = new Map<string, number>();
  private rules: { rule: RequestRule; applied: Map<string, number> }[] = [];
  /** Cached prompt prefixes, shared by batches and single messages. */
  private readonly cache = new PromptCache();

  addRule(rule: RequestRule): void {
    this.rules.push({ rule, applied: new Map() });
  }

  reset(): void {
    this.submissions.clear();
    this.rules = [];
    this.cache.clear();
  }

  /**
   * Plans one batch's requests; nothing it counts is seen by other batches until `commit()`. `context` is what the
   * create says beyond its requests (its betas); `schedule`, when its requests are processed (creation time and
   * requests per second), which decides their cache waves.
   */
  round(
    scenario: Scenario,
    context: ParamsContext = {},
    schedule: BatchSchedule = { createdAt: 0, rate: 1 },
  ): PlanningRound {
    return new PlanningRound(
      scenario,
      new StagedCounts(this.submissions),
      this.rules.map(({ rule, applied }) => ({ rule, applied: new StagedCounts(applied) })),
      this.cache.view(),
      context,
      schedule,
    );
  }

  /** The cache use of a single (non-batch) message at `now`: it reads what is available, and writes at once. */
  cacheUse(params: MessageParams, now: number): CacheUse {
    const prefix = cachePrefixOf(params);
    if (!prefix) return 'none';
    const view = this.cache.view();
    const use = view.use(digest(prefix.key).toString('base64'), prefix.ttl, now, now);
    view.commit();
    return use;
  }
}

/** When a batch's requests are processed: from `createdAt`, `rate` requests a second (emulator time). */
export interface BatchSchedule {
  createdAt: number;
  rate: number;
}

export class PlanningRound {
  constructor(
    private readonly scenario: Scenario,
    private readonly submissions: StagedCounts,
    private readonly rules: { rule: RequestRule; applied: StagedCounts }[],
    private readonly cache: PromptCacheView,
    private readonly paramsContext: ParamsContext = {},
    private readonly schedule: BatchSchedule = { createdAt: 0, rate: 1 },
  ) {}

  /**
   * `paramsJson` is `JSON.stringify(params)`, passed in because the caller already has it; `index` is the request's
   * place in its batch, which decides its cache wave.
   */
  plan(customId: string, params: unknown, paramsJson: string, index = 0): PlannedRequest {
    const key = digest(paramsJson).toString('base64');
    const seenBefore = this.submissions.count(key);
    this.submissions.increment(key);

    const problem = paramsProblem(params, this.paramsContext);
    if (problem) return { outcome: 'errored', error: problem, cache: 'none' };
    const typed = params as MessageParams;
    const text = textOf(typed);

    const marker = MARKER.exec(text);
    if (marker && seenBefore < (marker[3] ? Number(marker[3]) : Infinity)) {
      return marker[2] ? { outcome: 'expired', cache: 'none' } : failure(marker[1]);
    }
    for (const { rule, applied } of this.rules) {
      if (!matches(rule.match.customId, customId) || !matches(rule.match.text, text)) continue;
      if (applied.count(key) >= (rule.times ?? Infinity)) continue;
      applied.increment(key);
      if (rule.outcome === 'errored') return failure(rule.errorType);
      if (rule.outcome === 'expired') return { outcome: 'expired', cache: 'none' };
      return { outcome: 'succeeded', cache: this.cacheUse(typed, paramsJson, index) };
    }
    const unit = digest(`${customId}\n${paramsJson}`).readUInt32BE(0) / 0x100000000;
    const { erroredFraction, expiredFraction, errorType } = this.scenario;
    if (erroredFraction !== undefined && unit < erroredFraction) return failure(errorType);
    if (expiredFraction !== undefined && unit >= 1 - expiredFraction) return { outcome: 'expired', cache: 'none' };
    return { outcome: 'succeeded', cache: this.cacheUse(typed, paramsJson, index) };
  }

  /**
   * Request `index` runs in the wave of the second of processing it is done in, which starts at the beginning of that
   * second: it reads an entry available by then (written by an earlier wave, another batch, a single message), or
   * writes one that becomes available when its wave ends.
   */
  private cacheUse(params: MessageParams, paramsJson: string, index: number): CacheUse {
    // Most requests mark no breakpoint: skip walking their prompt.
    if (!paramsJson.includes('"cache_control"')) return 'none';
    const prefix = cachePrefixOf(params);
    if (!prefix) return 'none';
    const { createdAt, rate } = this.schedule;
    const doneOffset = Math.ceil((WAVE_MS * (index + 1)) / rate);
    const waveStart = createdAt + Math.floor((doneOffset - 1) / WAVE_MS) * WAVE_MS;
    return this.cache.use(digest(prefix.key).toString('base64'), prefix.ttl, waveStart, waveStart + WAVE_MS);
  }

  /** Makes this round's counts count for the batches after it. */
  commit(): void {
    this.submissions.commit();
    for (const { applied } of this.rules) applied.commit();
    this.cache.commit();
  }
}

function failure(errorType: string | undefined): PlannedRequest {
  const type = errorType ?? 'api_error';
  return { outcome: 'errored', error: { type, message: `Emulated ${type}` }, cache: 'none' };
}
