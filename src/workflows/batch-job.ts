// The batch job: validate → submit → wait → collect → retry → report, as deterministic workflow code. All I/O (the
// requests file, the Anthropic API, results) happens in activities; this code holds references, ids and counts.
import {
  ActivityCancellationType,
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  allHandlersFinished,
  condition,
  continueAsNew,
  isCancellation,
  log,
  patched,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { BatchJobActivities } from '../activities';
import type { BatchSnapshot } from '../activities/batches';
import {
  emptyCost,
  emptyCounts,
  emptyTokens,
  type BatchJobInput,
  type BatchJobResult,
  type BuildReport,
  type ChunkState,
  type JobOptions,
  type JobPhase,
  type JobProgress,
  type JobReportRef,
  type JobStall,
  type JobState,
  type RoundState,
} from '../shared/job';
import {
  approveUpdate,
  checkNowSignal,
  checkNowUpdate,
  MESSAGE_DESCRIPTIONS,
  pauseUpdate,
  progressQuery,
  resumeUpdate,
  setBudgetUpdate,
} from '../shared/messages';
import { budgetOf, JobInputError, resolveJobOptions } from '../shared/options';
import { addCost } from '../pricing/prices';
import { jobFailedKey, jobOutcomeKey, jobPhaseKey, jobRequestsKey, jobSucceededKey } from '../shared/search-attributes';
import { progressMarkdown } from './progress-markdown';
import { jobKeyFrom, legacyJobKey } from './job-key';
import { errorText, hintFor, refusedWithoutBatch } from './stalls';
import { holdReason, jobEstimate, unsentEstimate } from './budget';
import { planCheck } from './polling';

// Every activity heartbeats at least every few seconds, so a worker that dies is noticed within its heartbeat
// timeout (20 s) and the work resumes on another worker about that soon after, whatever the step.
const HEARTBEAT_TIMEOUT = '20 seconds';

const { buildRequests, validateAndSplit, planRetryRound, writeReport, cleanUpWorkArea } =
  proxyActivities<BatchJobActivities>({
    // Streaming hundreds of MB: long, but alive (heartbeats), and retried if a worker dies.
    startToCloseTimeout: '2 hours',
    heartbeatTimeout: HEARTBEAT_TIMEOUT,
    retry: {
      initialInterval: '2 seconds',
      maximumInterval: '2 minutes',
      nonRetryableErrorTypes: ['InvalidRequestsFile', 'InvalidOutput'],
    },
  });

// The API's activities give up after a few tries and let the job show why (phase `stalled`) while it goes on trying:
// retried inside an activity, an outage or a refused key would be invisible.
const { submitChunk } = proxyActivities<BatchJobActivities>({
  // Proving which batch is ours after an interrupted create may mean waiting for candidates to end.
  startToCloseTimeout: '25 hours',
  heartbeatTimeout: HEARTBEAT_TIMEOUT,
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '30 seconds', maximumAttempts: 6 },
  cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
});

const { checkBatches, cancelBatch } = proxyActivities<BatchJobActivities>({
  startToCloseTimeout: '2 minutes',
  heartbeatTimeout: HEARTBEAT_TIMEOUT,
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '30 seconds', maximumAttempts: 5 },
});

const { collectBatch } = proxyActivities<BatchJobActivities>({
  startToCloseTimeout: '2 hours',
  heartbeatTimeout: HEARTBEAT_TIMEOUT,
  retry: {
    initialInterval: '2 seconds',
    maximumInterval: '30 seconds',
    maximumAttempts: 6,
    nonRetryableErrorTypes: ['BatchNotOwned'],
  },
});

// Priming only saves money: a few tries, then the round goes without it.
const { primeCache } = proxyActivities<BatchJobActivities>({
  startToCloseTimeout: '30 minutes',
  heartbeatTimeout: HEARTBEAT_TIMEOUT,
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumAttempts: 3 },
});

/** The first wait of a stalled step before it is tried again, and the longest. */
const STALL_FIRST_WAIT_MS = 15_000;
const STALL_MAX_WAIT_MS = 5 * 60_000;

/** What a run hands to the next after Continue-As-New. */
export interface CarriedJob {
  options: JobOptions;
  state: JobState;
  /** The wait before the next check. */
  intervalMs: number;
}

