// The chaos itself, while the jobs run: worker SIGKILLs (one while round 1's creates are in flight, one during round
// 2's, the rest at random moments), API faults, and a restart of the Temporal server. Two tracks run side by side, one
// following round 1 and one waiting for round 2's wave; their actions take turns so that each kill sees a server up.
import type { Client } from '@temporalio/client';
import type { Emulator, FaultInjection } from '../src/emulator';
import { activitiesInFlight, byWorker, watchRecovery, type InFlightActivity } from './in-flight';
import type { ChaosOptions } from './options';
import type { Random } from './random';
import type { DevServer } from './temporal-server';
import type { WorkerPool, WorkerProcess } from './workers';

export interface KillRecord {
  n: number;
  /** When in the run, for people: "round-1 creates", "round-2 creates", "anywhere". */
  moment: string;
  worker: number;
  killedAt: number;
  /** The killed worker's activities the server still saw running after the kill. */
  inFlight: InFlightActivity[];
  /** When each of them started again on another worker (or was seen finished); undefined if never seen. */
  ranAgainAt: (number | undefined)[];
}

export interface ChaosLog {
  kills: KillRecord[];
  restarts: { at: number; downtimeMs: number }[];
  faults: { what: string; count: number }[];
  /** Calls the API answered with a fault or not at all (status 0), by endpoint and status: the faults that bit. */
  faultsHit: Map<string, number>;
}

