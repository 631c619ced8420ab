// `claude-batch list`: recent batch jobs.
import { Command } from 'commander';
import type { CliContext } from '../context';

export interface ListFlags {
  limit: string;
}

export async function list(ctx: CliContext, flags: ListFlags): Promise<void> {
  const jobs = await ctx.connect();
  const listed = await jobs.list(Number(flags.limit));
  ctx.print(
    listed
      .map((j) => `${j.workflowId}  ${j.status}${j.phase ? ` (${j.phase})` : ''}  ${j.startTime.toISOString()}`)
      .join('\n') || 'no batch jobs',
    listed,
  );
}

export function listCommand(ctx: CliContext): Command {
  return new Command('list')
    .description('recent batch jobs')
    .option('-n, --limit <n>', 'how many', '20')
    .action((flags: ListFlags) => list(ctx, flags));
}
