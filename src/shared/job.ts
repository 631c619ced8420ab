// The batch job's contract: input, options, progress and result types, shared by workflow, activities, client,
// CLI and tests. Everything here is plain JSON so `temporal workflow start --input '{...}'` works as well.

/** Outcome of one request in one batch, as the Message Batches API reports it. */
export type ResultType = 'succeeded' | 'errored' | 'canceled' | 'expired';

/** Error types of errored results (the API's `error.error.type`). */
export type BatchErrorType =
  | 'invalid_request_error'
  | 'authentication_error'
  | 'billing_error'
  | 'permission_error'
  | 'not_found_error'
  | 'rate_limit_error'
  | 'timeout_error'
  | 'overloaded_error'
  | 'api_error';

/** What can be retried in a later round: `expired`, or errored with one of these types. */
export type RetryableOutcome = 'expired' | BatchErrorType;

/** Defaults merged into every request's `params` when the request leaves them out. */
export interface RequestDefaults {
  model?: string;
  max_tokens?: number;
  system?: string;
}

/** How the workflow waits for a batch: durable timers from `initialInterval` backing off to `maxInterval`. */
export interface PollingOptions {
  /** First wait after submitting, e.g. '1 minute' or milliseconds. */
  initialInterval?: string | number;
  /** Longest wait between two checks. */
  maxInterval?: string | number;
  /** Each wait is the previous one times this, up to `maxInterval`. */
  backoffCoefficient?: number;
  /**
   * Aim a check just after the end the batches' request counts predict, and just after their 24 h expiry (default
   * true); false checks on the backoff alone.
   */
  predictEnd?: boolean;
}

/** Limits for one batch (one chunk of the input). The API allows at most 100,000 requests and 256 MB. */
export interface ChunkLimits {
  maxRequests?: number;
  maxBytes?: number;
}

/**
 * Documents to turn into the job's requests, one request per document, in place of a ready `requests` file. The
 * requests are built by the job's first step and then checked like any requests file.
 */
export interface DocumentSource {
  /** The folder holding the documents (a path or `file://` URI) or an `s3://bucket/prefix/`; read recursively. */
  documents: string;
  /**
   * A text file (path, `file://` or `s3://`) with the prompt: `{{document}}` becomes each document's text,
   * `{{filename}}` its file name and `{{path}}` its path below `documents`.
   */
  template: string;
  /**
   * Globs matched against each document's path below `documents` (`/` between names), e.g. `reports/**`; a pattern
   * without `/` (`*.md`) matches file names at any depth. Default: every file; names starting with `.` only when a
   * pattern names them.
   */
  include?: string[];
  /** Globs of documents left out even when `include` matches them, e.g. `drafts/**`. */
  exclude?: string[];
}

/** Input of the `batchJob` workflow: `requests` or `source` is required (one, not both). */
export interface BatchJobInput {
  /**
   * The JSONL file of `{"custom_id", "params"}` lines: a path or `file://` URI that workers can read, or an object in
   * an S3-compatible store (`s3://bucket/key`).
   */
  requests?: string;
  /**
   * Documents plus a prompt template instead of `requests`: the job builds `<output>/requests.jsonl` (with
   * `defaults.model` and `defaults.max_tokens`, both required then) and `<output>/manifest.jsonl` first.
   */
  source?: DocumentSource;
  /** Folder for `results.jsonl` and `summary.json`; default: next to the input, named after the workflow id. */
  output?: string;
  /**
   * Folder for the job's work area (chunks and raw outcomes, under a folder named for the job), a path or `s3://` URI;
   * default `<output>/.work/`.
   */
  work?: string;
  /** Merged into each request's params when absent there. */
  defaults?: RequestDefaults;
  polling?: PollingOptions;
  /** Retry rounds after the first submission (default 3). */
  maxRetryRounds?: number;
  /** Outcomes resubmitted in a new round (default: expired and the transient error types). */
  retryOn?: RetryableOutcome[];
  chunk?: ChunkLimits;
  /** How many chunks are submitted at once (default 4). */
  submitConcurrency?: number;
  /** A name for people; shown in the Web UI. */
  name?: string;
  /** Continue-As-New past this many history events even before the server suggests it (default 8,000). */
  continueAsNewAfterEvents?: number;
  /** Keep the work area (chunks and raw outcomes under `<output>/.work/`) after the job ends; default false. */
  keepWorkData?: boolean;
  /**
   * The most the job may spend, in US dollars at batch prices. A round whose worst case would pass it (or that holds
   * requests of models without a price) waits in `awaiting-approval` for an `approve` or `setBudget` update.
   */
  budgetUsd?: number;
  /**
   * Before each round, send one ordinary Messages call per cached prompt prefix its requests share, so the batch's
   * requests read the cache instead of all writing it. Default: when requests of the round share a prefix.
   */
  primeCache?: boolean;
}

