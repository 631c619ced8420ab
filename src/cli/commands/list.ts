// `claude-batch list`: recent batch jobs, one line each under a header: name, outcome, requests, cost.
import { Command } from 'commander';
import type { BatchJobClient, JobListing } from '../../client';
import type { CliContext } from '../context';
import { wholeNumber } from '../flags';
import { usd } from '../format';
import { jobEndOf } from '../job-end';
import { progressOf } from '../job-status';

export interface ListFlags {
  limit: string;
}

export interface ListedJob extends JobListing {
  name?: string;
  /** RUNNING (with its phase), COMPLETED, COMPLETED with errors, CANCELED, FAILED, TERMINATED, TIMED OUT. */
  outcome: string;
  totalRequests?: number;
  /** At batch prices: so far while it runs. */
  costUsd?: number;
}

/** What the job's result (or, while it runs, its progress) says of it; what cannot be read stays out. */
async function describeListed(jobs: BatchJobClient, job: JobListing): Promise<ListedJob> {
  if (job.status === 'RUNNING') {
    const p = await progressOf(jobs, job.workflowId, 3_000);
    return {
      ...job,
      outcome: `RUNNING (${p?.phase ?? job.phase ?? '?'})`,
      ...(p?.options?.name ? { name: p.options.name } : {}),
      ...(p ? { totalRequests: p.totalRequests, costUsd: p.cost.batchUsd } : {}),
    };
  }
  const end = await jobEndOf(jobs, job.workflowId, jobs.result(job.workflowId)).catch(() => undefined);
  const summary = end && 'result' in end ? end.result?.summary : undefined;
  return {
    ...job,
    outcome: end?.outcome ?? job.status,
    ...(summary
      ? { name: summary.name, totalRequests: summary.totalRequests, costUsd: summary.cost.batchUsd }
      : job.requests !== undefined
        ? { totalRequests: job.requests }
        : {}),
  };
}

/** Columns padded to their widest cell. */
function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows
    .map((r) =>
      r
        .map((cell, i) => cell.padEnd(widths[i]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

export async function list(ctx: CliContext, flags: ListFlags): Promise<void> {
  const limit = wholeNumber('--limit', flags.limit, 1);
  const jobs = await ctx.connect();
  const listed = await Promise.all((await jobs.list(limit)).map((j) => describeListed(jobs, j)));
  const rows = listed.map((j) => [
    j.workflowId,
    j.name ?? '-',
    j.outcome,
    j.totalRequests !== undefined ? String(j.totalRequests) : '-',
    j.costUsd !== undefined ? usd(j.costUsd) : '-',
    j.startTime.toISOString(),
  ]);
  ctx.print(
    rows.length > 0 ? table([['ID', 'NAME', 'OUTCOME', 'REQUESTS', 'COST', 'STARTED'], ...rows]) : 'no batch jobs',
    listed,
  );
}

export function listCommand(ctx: CliContext): Command {
  return new Command('list')
    .description('recent batch jobs: id, name, outcome, requests, cost (at batch prices), start time')
    .option('-n, --limit <n>', 'how many', '20')
    .action((flags: ListFlags) => list(ctx, flags));
}