/** The job's own work folder, passed to the activities only when it has one (older jobs' inputs stay as they were). */
const workFolder = (options: JobOptions): { work?: string } =>
  options.work !== undefined ? { work: options.work } : {};

export async function batchJob(input: BatchJobInput, carried?: CarriedJob): Promise<BatchJobResult> {
  const info = workflowInfo();
  let options: JobOptions;
  try {
    // Jobs started before unknown fields were refused (no marker in their history) keep running as they began.
    options =
      carried?.options ??
      resolveJobOptions(input, info.workflowId, {
        unknownFields: patched('refuse-unknown-input-fields') ? 'refuse' : 'ignore',
      });
  } catch (err) {
    if (err instanceof JobInputError) throw ApplicationFailure.nonRetryable(err.message, 'InvalidJobInput');
    throw err;
  }
  let phase: JobPhase = carried ? 'waiting' : 'validating';
  let state: JobState | undefined = carried?.state;
  let intervalMs = carried?.intervalMs ?? options.polling.initialIntervalMs;
  let checkNow = false;
  let nextCheckAt: number | undefined;
  let expectedEndAt: number | undefined;
  /** Checks in a row that were aimed at a predicted end and found nothing ended. */
  let missedEnds = 0;
  /** Steps the API does not let through right now, by step. */
  const stalls = new Map<string, JobStall>();
  const stallOf = (): JobStall | undefined => stalls.values().next().value;
  // Remote control, carried across Continue-As-New in the state.
  let paused = carried?.state.paused ?? false;
  let budgetUsd = carried?.state.budgetUsd ?? options.budgetUsd;
  const approvedRounds = [...(carried?.state.approvedRounds ?? [])];
  let hold: string | undefined;
  let reported: JobReportRef | undefined;

  const view = (): JobProgress =>
    progressOf(state, options, {
      phase,
      nextCheckAt,
      expectedEndAt,
      stall: stallOf(),
      paused,
      budgetUsd,
      hold,
      reported,
    });
  const ended = () => phase === 'done';
  const refuseWhenEnded = () => {
    if (ended()) throw new Error('the job has ended');
  };

  setHandler(progressQuery, view, { description: MESSAGE_DESCRIPTIONS.progress });
  setHandler(
    checkNowSignal,
    () => {
      checkNow = true;
    },
    { description: MESSAGE_DESCRIPTIONS.checkNowSignal },
  );
  setHandler(
    pauseUpdate,
    () => {
      paused = true;
      publish();
      return view();
    },
    {
      validator: refuseWhenEnded,
      description: MESSAGE_DESCRIPTIONS.pause,
    },
  );
  setHandler(
    resumeUpdate,
    async () => {
      paused = false;
      publish();
      await condition(() => phase !== 'paused');
      return view();
    },
    { validator: refuseWhenEnded, description: MESSAGE_DESCRIPTIONS.resume },
  );
  setHandler(
    approveUpdate,
    async () => {
      approvedRounds.push(currentRound().round);
      await condition(() => phase !== 'awaiting-approval');
      return view();
    },
    {
      validator: () => {
        if (phase !== 'awaiting-approval') throw new Error(`nothing awaits approval: the job is ${view().phase}`);
      },
      description: MESSAGE_DESCRIPTIONS.approve,
    },
  );
  setHandler(
    setBudgetUpdate,
    async (usd: number) => {
      budgetUsd = usd;
      if (phase === 'awaiting-approval') {
        const still = state && holdReason(currentRound(), budgetUsd, spentUsd(), approvedRounds);
        if (still) hold = still;
        else await condition(() => phase !== 'awaiting-approval');
      }
      publish();
      return view();
    },
    {
      validator: (usd: number) => {
        refuseWhenEnded();
        budgetOf(usd, 'the budget');
      },
      description: MESSAGE_DESCRIPTIONS.setBudget,
    },
  );
  setHandler(
    checkNowUpdate,
    async () => {
      const checks = state?.checks ?? 0;
      const tries = stallOf()?.tries ?? 0;
      checkNow = true;
      await condition(() => (state?.checks ?? 0) > checks || (stallOf()?.tries ?? 0) > tries || !liveBatches());
      return view();
    },
    { validator: refuseWhenEnded, description: MESSAGE_DESCRIPTIONS.checkNow },
  );

  // Search attributes are kept up to date only when the job was started with them (the server has them registered).
  const tracked = info.typedSearchAttributes.get(jobPhaseKey) !== undefined;
  // Jobs that began upserting every attribute at every publish (no marker in their history) go on doing so; newer
  // ones upsert only the attributes that changed, and also when the phase changes (so `waiting` is searchable).
  const publishOnChange = tracked && patched('publish-on-change');
  const upserted = new Map<string, string | number>();
  let shownDetails: string | undefined;
  /** Shows the job's state in the Web UI: current details always, search attributes when tracked. */
  function publish(outcome?: string): void {
    const progress = view();
    // Current details are read by the Web UI through a query, not kept in history: set them only when they change.
    const details = progressMarkdown(progress, info.workflowId);
    if (details !== shownDetails) setCurrentDetails(details);
    shownDetails = details;
    if (!tracked) return;
    const failed = progress.done.errored + progress.done.expired + progress.done.canceled;
    const values = [
      { key: jobPhaseKey, value: progress.phase },
      { key: jobRequestsKey, value: progress.totalRequests },
      { key: jobSucceededKey, value: progress.done.succeeded },
      { key: jobFailedKey, value: failed },
      ...(outcome ? [{ key: jobOutcomeKey, value: outcome }] : []),
    ];
    const changed = publishOnChange ? values.filter((v) => upserted.get(v.key.name) !== v.value) : values;
    if (changed.length === 0) return;
    upsertSearchAttributes(changed);
    for (const v of changed) upserted.set(v.key.name, v.value);
  }
  /** A new phase is searchable at once (jobs before `publish-on-change` showed it at their next publish). */
  const phaseChanged = () => {
    if (publishOnChange) publish();
  };

  const currentRound = (): RoundState => state!.rounds[state!.rounds.length - 1]!;
  const allChunks = (): ChunkState[] => state!.rounds.flatMap((r) => r.chunks);
  const liveBatches = (): boolean =>
    state !== undefined && currentRound().chunks.some((c) => c.batchId && !c.collected);
  const spentUsd = (): number => view().cost.batchUsd;

  /** Holds the round's sending in `awaiting-approval` while the budget forbids it, until approved or covered. */
  async function holdForBudget(round: RoundState): Promise<void> {
    const reason = () => holdReason(round, budgetUsd, spentUsd(), approvedRounds);
    if (!reason()) return;
    const before = phase;
    hold = reason();
    phase = 'awaiting-approval';
    log.warn('job held for approval', { reason: hold });
    publish();
    await condition(() => reason() === undefined);
    hold = undefined;
    phase = before;
  }

  /**
   * Warms the prompt cache for the round's unsent chunks: one Messages call per shared cached prefix, so the batch's
   * requests read the cache rather than each writing it. On by `primeCache: true`; by default only when at least two
   * requests of the round mark a cached prefix. Jobs that began before priming existed go on without it.
   */
  async function primeRound(round: RoundState): Promise<void> {
    if (options.primeCache === false) return;
    const caching = unsentEstimate(round).cachingRequests ?? 0;
    if (options.primeCache !== true && caching < 2) return;
    if (!patched('prime-cache')) return;
    const chunks = round.chunks.filter((c) => c.status === 'pending').map((c) => c.chunk);
    try {
      const primed = await primeCache({ chunks, mode: options.primeCache === true ? 'on' : 'auto' });
      round.primed = { prefixes: primed.prefixes, primed: primed.primed, requestsSharing: primed.requestsSharing };
    } catch (err) {
      if (isCancellation(err)) throw err;
      log.warn('priming the prompt cache failed; the round goes without it', { error: errorText(err) });
    }
  }

  /** Waits while an operator's pause holds new submissions. */
  async function whilePaused(): Promise<void> {
    if (!paused) return;
    const before = phase;
    phase = 'paused';
    publish();
    await condition(() => !paused);
    phase = before;
  }

  const claimedBatches = (): string[] => [
    ...allChunks().flatMap((c) => (c.batchId ? [c.batchId] : [])),
    ...(state!.foreignBatches ?? []),
  ];

  /**
   * Runs an API step until it gets through. Once the job may own a batch, no answer of the API ends the job by itself:
   * the step is shown as stalled (error, since when, what to check) and tried again on a capped backoff (at once on
   * `checkNow`), and the job carries on when the API answers. Only a person ends it then, by cancel or terminate.
   * `mayEnd` says which failures still end the job (a refused key before any batch exists).
   */
  async function persist<T>(step: string, run: (tries: number) => Promise<T>, mayEnd?: (err: unknown) => boolean) {
    try {
      for (let tries = 0, wait = STALL_FIRST_WAIT_MS; ; tries++, wait = Math.min(wait * 2, STALL_MAX_WAIT_MS)) {
        try {
          return await run(tries);
        } catch (err) {
          if (isCancellation(err) || !(err instanceof ActivityFailure) || mayEnd?.(err)) throw err;
          const stall: JobStall = {
            step,
            error: errorText(err),
            hint: hintFor(err),
            since: stalls.get(step)?.since ?? new Date().toISOString(),
            tries: tries + 1,
          };
          stalls.set(step, stall);
          log.warn('step stalled; trying again', { ...stall, waitMs: wait });
          publish();
          checkNow = false;
          await condition(() => checkNow, wait);
        }
      }
    } finally {
      // Got through, or given up here (canceled, or ending the job): either way no longer what the job waits on.
      if (stalls.delete(step)) publish();
    }
  }

  /** Creates a batch for every chunk of the round that has none, a few at a time. */
  async function submitPending(round: RoundState): Promise<void> {
    phase = 'submitting';
    phaseChanged();
    const pending = round.chunks.filter((c) => c.status === 'pending');
    let next = 0;
    let creating = 0;
    // A refusal ends the job only while no batch of it can exist: none recorded, no other create under way.
    const mayEnd = (err: unknown) => creating === 0 && !allChunks().some((c) => c.batchId) && refusedWithoutBatch(err);
    const submitOne = async (): Promise<void> => {
      // A pause stops taking new chunks; those already sent are seen through.
      for (let c = paused ? undefined : pending[next++]; c; c = paused ? undefined : pending[next++]) {
        c.status = 'submitting';
        const scheduledAt = Date.now();
        const chunk = c;
        const batch = await persist(
          `submit chunk ${c.chunk.index} of round ${round.round}`,
          async (tries) => {
            creating += 1;
            try {
              return await submitChunk({
                jobKey: state!.jobKey,
                round: round.round,
                chunk: chunk.chunk,
                scheduledAt,
                claimed: claimedBatches(),
                ...(tries > 0 ? { earlierAttempts: true } : {}),
              });
            } finally {
              creating -= 1;
            }
          },
          mayEnd,
        );
        c.batchId = batch.id;
        apply(c, batch);
        publish();
      }
    };
    // A create already sent must be seen through even if the job is canceled meanwhile, or its batch is orphaned.
    await CancellationScope.nonCancellable(() =>
      Promise.all(Array.from({ length: Math.min(options.submitConcurrency, pending.length) }, submitOne)),
    );
  }

  /** Collects every ended batch not collected yet. */
  async function collectEnded(round: RoundState): Promise<void> {
    const ended = round.chunks.filter((c) => c.status === 'ended' && !c.collected && c.batchId);
    if (ended.length === 0) return;
    const before = phase;
    phase = 'collecting';
    phaseChanged();
    await Promise.all(
      ended.map(async (c) => {
        try {
          c.collected = await persist(
            `collect batch ${c.batchId!}`,
            () =>
              collectBatch({
                jobKey: state!.jobKey,
                output: options.output,
                ...workFolder(options),
                round: round.round,
                chunk: c.chunk.index,
                batchId: c.batchId!,
                requestCount: c.chunk.requestCount,
                retryOn: options.retryOn,
              }),
            isBatchNotOwned,
          );
        } catch (err) {
          // A batch adopted after an interrupted create that turns out not to be ours: send the chunk again.
          if (isBatchNotOwned(err)) {
            log.warn('adopted batch is not ours; resubmitting the chunk', { batchId: c.batchId });
            state!.foreignBatches = [...(state!.foreignBatches ?? []), c.batchId!];
            delete c.batchId;
            delete c.counts;
            c.status = 'pending';
            return;
          }
          throw err;
        }
      }),
    );
    phase = before;
  }

  /**
   * The wait before the next check: aimed just after the batches' predicted end or expiry (see `planCheck`), or the
   * backoff's interval in jobs that began before predictions (no marker in their history) or turned them off.
   */
  function nextWait(round: RoundState): number {
    if (options.polling.predictEnd === false || !patched('check-at-predicted-end')) return intervalMs;
    const live = round.chunks.filter((c) => c.batchId && c.status !== 'ended');
    const plan = planCheck(live, Date.now(), intervalMs, options.polling, missedEnds);
    expectedEndAt = plan.expectedEndAt;
    aimedAt = plan.aimed ? live.length : undefined;
    return plan.waitMs;
  }
  /** Live batches when the last check was aimed at an end: fewer after the check means it found one ended. */
  let aimedAt: number | undefined;

  /** One durable wait (cut short by the checkNow signal), then one look at the live batches. */
  async function waitAndCheck(round: RoundState, wait: number): Promise<void> {
    phase = phase === 'canceling' ? phase : 'waiting';
    checkNow = false;
    nextCheckAt = Date.now() + wait;
    phaseChanged();
    const asked = await condition(() => checkNow, wait);
    nextCheckAt = undefined;
    const live = round.chunks.filter((c) => c.batchId && c.status !== 'ended');
    if (live.length > 0) {
      const snapshots = await persist('check batches', () => checkBatches(live.map((c) => c.batchId!)));
      state!.checks += 1;
      for (const s of snapshots) {
        const c = live.find((x) => x.batchId === s.id);
        if (c) apply(c, s);
      }
    }
    if (aimedAt !== undefined && !asked) {
      const stillLive = live.filter((c) => c.status !== 'ended').length;
      missedEnds = stillLive > 0 && stillLive >= aimedAt ? missedEnds + 1 : 0;
    }
    aimedAt = undefined;
    await collectEnded(round);
    publish();
  }

  async function report(canceled: boolean): Promise<BatchJobResult> {
    phase = 'reporting';
    phaseChanged();
    const s = state!;
    const result = await writeReport({
      workflowId: info.workflowId,
      output: options.output,
      idIndex: s.idIndex,
      totalRequests: s.totalRequests,
      outcomeFiles: s.rounds.flatMap((r) =>
        r.chunks.flatMap((c) => (c.collected ? [{ round: r.round, ref: c.collected.outcomes }] : [])),
      ),
      lastRound: s.rounds.length,
      batches: s.rounds.flatMap((r) =>
        r.chunks.flatMap((c) =>
          c.batchId
            ? [{ round: r.round, chunk: c.chunk.index, batchId: c.batchId, requestCount: c.chunk.requestCount }]
            : [],
        ),
      ),
      options,
      startedAt: s.startedAt,
      canceled,
      ...(s.build ? { build: s.build } : {}),
    });
    // Jobs that began before the clean-up step (no marker in their history) end as they did.
    if (patched('clean-up-work-area')) {
      await cleanUpWorkArea({
        output: options.output,
        ...workFolder(options),
        jobKey: s.jobKey,
        keepWorkData: options.keepWorkData === true,
      });
    }
    phase = 'done';
    reported = {
      resultsPath: result.resultsPath,
      summaryPath: result.summaryPath,
      firstFailed: result.summary.firstFailed ?? [],
      canceled,
    };
    const o = result.summary.outcomes;
    publish(canceled ? 'canceled' : o.succeeded === result.summary.totalRequests ? 'succeeded' : 'partial');
    return result;
  }

  try {
    if (!state) {
      // Fixed at the first run and carried in the state from then on. Jobs that began with the time-derived key (their
      // history has no marker) keep it: their batches were created under it.
      const jobKey = patched('random-job-key')
        ? jobKeyFrom(info.firstExecutionRunId, Math.random)
        : legacyJobKey(info.firstExecutionRunId);
      let build: BuildReport | undefined;
      // Given documents, the job writes its requests file first; from there on it is a job like any other.
      if (options.source && patched('build-requests-from-documents')) {
        phase = 'building';
        phaseChanged();
        const { requests, output, defaults, source } = options;
        build = await buildRequests({ jobKey, source, defaults, requests, output }).catch(asJobFailure);
        phase = 'validating';
        phaseChanged();
      }
      const prepared = await validateAndSplit({
        jobKey,
        requests: options.requests,
        output: options.output,
        ...workFolder(options),
        defaults: options.defaults,
        limits: options.chunk,
      }).catch(asJobFailure);
      state = {
        jobKey,
        ...(build ? { build } : {}),
        totalRequests: prepared.totalRequests,
        idIndex: prepared.idIndex,
        rounds: [{ round: 1, chunks: prepared.chunks.map((chunk) => ({ chunk, status: 'pending' })) }],
        checks: 0,
        startedAt: Date.now(),
      };
      publish();
    }

    for (;;) {
      const round = currentRound();
      while (round.chunks.some((c) => !c.collected)) {
        if (round.chunks.some((c) => c.status === 'pending') && !paused) {
          await holdForBudget(round);
          if (!round.primed) await primeRound(round);
          await submitPending(round);
          intervalMs = options.polling.initialIntervalMs;
        }
        await collectEnded(round);
        if (round.chunks.every((c) => c.collected)) break;
        if (paused && !round.chunks.some((c) => c.batchId && !c.collected)) {
          // Paused with nothing sent to wait for.
          await whilePaused();
          continue;
        }
        await waitAndCheck(round, nextWait(round));
        intervalMs = Math.min(intervalMs * options.polling.backoffCoefficient, options.polling.maxIntervalMs);
        const history = workflowInfo();
        if (history.continueAsNewSuggested || history.historyLength > options.continueAsNewAfterEvents) {
          await condition(allHandlersFinished);
          Object.assign(state, { paused, approvedRounds, ...(budgetUsd !== undefined ? { budgetUsd } : {}) });
          return await continueAsNew<typeof batchJob>(input, { options, state, intervalMs });
        }
      }
      const retryable = round.chunks.reduce(
        (n, c) =>
          n + (c.collected ? c.collected.retryableByOutcome.errored + c.collected.retryableByOutcome.expired : 0),
        0,
      );
      if (retryable === 0 || round.round > options.maxRetryRounds) break;
      await whilePaused();
      phase = 'submitting';
      const chunks = await planRetryRound({
        jobKey: state.jobKey,
        output: options.output,
        ...workFolder(options),
        round: round.round + 1,
        previousOutcomes: round.chunks.map((c) => c.collected!.outcomes),
        originalChunks: state.rounds[0]!.chunks.map((c) => c.chunk),
        retryOn: options.retryOn,
        limits: options.chunk,
      });
      if (chunks.length === 0) break;
      state.rounds.push({ round: round.round + 1, chunks: chunks.map((chunk) => ({ chunk, status: 'pending' })) });
    }
    return await report(false);
  } catch (err) {
    if (!isCancellation(err) || !state) throw err;
    // Canceled: stop every live batch at the API, keep what finished, report the rest as canceled.
    await CancellationScope.nonCancellable(async () => {
      phase = 'canceling';
      const round = currentRound();
      for (const c of round.chunks) {
        if (c.batchId && c.status === 'in_progress') {
          apply(c, await persist(`cancel batch ${c.batchId}`, () => cancelBatch(c.batchId!)));
        }
      }
      const wait = Math.min(options.polling.initialIntervalMs, 30_000);
      await collectEnded(round);
      while (round.chunks.some((c) => c.batchId && !c.collected)) await waitAndCheck(round, wait);
      await report(true);
    });
    throw err;
  }
}

