// What one chaos run does: how many jobs, workers and kills, which faults, and how long a job may take. The full run
// and the short one (CI) differ only in these numbers; the code that runs them is the same.
import { parseArgs } from 'node:util';

export interface ChaosOptions {
  /** Concurrent jobs, all started in one go. */
  jobs: number;
  /** Requests per job: equal for every job, so batches of different jobs have equal sizes. */
  requestsPerJob: number;
  /** Worker processes kept running (a killed one is replaced). */
  workers: number;
  /** SIGKILLs of worker processes: the first during round 1's creates, one during round 2's, the rest anywhere. */
  kills: number;
  /** Restarts of the Temporal dev server (SIGKILL, then started again on the same port and database file). */
  serverRestarts: number;
  /** Create answers lost on the way back (the batch exists, the worker never hears of it), per round's wave. */
  droppedCreates: number;
  /** Each 5xx/429/529 fault is injected this many times over the run. */
  statusFaults: number;
  /** Emulator time a batch takes to process. */
  batchProcessingMs: number;
  /** A job not completed this long after it was started fails the run. */
  jobBoundMs: number;
  seed: number;
  /** Keep the temporary folder (logs, results) even when the run passes. */
  keep: boolean;
  /** Progress lines on stderr. */
  verbose: boolean;
}

export const FULL_RUN: Omit<ChaosOptions, 'seed'> = {
  jobs: 50,
  requestsPerJob: 24,
  workers: 3,
  kills: 3,
  serverRestarts: 1,
  droppedCreates: 4,
  statusFaults: 2,
  batchProcessingMs: 6_000,
  jobBoundMs: 12 * 60_000,
  keep: false,
  verbose: true,
};

/** The CI version: a fraction of the jobs, one kill during creates and one server restart. */
export const SHORT_RUN: Omit<ChaosOptions, 'seed'> = {
  ...FULL_RUN,
  jobs: 10,
  workers: 2,
  kills: 1,
  droppedCreates: 2,
  statusFaults: 1,
  batchProcessingMs: 4_000,
  jobBoundMs: 8 * 60_000,
};

const USAGE = `npm run chaos -- [--short] [--jobs N] [--workers N] [--kills N] [--seed N] [--keep] [--quiet]

Runs batch jobs on worker processes that get SIGKILLed, a Temporal dev server that is restarted and an emulated
API that drops answers and fails calls, then checks every result line. Exits 1 on any wrong, lost or duplicate
line, duplicate batch, or job not completed in time.`;

function count(name: string, value: string | undefined, min: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new Error(`--${name}: expected an integer of at least ${min}`);
  return n;
}

/** The options of `npm run chaos -- ...`; undefined when only help was asked for. */
export function chaosOptionsFromArgs(args: string[]): ChaosOptions | undefined {
  const { values } = parseArgs({
    args,
    options: {
      short: { type: 'boolean', default: false },
      jobs: { type: 'string' },
      workers: { type: 'string' },
      kills: { type: 'string' },
      seed: { type: 'string' },
      keep: { type: 'boolean', default: false },
      quiet: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    return undefined;
  }
  const base = values.short ? SHORT_RUN : FULL_RUN;
  return {
    ...base,
    jobs: count('jobs', values.jobs, 1) ?? base.jobs,
    workers: count('workers', values.workers, 2) ?? base.workers,
    kills: count('kills', values.kills, 0) ?? base.kills,
    seed: count('seed', values.seed, 0) ?? Math.floor(Math.random() * 2 ** 31),
    keep: values.keep,
    verbose: !values.quiet,
  };
}