export interface ScheduleContext {
  options: ChaosOptions;
  random: Random;
  emulator: Emulator;
  server: DevServer;
  workers: WorkerPool;
  client: Client;
  workflowIds: string[];
  /** Batches round 1 creates when nothing goes wrong. */
  round1Batches: number;
  done: () => boolean;
  log: (line: string) => void;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function createChaos(ctx: ScheduleContext) {
  const record: ChaosLog = { kills: [], restarts: [], faults: [], faultsHit: new Map() };
  const recoveries: Promise<void>[] = [];
  let turn: Promise<unknown> = Promise.resolve();
  /** One action at a time: a kill's look at the server must not race the server's restart. */
  const exclusive = <T>(action: () => Promise<T>): Promise<T> => {
    const next = turn.then(action);
    turn = next.catch(() => undefined);
    return next;
  };

  /** Waits for `condition`, or for the jobs to end (then false). */
  async function until(condition: () => boolean): Promise<boolean> {
    while (!ctx.done()) {
      if (condition()) return true;
      await sleep(50);
    }
    return false;
  }

  /** A random wait, cut short by the jobs' end (then false). */
  const pause = (min: number, max: number) => {
    const at = Date.now() + ctx.random.between(min, max);
    return until(() => Date.now() >= at);
  };

  function inject(what: string, fault: FaultInjection): void {
    ctx.emulator.control.injectFaults(fault);
    const count = 'count' in fault && fault.count !== undefined ? fault.count : 1;
    record.faults.push({ what, count });
    ctx.log(`fault: ${what} x${count}`);
  }

  const batchesCreated = () => ctx.emulator.record.batches().length;
  const round2Started = () => ctx.emulator.record.batches().some((b) => b.customIds.some((id) => /-r2c\d+-/.test(id)));

  /**
   * Kills the worker running the most activities (of `prefer`, when any runs it), watches when its activities run
   * again elsewhere, and starts a replacement.
   */
  async function kill(moment: string, prefer?: string): Promise<void> {
    if (ctx.done()) return;
    const before = await activitiesInFlight(ctx.client, ctx.workflowIds);
    const live = ctx.workers.live();
    if (live.length === 0) return;
    const load = (w: WorkerProcess) => {
      const mine = before.filter((a) => a.identity === w.identity);
      return mine.filter((a) => a.type === prefer).length * 1000 + mine.length;
    };
    const heaviest = Math.max(0, ...live.map(load));
    const victim = ctx.random.pick(heaviest > 0 ? live.filter((w) => load(w) === heaviest) : live);
    const { killedAt, replaced } = ctx.workers.kill(victim);
    // What the dead worker held, as the server now sees it: activities that finished before the kill are not in it.
    const after = byWorker(await activitiesInFlight(ctx.client, ctx.workflowIds)).get(victim.identity) ?? [];
    const entry: KillRecord = {
      n: record.kills.length + 1,
      moment,
      worker: victim.n,
      killedAt,
      inFlight: after,
      ranAgainAt: after.map(() => undefined),
    };
    record.kills.push(entry);
    ctx.log(
      `kill ${entry.n} (${moment}): worker ${victim.n} had ${after.length} activities in flight` +
        (after.length ? ` (${[...new Set(after.map((a) => a.type))].join(', ')})` : ''),
    );
    recoveries.push(
      watchRecovery(ctx.client, after, ctx.done).then((times) => {
        entry.ranAgainAt = times;
        const waits = times.flatMap((t) => (t === undefined ? [] : [(t - killedAt) / 1000]));
        if (waits.length) ctx.log(`kill ${entry.n}: activities ran again after ${Math.max(...waits).toFixed(1)} s`);
      }),
    );
    // The next action (the server's restart) waits for the replacement: its start is not what is under test.
    await replaced;
  }

  async function restartServer(): Promise<void> {
    if (ctx.done()) return;
    ctx.log('SIGKILL the Temporal server; starting it again on the same port and database');
    const at = Date.now();
    const downtimeMs = await ctx.server.restart();
    record.restarts.push({ at, downtimeMs });
    ctx.log(`Temporal server back after ${(downtimeMs / 1000).toFixed(1)} s`);
  }

  /** Round 1: a kill while creates are stalled, faults on the other endpoints, the server's restart, more kills. */
  async function round1Track(): Promise<void> {
    const { options } = ctx;
    const firstKill = options.kills > 0;
    if (firstKill && (await until(() => batchesCreated() >= Math.max(1, Math.ceil(ctx.round1Batches * 0.15))))) {
      // Creates held a few seconds at the API: the victim dies with its creates sent and unanswered.
      inject('stalled create (3 s)', { kind: 'stall', endpoint: 'create', ms: 3_000, count: 3 });
      await sleep(500);
      await exclusive(() => kill('round-1 creates', 'submitChunk'));
    }
    inject('retrieve answered 529', { status: 529, count: options.statusFaults, endpoint: 'retrieve' });
    inject('results answered 500', { status: 500, count: options.statusFaults, endpoint: 'results' });
    inject('list answered 429', { status: 429, count: options.statusFaults, endpoint: 'list', retryAfterSeconds: 1 });
    for (let i = 0; i < options.serverRestarts; i++) {
      if (!(await pause(4_000, 10_000))) return;
      await exclusive(restartServer);
    }
    const anywhere = Math.max(0, options.kills - (firstKill ? 1 : 0) - (options.kills >= 2 ? 1 : 0));
    for (let i = 0; i < anywhere; i++) {
      if (!(await pause(3_000, 15_000))) return;
      await exclusive(() => kill('anywhere'));
    }
  }

  /** Round 2: when the first retry batch appears, the rest of its wave fails or loses answers, and a worker dies. */
  async function round2Track(): Promise<void> {
    if (!(await until(round2Started))) return;
    inject('create answered 500 (round 2)', { status: 500, count: ctx.options.statusFaults, endpoint: 'create' });
    inject('create answer dropped (round 2)', { kind: 'drop-after-create', count: ctx.options.droppedCreates });
    if (ctx.options.kills >= 2) {
      inject('stalled create (3 s)', { kind: 'stall', endpoint: 'create', ms: 3_000, count: 3 });
      await sleep(300);
      await exclusive(() => kill('round-2 creates', 'submitChunk'));
    }
  }

  return {
    record,
    /**
     * Armed before the jobs start, so that round 1's wave meets them: creates that fail (no batch; a retry must not
     * take another job's batch of the same size for its own) and creates whose answers are lost (a batch exists;
     * the retry must find and keep it).
     */
    beforeStart(): void {
      const { statusFaults, droppedCreates } = ctx.options;
      inject('create answered 500', { status: 500, count: statusFaults, endpoint: 'create' });
      inject('create answered 529', { status: 529, count: statusFaults, endpoint: 'create' });
      inject('create answer dropped (round 1)', { kind: 'drop-after-create', count: droppedCreates });
    },
    /** Runs both tracks until they have done everything or the jobs have ended. */
    async run(): Promise<void> {
      await Promise.all([round1Track(), round2Track()]);
    },
    /** The recovery watches, which end when their activities ran again or the jobs ended. */
    async settled(): Promise<ChaosLog> {
      await Promise.all(recoveries);
      for (const call of ctx.emulator.record.calls) {
        if (call.status !== 0 && call.status < 400) continue;
        const key = `${call.endpoint} ${call.status === 0 ? 'dropped' : call.status}`;
        record.faultsHit.set(key, (record.faultsHit.get(key) ?? 0) + 1);
      }
      return record;
    },
  };
}