/** The options a job actually ran with: every default filled in, durations in milliseconds. */
export interface JobOptions {
  /** The requests file: the input's, or the one built from `source`. */
  requests: string;
  /** Present when the job builds its requests from documents. */
  source?: Required<DocumentSource> & {
    /** Where the manifest goes: one line per request, `{"custom_id", "document"}`. */
    manifest: string;
  };
  output: string;
  /** Absent when the work area is the default, `<output>/.work/`. */
  work?: string;
  defaults: RequestDefaults;
  /** `predictEnd` is present only when turned off. */
  polling: { initialIntervalMs: number; maxIntervalMs: number; backoffCoefficient: number; predictEnd?: false };
  maxRetryRounds: number;
  retryOn: RetryableOutcome[];
  chunk: { maxRequests: number; maxBytes: number };
  submitConcurrency: number;
  name: string;
  continueAsNewAfterEvents: number;
  /** Absent in jobs started before it existed: false. */
  keepWorkData?: boolean;
  budgetUsd?: number;
  primeCache?: boolean;
}

export const API_MAX_REQUESTS_PER_BATCH = 100_000;
export const API_MAX_BATCH_BYTES = 256 * 1024 * 1024;
export const DEFAULT_TASK_QUEUE = 'claude-batch';
export const BATCH_JOB_WORKFLOW_TYPE = 'batchJob';

/** The defaults, in one place. */
export const JOB_DEFAULTS = {
  polling: { initialIntervalMs: 60_000, maxIntervalMs: 10 * 60_000, backoffCoefficient: 1.5 },
  maxRetryRounds: 3,
  retryOn: ['expired', 'api_error', 'overloaded_error', 'rate_limit_error', 'timeout_error'] as RetryableOutcome[],
  chunk: { maxRequests: API_MAX_REQUESTS_PER_BATCH, maxBytes: API_MAX_BATCH_BYTES },
  submitConcurrency: 4,
  continueAsNewAfterEvents: 8_000,
} as const;

/** A chunk of requests written to storage, ready to be sent as one batch's create body. */
export interface ChunkRef {
  /** Position of the chunk within its round. */
  index: number;
  /** Storage reference of the create body (`{"requests":[...]}`). */
  body: string;
  requestCount: number;
  bytes: number;
  /** What sending the chunk may cost (absent in jobs started before estimates). */
  estimate?: CostEstimate;
}

/**
 * What a set of requests may cost at batch prices, before anything is sent. Input tokens are approximated from the
 * request's size (about 4 characters a token); output is counted at `max_tokens` for the ceiling, and at a quarter
 * of it for the expected figure.
 */
export interface CostEstimate {
  requests: number;
  inputTokens: number;
  maxOutputTokens: number;
  ceilingUsd: number;
  expectedUsd: number;
  /** Requests of models without a price: in no figure above. */
  unpricedRequests: number;
  unpricedModels: string[];
  /** Requests that mark a cached prompt prefix (`cache_control`): what priming the cache can help. */
  cachingRequests?: number;
}

/** What building a job's requests from documents did. */
export interface BuildReport {
  /** Documents made into requests: one request each. */
  documents: number;
  /** Files not made into requests: with bytes that are not UTF-8 text, with no text, or left out by the globs. */
  skipped: { binary: number; empty: number; excluded: number };
  /** Storage reference of the requests file built. */
  requests: string;
  /** Storage reference of the manifest: one line per request, `{"custom_id", "document"}` (the document's reference). */
  manifest: string;
}

