// `claude-batch status`: a job's current progress.
import { Command } from 'commander';
import type { CliContext } from '../context';
import { progressLine } from '../format';

export async function status(ctx: CliContext, workflowId: string): Promise<void> {
  const jobs = await ctx.connect();
  const progress = await jobs.getProgress(workflowId);
  ctx.print(progressLine(progress), progress);
}

export function statusCommand(ctx: CliContext): Command {
  return new Command('status')
    .argument('<workflowId>')
    .description("a job's current progress")
    .action((id: string) => status(ctx, id));
}