/** A bad requests file, document source or output is the job's own failure: said at the top, not inside an activity's. */
function asJobFailure(err: unknown): never {
  const cause = err instanceof ActivityFailure ? err.cause : undefined;
  if (cause instanceof ApplicationFailure && cause.type && INPUT_FAILURES.includes(cause.type)) {
    throw ApplicationFailure.create({
      message: cause.message,
      type: cause.type,
      nonRetryable: true,
      details: cause.details ?? [],
    });
  }
  throw err;
}

const INPUT_FAILURES = ['InvalidRequestsFile', 'InvalidOutput', 'InvalidDocumentSource'];

const isBatchNotOwned = (err: unknown): boolean =>
  err instanceof ActivityFailure && err.cause instanceof ApplicationFailure && err.cause.type === 'BatchNotOwned';

/** Each round's prompt-cache use (tokens read and written by its collected batches), for rounds that used it. */
function cacheOf(rounds: RoundState[]): Pick<JobProgress, 'cache'> {
  const cache = rounds.flatMap((r) => {
    let cacheRead = 0;
    let cacheWrite = 0;
    for (const c of r.chunks) {
      cacheRead += c.collected?.tokens.cacheRead ?? 0;
      cacheWrite += c.collected?.tokens.cacheWrite ?? 0;
    }
    if (cacheRead === 0 && cacheWrite === 0 && !r.primed) return [];
    return [{ round: r.round, cacheRead, cacheWrite, ...(r.primed ? { primedPrefixes: r.primed.primed } : {}) }];
  });
  return cache.length > 0 ? { cache } : {};
}