export type BatchStatus = 'in_progress' | 'canceling' | 'ended';

/** Request counts of a batch, as the API reports them. */
export interface RequestCounts {
  processing: number;
  succeeded: number;
  errored: number;
  canceled: number;
  expired: number;
}

/** Tokens used by succeeded requests. */
export interface TokenUsage {
  input: number;
  output: number;
  cacheWrite: number;
  cacheRead: number;
}

/** Cost in US dollars at batch prices, and what the standard API would have charged. */
export interface Cost {
  batchUsd: number;
  standardUsd: number;
  /** Models used that have no price in the table: their tokens are not in the figures. */
  unpricedModels: string[];
}

/** What collecting one batch's results found. */
export interface CollectedBatch {
  /** Storage reference of the joined outcome lines of this batch. */
  outcomes: string;
  counts: OutcomeCounts;
  /** How many of the errored and expired requests are worth another round. */
  retryableByOutcome: { errored: number; expired: number };
  tokens: TokenUsage;
  cost: Cost;
}

export interface OutcomeCounts {
  succeeded: number;
  errored: number;
  canceled: number;
  expired: number;
  /** Errored requests by error type. */
  erroredByType: Record<string, number>;
}

/** One chunk's life in one round. */
export interface ChunkState {
  chunk: ChunkRef;
  batchId?: string;
  status: 'pending' | 'submitting' | BatchStatus;
  counts?: RequestCounts;
  /** The batch's `created_at` and `expires_at` (epoch ms), for predicting its end; absent in older jobs. */
  createdAt?: number;
  expiresAt?: number;
  collected?: CollectedBatch;
}

export interface RoundState {
  round: number;
  chunks: ChunkState[];
  /** What priming the prompt cache did before the round was sent. */
  primed?: { prefixes: number; primed: number; requestsSharing: number };
}

export type JobPhase =
  /** Building the requests from the job's documents. */
  | 'building'
  | 'validating'
  | 'submitting'
  | 'waiting'
  | 'collecting'
  /** The API does not answer as it should (refused key, unknown batch, outage): the job retries until it does. */
  | 'stalled'
  /** Over its budget (or with unpriced requests): nothing is sent until an `approve` or `setBudget` update. */
  | 'awaiting-approval'
  /** Paused by an operator with nothing left to wait for: nothing is sent until `resume`. */
  | 'paused'
  | 'reporting'
  | 'canceling'
  | 'done';

/** The job's money: its budget, the estimate of what it sends and what it has spent (US dollars, batch prices). */
export interface JobBudget {
  budgetUsd?: number;
  /** Estimate of round 1 (every request once). */
  estimate?: CostEstimate;
  spentUsd: number;
  /** Why the job waits for approval, while it does. */
  hold?: string;
}

/** Why a job is stalled: shown in progress and in the Web UI until the API answers again. */
export interface JobStall {
  /** The step that cannot get through, e.g. `check batches` or `submit chunk 2 of round 1`. */
  step: string;
  /** The last error, as the API (or the network) gave it. */
  error: string;
  /** What to check: the workers' key, workspace, base URL. */
  hint: string;
  /** When the step first failed (ISO time). */
  since: string;
  /** Tries so far (each after its activity's own retries). */
  tries: number;
}

/** The job's state, carried across Continue-As-New. Small: references and counts only. */
export interface JobState {
  jobKey: string;
  totalRequests: number;
  /** Storage reference of the list of the input's custom_ids, in input order. */
  idIndex: string;
  rounds: RoundState[];
  /** Checks made so far (all runs). */
  checks: number;
  /** Batches adopted after an interrupted create that proved to be someone else's: never candidates again. */
  foreignBatches?: string[];
  /** The budget now (set by the input, changed by `setBudget`). */
  budgetUsd?: number;
  /** Rounds an operator let go past the budget with `approve`. */
  approvedRounds?: number[];
  /** Set by `pause`, cleared by `resume`. */
  paused?: boolean;
  /** What building the requests from documents did, for jobs with a `source`. */
  build?: BuildReport;
  startedAt: number;
}

