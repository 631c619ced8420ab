// The run's worker processes: separate OS processes (a SIGKILL takes the whole process, its connections and its
// activities in flight with it), each replaced by a new one as soon as it is killed.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';

const projectRoot = resolve(__dirname, '..');

export interface WorkerProcess {
  /** 1, 2, 3… in start order; kept in log file names. */
  n: number;
  pid: number;
  /** What Temporal records as the worker's identity (the SDK's default: pid@host). */
  identity: string;
  child: ChildProcess;
}

export interface WorkerPoolOptions {
  dir: string;
  env: Record<string, string>;
  log: (line: string) => void;
}

export interface WorkerPool {
  live(): WorkerProcess[];
  /** SIGKILLs this worker and starts a replacement: when the kill was sent, and the replacement's start. */
  kill(worker: WorkerProcess): { killedAt: number; replaced: Promise<void> };
  /** Exits nobody asked for (a crash would be a finding of its own). */
  unexpectedExits(): number;
  stop(): Promise<void>;
}

/** Environment variables that could point a worker anywhere but this run's loopback servers. */
const FOREIGN_ENV = /^(TEMPORAL_|ANTHROPIC_|CLAUDE_BATCH_)/;

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((done) => child.once('exit', () => done()));
}

export async function startWorkers(count: number, options: WorkerPoolOptions): Promise<WorkerPool> {
  const env = {
    ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !FOREIGN_ENV.test(k))),
    ...options.env,
  };
  const live = new Set<WorkerProcess>();
  /** Ours to kill: any other death (the OOM killer's SIGKILL too) is unexpected. */
  const killed = new Set<WorkerProcess>();
  const starting = new Set<Promise<void>>();
  let started = 0;
  let unexpected = 0;
  let stopping = false;

  function spawnOne(): Promise<void> {
    started += 1;
    const n = started;
    const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'worker-process.ts')], {
      cwd: projectRoot,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const logFile = createWriteStream(join(options.dir, `worker-${n}.log`));
    child.stderr?.pipe(logFile, { end: false });
    const worker: WorkerProcess = { n, pid: child.pid ?? -1, identity: `${child.pid ?? -1}@${hostname()}`, child };
    live.add(worker);
    // 'close' comes after the last output, 'exit' may come before it.
    child.once('close', () => logFile.end());
    child.once('exit', (code, signal) => {
      live.delete(worker);
      if (stopping || killed.has(worker)) return;
      unexpected += 1;
      options.log(`worker ${n} (pid ${worker.pid}) exited by itself (${code ?? signal}); starting another`);
      // Not at once: a worker that cannot start would otherwise be respawned in a tight loop.
      void track(new Promise((resolve) => setTimeout(resolve, 1_000)).then(() => (stopping ? undefined : spawnOne())));
    });
    return new Promise<void>((ready, failed) => {
      let out = '';
      child.stdout?.on('data', (d: Buffer) => {
        logFile.write(d);
        out += d.toString();
        if (out.includes('polling')) ready();
      });
      child.once('exit', () => failed(new Error(`worker ${n} exited before polling (see worker-${n}.log)`)));
    });
  }

  function track(promise: Promise<void>): Promise<void> {
    const settled = promise.catch((err: unknown) => options.log(String(err)));
    starting.add(settled);
    void settled.finally(() => starting.delete(settled));
    return settled;
  }

  await Promise.all(Array.from({ length: count }, spawnOne));
  return {
    live: () => [...live],
    kill(worker) {
      const killedAt = Date.now();
      killed.add(worker);
      worker.child.kill('SIGKILL');
      options.log(`SIGKILL worker ${worker.n} (pid ${worker.pid}); starting a replacement`);
      return { killedAt, replaced: track(spawnOne()) };
    },
    unexpectedExits: () => unexpected,
    async stop() {
      stopping = true;
      await Promise.all(starting);
      const all = [...live];
      for (const w of all) w.child.kill('SIGTERM');
      const timer = setTimeout(() => all.forEach((w) => w.child.kill('SIGKILL')), 15_000);
      await Promise.all(all.map((w) => exited(w.child)));
      clearTimeout(timer);
    },
  };
}