function apply(chunk: ChunkState, batch: BatchSnapshot): void {
  chunk.status = batch.status;
  chunk.counts = batch.counts;
  if (batch.createdAt) chunk.createdAt = Date.parse(batch.createdAt);
  if (batch.expiresAt) chunk.expiresAt = Date.parse(batch.expiresAt);
}

/** The progress view, derived from the state on demand (queries must not change state). */
/** What the progress view takes besides the state: the workflow's live variables. */
interface LiveView {
  phase: JobPhase;
  nextCheckAt: number | undefined;
  expectedEndAt: number | undefined;
  stall: JobStall | undefined;
  paused: boolean;
  budgetUsd: number | undefined;
  hold: string | undefined;
  reported: JobReportRef | undefined;
}

function progressOf(state: JobState | undefined, options: JobOptions, live: LiveView): JobProgress {
  const { phase, nextCheckAt, stall } = live;
  const done = emptyCounts();
  const tokens = emptyTokens();
  const cost = emptyCost();
  let finalCount = 0;
  const rounds = state?.rounds ?? [];
  for (const round of rounds) {
    // Retryable failures of a round are not final while another round may still take them.
    const retriedLater =
      round !== rounds[rounds.length - 1] || (phase !== 'done' && round.round <= options.maxRetryRounds);
    for (const c of round.chunks) {
      const collected = c.collected;
      if (!collected) continue;
      const { counts, retryableByOutcome: retry } = collected;
      const errored = counts.errored - (retriedLater ? retry.errored : 0);
      const expired = counts.expired - (retriedLater ? retry.expired : 0);
      done.succeeded += counts.succeeded;
      done.errored += errored;
      done.expired += expired;
      done.canceled += counts.canceled;
      finalCount += counts.succeeded + errored + expired + counts.canceled;
      tokens.input += collected.tokens.input;
      tokens.output += collected.tokens.output;
      tokens.cacheWrite += collected.tokens.cacheWrite;
      tokens.cacheRead += collected.tokens.cacheRead;
      addCost(cost, collected.cost);
    }
  }
  const total = state?.totalRequests ?? 0;
  return {
    phase: stall && phase !== 'done' ? 'stalled' : phase,
    round: rounds.length,
    maxRounds: options.maxRetryRounds + 1,
    totalRequests: total,
    done,
    pending: Math.max(0, total - finalCount),
    chunks: rounds.flatMap((r) =>
      r.chunks.map((c) => ({
        round: r.round,
        index: c.chunk.index,
        status: c.status,
        ...(c.batchId ? { batchId: c.batchId } : {}),
        ...(c.counts ? { counts: c.counts } : {}),
      })),
    ),
    tokens,
    cost,
    checks: state?.checks ?? 0,
    ...(nextCheckAt ? { nextCheckAt: new Date(nextCheckAt).toISOString() } : {}),
    ...(live.expectedEndAt !== undefined && phase !== 'done'
      ? { expectedEndAt: new Date(live.expectedEndAt).toISOString() }
      : {}),
    ...(stall ? { stall } : {}),
    ...(live.paused ? { paused: true } : {}),
    ...cacheOf(rounds),
    ...(state?.build ? { build: state.build } : {}),
    ...(live.budgetUsd !== undefined || live.hold || (state && jobEstimate(state))
      ? {
          budget: {
            ...(live.budgetUsd !== undefined ? { budgetUsd: live.budgetUsd } : {}),
            ...(state && jobEstimate(state) ? { estimate: jobEstimate(state)! } : {}),
            spentUsd: cost.batchUsd,
            ...(live.hold ? { hold: live.hold } : {}),
          },
        }
      : {}),
    options,
    ...(live.reported ? { report: live.reported } : {}),
  };
}
