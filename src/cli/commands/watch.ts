// `claude-batch watch`: follow a running job until it ends.
import { Command } from 'commander';
import type { CliContext } from '../context';
import { followJob } from '../follow';
import { printResult } from '../start-job';

export async function watch(ctx: CliContext, workflowId: string): Promise<void> {
  const jobs = await ctx.connect();
  printResult(ctx, await followJob(jobs, workflowId, { plain: ctx.json() || !process.stderr.isTTY }), workflowId);
}

export function watchCommand(ctx: CliContext): Command {
  return new Command('watch')
    .argument('<workflowId>')
    .description('follow a running job until it ends')
    .action((id: string) => watch(ctx, id));
}
