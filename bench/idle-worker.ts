// The idle worker: `claude-batch worker` started as users start it, against the Temporal CLI's dev server, holding no
// job. Prints the time from spawn to ready (connected, workflow code loaded, polling) and the RSS after it has sat
// idle, for the workflow code bundled at start and for the prebuilt bundle, alternating so both see the same load.
// `npm run bench` runs it; `npx tsx bench/idle-worker.ts` alone (BENCH_IDLE_RUNS, default 3).
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { DefaultLogger } from '@temporalio/worker';
import { buildWorkflowBundle } from '../src/workflow-bundle';
import { startDevServer, uniqueTaskQueue } from '../test/support/temporal';
import { projectRoot } from '../test/support/cli';

type Mode = 'bundled at start' | 'prebuilt' | 'prebuilt, 2 arenas';
/** The third: glibc's malloc with 2 arenas instead of 8 per core (MALLOC_ARENA_MAX=2), for the native threads. */
const MODES: Mode[] = ['bundled at start', 'prebuilt', 'prebuilt, 2 arenas'];
const IDLE_MS = 10_000;

export interface IdleWorkerFigure {
  mode: Mode;
  readySeconds: number;
  /** The worker's own account of its start: loading modules, loading the workflow code. */
  modulesSeconds: number;
  workflowCodeSeconds: number;
  idleRssMb: number;
}

/** The resident set of a process, from /proc (Linux) or ps. */
async function rssMb(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => null);
  const kb = status?.match(/^VmRSS:\s+(\d+) kB/m)?.[1];
  if (kb) return Number(kb) / 1024;
  const ps = await new Promise<string>((resolve) => {
    let out = '';
    const child = spawn('ps', ['-o', 'rss=', '-p', String(pid)]);
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('close', () => resolve(out));
  });
  return Number(ps.trim()) / 1024;
}

async function oneWorker(address: string, mode: Mode, bundlePath: string): Promise<IdleWorkerFigure> {
  const started = process.hrtime.bigint();
  const child = spawn(
    process.execPath,
    [join(projectRoot, 'bin', 'claude-batch'), 'worker', '--address', address, '--task-queue', uniqueTaskQueue('idle')],
    {
      cwd: projectRoot,
      env: {
        ...process.env,
        // An idle worker makes no API calls: the key stays unset, the address is never dialled.
        ANTHROPIC_API_KEY: undefined,
        ANTHROPIC_BASE_URL: 'http://127.0.0.1:9',
        CLAUDE_BATCH_WORKFLOW_BUNDLE: mode === 'bundled at start' ? 'off' : bundlePath,
        ...(mode === 'prebuilt, 2 arenas' ? { MALLOC_ARENA_MAX: '2' } : {}),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  try {
    const readySeconds = await new Promise<number>((resolve, reject) => {
      const onData = (d: Buffer) => {
        output += d.toString();
        // Printed once the worker exists, right before it starts polling.
        if (/ready in .*\n/.test(output)) resolve(Number(process.hrtime.bigint() - started) / 1e9);
      };
      child.stdout.on('data', onData);
      child.stderr.on('data', onData);
      child.on('exit', (code) => reject(new Error(`the worker exited (${code}) before it was ready:\n${output}`)));
    });
    if (!output.includes(mode === 'bundled at start' ? 'bundled at start' : 'prebuilt bundle')) {
      throw new Error(`the worker did not load its workflow code ${mode}:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, IDLE_MS));
    const [, modules, workflowCode] = /modules ([\d.]+) s, workflow code ([\d.]+) s/.exec(output) ?? [];
    return {
      mode,
      readySeconds,
      modulesSeconds: Number(modules),
      workflowCodeSeconds: Number(workflowCode),
      idleRssMb: await rssMb(child.pid!),
    };
  } finally {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
  }
}

export async function idleWorkerFigures(runs = Number(process.env.BENCH_IDLE_RUNS ?? 3)): Promise<IdleWorkerFigure[]> {
  const dir = await mkdtemp(join(tmpdir(), 'claude-batch-idle-'));
  const env = await startDevServer();
  try {
    const bundlePath = join(dir, 'workflow-bundle.js');
    await buildWorkflowBundle({ bundlePath, logger: new DefaultLogger('WARN') });
    const figures: IdleWorkerFigure[] = [];
    for (let run = 0; run < runs; run++) {
      for (const mode of MODES) figures.push(await oneWorker(env.address, mode, bundlePath));
    }
    return figures;
  } finally {
    await env.teardown();
    await rm(dir, { recursive: true, force: true });
  }
}

export function printIdleWorker(figures: IdleWorkerFigure[]): void {
  const range = (values: number[], digits: number) => {
    const [low, high] = [Math.min(...values), Math.max(...values)];
    return low.toFixed(digits) === high.toFixed(digits)
      ? low.toFixed(digits)
      : `${low.toFixed(digits)}–${high.toFixed(digits)}`;
  };
  const runs = figures.filter((f) => f.mode === 'prebuilt').length;
  console.log(
    `\nidle worker (claude-batch worker, no job, RSS after ${IDLE_MS / 1000} s idle; ${runs} runs each, ` +
      `${cpus().length} cores, Node ${process.version})`,
  );
  console.log('workflow code        start to ready   of which modules   workflow code   idle RSS');
  for (const mode of MODES) {
    const mine = figures.filter((f) => f.mode === mode);
    const seconds = (pick: (f: IdleWorkerFigure) => number) => `${range(mine.map(pick), 1)} s`;
    console.log(
      `${mode.padEnd(19)}  ${seconds((f) => f.readySeconds).padStart(14)}   ${seconds((f) => f.modulesSeconds).padStart(16)}` +
        `   ${seconds((f) => f.workflowCodeSeconds).padStart(13)}   ${range(
          mine.map((f) => f.idleRssMb),
          0,
        )} MB`,
    );
  }
}

if (require.main === module) {
  idleWorkerFigures()
    .then(printIdleWorker)
    .catch((err: unknown) => {
      console.error(err);
      process.exit(1);
    });
}
