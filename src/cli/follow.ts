// Follows a running job with a live progress bar until it ends.
import { SingleBar, Presets } from 'cli-progress';
import type { BatchJobClient } from '../client';
import type { JobProgress } from '../shared/job';
import { jobEndOf, type JobEnd } from './job-end';
import { apiCounts, batchStatuses, progressLine, stallLines, timing, usd } from './format';

export interface FollowOptions {
  /** Print a line per change instead of a bar (not a terminal, or --json). */
  plain: boolean;
  intervalMs?: number;
}

export async function followJob(jobs: BatchJobClient, workflowId: string, options: FollowOptions): Promise<JobEnd> {
  const handle = jobs.handle(workflowId);
  const started = Date.now();
  const bar = options.plain
    ? undefined
    : new SingleBar(
        {
          format:
            ' {bar} {percentage}% | {value}/{total} requests | {phase} round {round} | {ok} ok {failed} failed | batches {batches}{api}{timing} | {elapsed} | {cost}',
          hideCursor: true,
        },
        Presets.shades_classic,
      );
  let barStarted = false;
  let lastLine = '';
  let lastStall = '';
  const show = (p: JobProgress) => {
    // A stall is news whatever the display: say it once per new error, above the bar.
    const stall = p.stall ? `${p.stall.step}: ${p.stall.error}` : '';
    if (bar && stall && stall !== lastStall) process.stderr.write(`\n${stallLines(p.stall!)}\n`);
    lastStall = stall;
    const done = p.done.succeeded + p.done.errored + p.done.expired + p.done.canceled;
    if (bar) {
      const payload = {
        phase: p.phase,
        round: p.round,
        ok: p.done.succeeded,
        failed: p.done.errored + p.done.expired + p.done.canceled,
        batches: batchStatuses(p),
        api: apiCounts(p) ? ` | ${apiCounts(p)}` : '',
        timing: timing(p) ? ` | ${timing(p)}` : '',
        elapsed: `${Math.round((Date.now() - started) / 1000)}s`,
        cost: usd(p.cost.batchUsd),
      };
      if (!barStarted) {
        bar.start(Math.max(p.totalRequests, 1), done, payload);
        barStarted = true;
      }
      bar.setTotal(Math.max(p.totalRequests, 1));
      bar.update(done, payload);
    } else {
      // A new line when something happened, not each time the countdown to the next check moves.
      const line = progressLine(p, Date.now(), false);
      if (line !== lastLine) console.error(progressLine(p));
      lastLine = line;
    }
  };
  const poll = setInterval(() => {
    handle
      .query<JobProgress>('progress')
      .then(show)
      .catch(() => undefined);
  }, options.intervalMs ?? 500);
  try {
    const end = await jobEndOf(jobs, workflowId, handle.result());
    // The last figures, once: a job that failed early may have none worth a query.
    if ('result' in end) {
      const last = await handle.query<JobProgress>('progress').catch(() => undefined);
      if (last) show(last);
    }
    return end;
  } finally {
    clearInterval(poll);
    bar?.stop();
  }
}
