// `claude-batch watch`: follow a job until it ends, then tell how it ended.
import { Command } from 'commander';
import type { CliContext } from '../context';
import { followJob } from '../follow';
import { reportEnd } from '../report-end';

export async function watch(ctx: CliContext, workflowId: string): Promise<void> {
  const jobs = await ctx.connect();
  reportEnd(ctx, await followJob(jobs, workflowId, { plain: ctx.json() || !process.stderr.isTTY }), workflowId);
}

export function watchCommand(ctx: CliContext): Command {
  return new Command('watch')
    .argument('<workflowId>')
    .description('follow a job until it ends, then print its summary and how it ended')
    .action((id: string) => watch(ctx, id));
}
