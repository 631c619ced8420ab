// One batch job under test: the real workflow and activities on a real Temporal server, talking through the official
// Anthropic SDK to the real emulator, with files in a temporary folder.
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Anthropic from '@anthropic-ai/sdk';
import type { ActivityInboundCallsInterceptor, ActivityExecuteInput, Next } from '@temporalio/worker';
import type { Context } from '@temporalio/activity';
import { after, afterEach, before } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import {
  startEmulator,
  type CountsWhileRunning,
  type Emulator,
  type EmulatorOptions,
  type ResultsOrder,
  type Scenario,
} from '../../src/emulator';
import { createBatchWorker } from '../../src/worker';
import type { FinalResultLine, JobSummary } from '../../src/shared/job';
import type { JobStorage } from '../../src/storage/storage';
import { startTimeSkippingServer, uniqueTaskQueue, workflowBundle } from './temporal';

export const workflowsPath = require.resolve('../../src/workflows');

/**
 * Keeps the emulator's clock in step with Temporal's: under the time-skipping server a workflow's 20 h of timers pass
 * in seconds, so each activity moves the emulator to the time Temporal scheduled it at (never backwards).
 */
function followTemporalTime(emulator: Emulator) {
  return (ctx: Context): { inbound: ActivityInboundCallsInterceptor } => ({
    inbound: {
      execute(input: ActivityExecuteInput, next: Next<ActivityInboundCallsInterceptor, 'execute'>) {
        const scheduled = ctx.info.currentAttemptScheduledTimestampMs;
        if (scheduled > emulator.clock.now()) emulator.clock.set(scheduled);
        return next(input);
      },
    },
  });
}

/**
 * Emulator behaviours the API leaves open, chosen for a whole test run by environment variables, so the job's tests
 * can be run under each (nothing in the project may depend on either):
 *   CLAUDE_BATCH_EMULATOR_ORDER=shuffled|request                 the order of result lines
 *   CLAUDE_BATCH_EMULATOR_COUNTS=filling|zero-until-ended        request_counts before a batch ends
 * Unset, the emulator's defaults apply. A test's own scenario fields win over them.
 */
function scenarioFromEnv(): Scenario {
  const order = process.env.CLAUDE_BATCH_EMULATOR_ORDER;
  const counts = process.env.CLAUDE_BATCH_EMULATOR_COUNTS;
  const orders: ResultsOrder[] = ['shuffled', 'request'];
  const countings: CountsWhileRunning[] = ['filling', 'zero-until-ended'];
  const scenario: Scenario = {};
  if (order) {
    if (!orders.includes(order as ResultsOrder))
      throw new Error(`CLAUDE_BATCH_EMULATOR_ORDER: one of ${orders.join(', ')}`);
    scenario.resultsOrder = order as ResultsOrder;
  }
  if (counts) {
    if (!countings.includes(counts as CountsWhileRunning)) {
      throw new Error(`CLAUDE_BATCH_EMULATOR_COUNTS: one of ${countings.join(', ')}`);
    }
    scenario.countsWhileRunning = counts as CountsWhileRunning;
  }
  return scenario;
}

export interface JobEnv {
  emulator: Emulator;
  dir: string;
  taskQueue: string;
  /** Runs `fn` while a worker serves the job's task queue. */
  withWorker<T>(fn: () => Promise<T>): Promise<T>;
  newWorker(options?: { maxCachedWorkflows?: number }): ReturnType<typeof createBatchWorker>;
  writeRequests(name: string, lines: (object | string)[]): Promise<string>;
  readResults(output: string): Promise<FinalResultLine[]>;
  readSummary(output: string): Promise<JobSummary>;
  close(): Promise<void>;
}

export async function jobEnv(
  env: TestWorkflowEnvironment,
  options: {
    emulator?: EmulatorOptions;
    followTemporalTime?: boolean;
    /** The workers' storage (default: the production router, local files and s3:// from the environment). */
    storage?: JobStorage;
  } = {},
): Promise<JobEnv> {
  const fromEnv = scenarioFromEnv();
  const emulator = await startEmulator({
    apiKey: 'test-key',
    ...options.emulator,
    scenario: { ...fromEnv, ...options.emulator?.scenario },
  });
  // A test's setScenario replaces the server-wide scenario: the environment's choices stay under it.
  const setScenario = emulator.control.setScenario.bind(emulator.control);
  emulator.control.setScenario = (scenario) => setScenario({ ...fromEnv, ...scenario });
  const dir = await mkdtemp(join(tmpdir(), 'claude-batch-test-'));
  const taskQueue = uniqueTaskQueue('job');
  const bundle = await workflowBundle(workflowsPath);
  const newWorker = (workerOptions: { maxCachedWorkflows?: number } = {}) =>
    createBatchWorker({
      ...workerOptions,
      connection: env.nativeConnection,
      taskQueue,
      workflowBundle: bundle,
      anthropic: new Anthropic({ apiKey: 'test-key', baseURL: emulator.url }),
      reconcile: { verifyIntervalMs: 100 },
      ...(options.storage ? { storage: options.storage } : {}),
      ...(options.followTemporalTime === false ? {} : { interceptors: { activity: [followTemporalTime(emulator)] } }),
    });
  return {
    emulator,
    dir,
    taskQueue,
    newWorker,
    async withWorker(fn) {
      const worker = await newWorker();
      return worker.runUntil(fn);
    },
    async writeRequests(name, lines) {
      const path = join(dir, name);
      await writeFile(path, lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n') + '\n');
      return path;
    },
    async readResults(output) {
      const text = await readFile(join(output, 'results.jsonl'), 'utf8');
      return text
        .split('\n')
        .filter((l) => l.length > 0)
        .map((l) => JSON.parse(l) as FinalResultLine);
    },
    async readSummary(output) {
      return JSON.parse(await readFile(join(output, 'summary.json'), 'utf8')) as JobSummary;
    },
    close: () => emulator.close(),
  };
}

/** A request line as users write them. */
export function request(customId: string, text: string, params: Record<string, unknown> = {}) {
  return {
    custom_id: customId,
    params: { model: 'claude-sonnet-4-5', max_tokens: 64, messages: [{ role: 'user', content: text }], ...params },
  };
}

/**
 * The suite's time-skipping server, started before its tests (handed to `use`) and torn down after them; each test's
 * job (`current()`) is closed after the test.
 */
export function withTimeSkippingServer(
  use: (env: TestWorkflowEnvironment) => void,
  current: () => JobEnv | undefined,
): void {
  let env: TestWorkflowEnvironment | undefined;
  before(async () => {
    env = await startTimeSkippingServer();
    use(env);
  });
  after(async () => {
    await env?.teardown();
  });
  afterEach(async () => {
    await current()?.close();
  });
}
