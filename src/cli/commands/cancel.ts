// `claude-batch cancel`: cancel a job; its live batches are canceled at the API and what finished is reported.
import { Command } from 'commander';
import type { CliContext } from '../context';
import { UserError } from '../exit-codes';

export async function cancel(ctx: CliContext, workflowId: string): Promise<void> {
  const jobs = await ctx.connect();
  const { status } = await jobs.handle(workflowId).describe();
  if (status.name !== 'RUNNING') {
    throw new UserError(
      `job ${workflowId} has already ended (${status.name}), so there is nothing to cancel: \`claude-batch status ${workflowId}\` says how it ended`,
    );
  }
  await jobs.cancel(workflowId);
  ctx.print(`cancel requested for ${workflowId}`, { workflowId, cancelRequested: true });
}

export function cancelCommand(ctx: CliContext): Command {
  return new Command('cancel')
    .argument('<workflowId>')
    .description('cancel a job: its live batches are canceled at the API and what finished is reported')
    .action((id: string) => cancel(ctx, id));
}
