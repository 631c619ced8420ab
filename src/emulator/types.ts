// The emulator's public surface: its options, knobs and record, as tests, the CLI and the dev stack use them.
import type { EmulatorClock } from './clock';

/** How batches behave: for the whole server, or one batch. Every field is optional. */
export interface Scenario {
  /** A batch takes this long (emulator time) from creation to its last request; overrides the rate. */
  processingMs?: number;
  /** Requests stay processing until they expire at 24 h. */
  neverEnds?: boolean;
  /** The batch ends (every request done) at its N-th retrieve. */
  endAfterRetrieves?: number;
  /** This fraction of requests errors with `errorType` (default api_error), chosen by a hash of the request. */
  erroredFraction?: number;
  errorType?: string;
  /** This fraction of requests never finishes and expires at 24 h, chosen by a hash of the request. */
  expiredFraction?: number;
  /** Real milliseconds between result lines (a slow stream). */
  resultsDelayMsPerLine?: number;
  /** The results stream's connection is destroyed after this many lines. */
  cutResultsAfterLines?: number;
  /** Emulator time from a cancel to the batch's end (default 2 s). */
  cancelDelayMs?: number;
  /**
   * The order of result lines (fixed when a batch is created): `shuffled` (default), a seeded shuffle that is the same
   * on every read of a batch and never request order for 2+ requests, as the API does not promise any order; or
   * `request`, the order of the create body.
   */
  resultsOrder?: ResultsOrder;
  /**
   * `request_counts` before the batch has ended (fixed when a batch is created): `filling` (default), counts move
   * from `processing` to their outcomes as requests finish, as in the API reference's example; or
   * `zero-until-ended`, everything counts as `processing` until the batch ends, as the reference's field text says.
   */
  countsWhileRunning?: CountsWhileRunning;
}

export type ResultsOrder = 'shuffled' | 'request';
export type CountsWhileRunning = 'filling' | 'zero-until-ended';

/** What a request is planned to end as (canceled only ever comes from a cancel). */
export type PlannedOutcome = 'succeeded' | 'errored' | 'expired';

/** Requests this rule matches get its outcome; `times` limits how many submissions of the same params it applies to. */
export interface RequestRule {
  match: {
    customId?: RegExp | string;
    /** Matched against the request's system and message text. */
    text?: RegExp | string;
  };
  outcome: PlannedOutcome;
  /** For `errored`: the error type of the result line (default api_error). */
  errorType?: string;
  /**
   * How many submissions of identical params get this outcome, counted across batches and custom_ids; later ones
   * fall through to the next rule or succeed. Unlimited when absent.
   */
  times?: number;
}

export type Endpoint = 'create' | 'retrieve' | 'list' | 'cancel' | 'delete' | 'results' | 'messages' | 'count_tokens';

export type FaultStatus = 400 | 401 | 402 | 403 | 404 | 409 | 413 | 429 | 500 | 504 | 529;

export type FaultInjection =
  /** The next `count` matching calls answer with this status and the API's error body. */
  | {
      status: FaultStatus;
      count: number;
      endpoint?: Endpoint | 'any';
      /** Sent as `retry-after` (rounded up) and `retry-after-ms`; the SDKs wait this long before retrying. */
      retryAfterSeconds?: number;
    }
  /** The next `count` creates make and record their batch, then destroy the socket without answering. */
  | { kind: 'drop-after-create'; count: number }
  /** The next `count` (default 1) matching calls wait `ms` real milliseconds before being handled. */
  | { kind: 'stall'; endpoint?: Endpoint | 'any'; ms: number; count?: number };

export interface RecordedCall {
  method: string;
  path: string;
  endpoint: Endpoint | 'unknown';
  /** The HTTP status answered; 0 when the connection was dropped without an answer. */
  status: number;
  /** Whether a key was sent (never the key itself). */
  apiKeyPresent: boolean;
  anthropicVersion?: string;
  /** Emulator time of the call. */
  at: number;
}

export interface RecordedBatch {
  id: string;
  createdAt: number;
  requestCount: number;
  customIds: string[];
}

export interface RecordedRequest {
  custom_id: string;
  params: unknown;
}

export interface EmulatorOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** When set, requests must carry this key; otherwise any non-empty key is accepted. */
  apiKey?: string;
  /** Batches, their requests and results survive a restart in this folder; in memory when absent. */
  dataDir?: string;
  /** Default: a new clock running in real time. */
  clock?: EmulatorClock;
  /** Requests processed per second of emulator time, per batch (default 200). */
  requestsPerSecond?: number;
  /** Server-wide defaults. */
  scenario?: Scenario;
  log?: (line: string) => void;
}

export interface EmulatorControl {
  /**
   * Replaces the server-wide scenario. Batches created from now on take all of it; batches already made take only
   * `resultsDelayMsPerLine`, `cutResultsAfterLines` and `endAfterRetrieves` (their outcomes and timing stay fixed).
   */
  setScenario(scenario: Scenario): void;
  /** Overrides the scenario of one existing batch (merged over the one it was created with). */
  setBatchScenario(batchId: string, scenario: Scenario): void;
  addRule(rule: RequestRule): void;
  injectFaults(fault: FaultInjection): void;
  clearFaults(): void;
  /** The batch's results are gone: `archived_at` is set and its results endpoint answers 404. */
  archive(batchId: string): void;
  /** Forgets every batch, rule, fault, scenario and call. */
  reset(): void;
}

export interface EmulatorRecord {
  /** Every HTTP call, in arrival order. */
  calls: RecordedCall[];
  /** Every batch created (deleted ones too), in creation order. */
  batches(): RecordedBatch[];
  /** The requests a batch was created with, in order. */
  requestsOf(batchId: string): Promise<RecordedRequest[]>;
  count(endpoint: Endpoint): number;
}

export interface Emulator {
  /** Pass as `baseURL` to the SDK. */
  url: string;
  clock: EmulatorClock;
  control: EmulatorControl;
  record: EmulatorRecord;
  close(): Promise<void>;
}
