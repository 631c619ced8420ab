// `claude-batch start`: start a job and return its workflow id and Web UI link.
import { Command } from 'commander';
import type { CliContext } from '../context';
import { jobOptions, startJob, type JobFlags } from '../start-job';

export async function start(ctx: CliContext, file: string, flags: JobFlags): Promise<void> {
  const { workflowId } = await startJob(ctx, file, flags);
  ctx.print(`${workflowId}\n${ctx.jobLink(workflowId)}`, { workflowId, webUi: ctx.jobLink(workflowId) });
}

export function startCommand(ctx: CliContext): Command {
  return jobOptions(
    new Command('start')
      .argument('<requests>', 'the requests JSONL, or with --template a folder (or s3:// prefix) of documents')
      .description('start a job and return (prints the workflow id and Web UI link)'),
  ).action((file: string, flags: JobFlags) => start(ctx, file, flags));
}
