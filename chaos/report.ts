// The figures a run prints: what was done to the jobs, what the check found, how long recovery took.
import { cpus } from 'node:os';
import type { Verdict } from './check';
import type { ChaosOptions } from './options';
import type { ChaosLog, KillRecord } from './schedule';

export interface ChaosReport {
  options: ChaosOptions;
  verdict: Verdict;
  chaos: ChaosLog;
  unexpectedWorkerExits: number;
  /** Job durations from the common start to each job's end, in ms (completed jobs). */
  jobMs: number[];
  wallMs: number;
  passed: boolean;
  /** Where logs and results are (kept when the run failed or with --keep). */
  dir?: string;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** Seconds from the kill until the last of the killed worker's activities ran again, or why there is no figure. */
export function recoveryMs(kill: KillRecord): number | undefined {
  const times = kill.ranAgainAt.flatMap((t) => (t === undefined ? [] : [t - kill.killedAt]));
  return times.length > 0 ? Math.max(...times) : undefined;
}

function recoveryLine(kill: KillRecord): string {
  const head = `  kill ${kill.n} (${kill.moment}, worker ${kill.worker}): `;
  if (kill.inFlight.length === 0) return `${head}no activity in flight`;
  const types = new Map<string, number>();
  for (const a of kill.inFlight) types.set(a.type, (types.get(a.type) ?? 0) + 1);
  const held = [...types].map(([t, n]) => `${n} ${t}`).join(', ');
  const times = kill.ranAgainAt.flatMap((t) => (t === undefined ? [] : [t - kill.killedAt]));
  if (times.length === 0) return `${head}${held} in flight, never seen running again`;
  const missing = kill.inFlight.length - times.length;
  return (
    `${head}${held} in flight, running again elsewhere after ${seconds(Math.min(...times))}` +
    (Math.max(...times) - Math.min(...times) >= 100 ? ` to ${seconds(Math.max(...times))}` : '') +
    (missing > 0 ? ` (${missing} never seen again)` : '')
  );
}

export function formatReport(report: ChaosReport): string {
  const { options, verdict: v, chaos } = report;
  const faults = new Map<string, number>();
  for (const f of chaos.faults) faults.set(f.what, (faults.get(f.what) ?? 0) + f.count);
  const faultCount = [...faults.values()].reduce((a, b) => a + b, 0);
  const slowest = report.jobMs.length > 0 ? Math.max(...report.jobMs) : undefined;
  const lines = [
    `chaos run (seed ${options.seed}, ${cpus().length} cores): ${report.passed ? 'PASSED' : 'FAILED'}`,
    `  jobs ${v.jobs} (completed ${v.completed}, bound ${seconds(options.jobBoundMs)}), requests ${v.requests}`,
    `  worker processes ${options.workers}, worker kills ${chaos.kills.length}` +
      (report.unexpectedWorkerExits ? `, unexpected worker exits ${report.unexpectedWorkerExits}` : ''),
    `  server restarts ${chaos.restarts.length}` +
      (chaos.restarts.length ? ` (down ${chaos.restarts.map((r) => seconds(r.downtimeMs)).join(', ')})` : ''),
    `  faults injected ${faultCount}: ${[...faults].map(([what, n]) => `${what} x${n}`).join('; ')}`,
    `  API calls failed or dropped ${[...chaos.faultsHit.values()].reduce((a, b) => a + b, 0)}: ` +
      [...chaos.faultsHit].map(([what, n]) => `${what} x${n}`).join('; '),
    `  lines checked ${v.linesChecked}: wrong ${v.wrong}, lost ${v.lost}, duplicate ${v.duplicate}` +
      `, not succeeded ${v.notSucceeded}`,
    `  batches created ${v.batchesCreated}: duplicate ${v.duplicateBatches}, used by another job ` +
      `${v.batchesUsedByAnotherJob}, unused ${v.unusedBatches}` +
      (v.batchesMisfiled ? `, under another round or chunk ${v.batchesMisfiled}` : '') +
      (v.unattributedBatches ? `, of no single job ${v.unattributedBatches}` : ''),
    `  jobs sharing an internal job key with another job: ${v.jobsSharingAJobKey}`,
    `  recovery after each kill (SIGKILL until the killed worker's activities ran again elsewhere):`,
    ...(chaos.kills.length ? chaos.kills.map(recoveryLine) : ['  none']),
    `  slowest job ${slowest === undefined ? '-' : seconds(slowest)}, wall time ${seconds(report.wallMs)}`,
    ...(v.examples.length ? ['  examples:', ...v.examples.map((e) => `    ${e}`)] : []),
    ...(report.dir ? [`  logs and results kept in ${report.dir}`] : []),
  ];
  return lines.join('\n');
}