/** What the `progress` query returns. */
export interface JobProgress {
  phase: JobPhase;
  round: number;
  maxRounds: number;
  totalRequests: number;
  /** Requests with a final outcome so far, by outcome. */
  done: OutcomeCounts;
  /** Requests not yet final. */
  pending: number;
  chunks: { round: number; index: number; batchId?: string; status: ChunkState['status']; counts?: RequestCounts }[];
  tokens: TokenUsage;
  cost: Cost;
  checks: number;
  nextCheckAt?: string;
  /**
   * When the live batches are expected to have ended (ISO time): predicted at each check from their request counts,
   * at the pace kept since each batch was created. Absent while any live batch has no finished request to go by (the
   * API may leave its counts at zero until it ends) and when the job waits on nothing.
   */
  expectedEndAt?: string;
  /** Present while the job is stalled. */
  stall?: JobStall;
  /** Set while an operator's `pause` holds new submissions. */
  paused?: boolean;
  /** The budget, what the job may still cost and what it has spent. */
  budget?: JobBudget;
  /** Prompt-cache use of each round with any: tokens read and written, and what priming did. */
  cache?: { round: number; cacheRead: number; cacheWrite: number; primedPrefixes?: number }[];
  /** For jobs built from documents: how many, what was skipped, and where the manifest is. */
  build?: BuildReport;
  options?: JobOptions;
  /** Where the job's report is, once written. */
  report?: JobReportRef;
}

/** Where a finished job's results are, and the first of its failed requests. */
export interface JobReportRef {
  resultsPath: string;
  summaryPath: string;
  /** The first few custom_ids whose final outcome is not `succeeded` (all are in results.jsonl). */
  firstFailed: string[];
  canceled: boolean;
}

/** The final report (also written as summary.json). */
export interface JobSummary {
  workflowId: string;
  name: string;
  totalRequests: number;
  outcomes: OutcomeCounts;
  rounds: number;
  batches: { round: number; chunk: number; batchId: string; requestCount: number }[];
  tokens: TokenUsage;
  cost: Cost & { savedUsd: number };
  canceled: boolean;
  /** For jobs built from documents: how many, what was skipped, and where the manifest is. */
  build?: BuildReport;
  options: JobOptions;
  startedAt: string;
  finishedAt: string;
  /** The first few custom_ids whose final outcome is not `succeeded`, in input order (absent before it existed). */
  firstFailed?: string[];
}

/** The workflow's result: the summary and where the full results are. */
export interface BatchJobResult {
  summary: JobSummary;
  resultsPath: string;
  summaryPath: string;
}

/** One line of results.jsonl: the final outcome of one input request. */
export interface FinalResultLine {
  custom_id: string;
  outcome: ResultType;
  /** The message, for succeeded requests. */
  message?: unknown;
  /** The API's error object, for errored requests. */
  error?: { type: string; message: string };
  round: number;
  batch_id: string | null;
  usage?: unknown;
}

export const emptyCounts = (): OutcomeCounts => ({
  succeeded: 0,
  errored: 0,
  canceled: 0,
  expired: 0,
  erroredByType: {},
});
export const emptyTokens = (): TokenUsage => ({ input: 0, output: 0, cacheWrite: 0, cacheRead: 0 });
export const emptyCost = (): Cost => ({ batchUsd: 0, standardUsd: 0, unpricedModels: [] });
export const emptyEstimate = (): CostEstimate => ({
  requests: 0,
  inputTokens: 0,
  maxOutputTokens: 0,
  ceilingUsd: 0,
  expectedUsd: 0,
  unpricedRequests: 0,
  unpricedModels: [],
});

/** Adds one estimate into another (for totals over chunks). */
export function addEstimate(into: CostEstimate, from: CostEstimate): CostEstimate {
  into.requests += from.requests;
  into.inputTokens += from.inputTokens;
  into.maxOutputTokens += from.maxOutputTokens;
  into.ceilingUsd += from.ceilingUsd;
  into.expectedUsd += from.expectedUsd;
  into.unpricedRequests += from.unpricedRequests;
  if (from.cachingRequests) into.cachingRequests = (into.cachingRequests ?? 0) + from.cachingRequests;
  for (const m of from.unpricedModels) if (!into.unpricedModels.includes(m)) into.unpricedModels.push(m);
  return into;
}
