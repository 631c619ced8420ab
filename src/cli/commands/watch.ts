// `claude-batch watch`: follow a job until it ends, then tell how it ended.
import { Command } from 'commander';
import type { CliContext } from '../context';
import { followJob } from '../follow';
import { reportEnd } from '../report-end';
import { warnIfNoWorker } from '../server-checks';

export async function watch(ctx: CliContext, workflowId: string): Promise<void> {
  const jobs = await ctx.connect();
  const { status, taskQueue } = await jobs.handle(workflowId).describe();
  if (status.name === 'RUNNING') await warnIfNoWorker(ctx, jobs, taskQueue);
  reportEnd(ctx, await followJob(jobs, workflowId, { plain: ctx.json() || !process.stderr.isTTY }), workflowId);
}

export function watchCommand(ctx: CliContext): Command {
  return new Command('watch')
    .argument('<workflowId>')
    .description('follow a job until it ends, then print its summary and how it ended')
    .action((id: string) => watch(ctx, id));
}
