// The remote-control commands (`pause`, `resume`, `approve`, `check`, `budget`): each sends a Temporal update and
// prints the job's progress as it answers.
import { Command } from 'commander';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import type { BatchJobClient } from '../../client';
import type { JobProgress } from '../../shared/job';
import { UserError, type CliContext } from '../context';
import { dollars } from '../flags';
import { progressLine } from '../format';

export async function control(
  ctx: CliContext,
  name: string,
  workflowId: string,
  send: (jobs: BatchJobClient, id: string) => Promise<JobProgress>,
): Promise<void> {
  const jobs = await ctx.connect();
  const progress = await send(jobs, workflowId).catch((err: unknown) => {
    // A refused update (nothing to approve, a job that ended) is the operator's to read, not a crash.
    throw err instanceof WorkflowUpdateFailedError
      ? new UserError(`${name} refused: ${err.cause?.message ?? err.message}`)
      : err;
  });
  ctx.print(progressLine(progress), progress);
}

function controlCommand(
  ctx: CliContext,
  name: string,
  description: string,
  send: (jobs: BatchJobClient, id: string) => Promise<JobProgress>,
): Command {
  return new Command(name)
    .argument('<workflowId>')
    .description(description)
    .action((id: string) => control(ctx, name, id, send));
}

export const pauseCommand = (ctx: CliContext) =>
  controlCommand(ctx, 'pause', 'submit nothing new (live batches go on and are collected) until resume', (j, id) =>
    j.pause(id),
  );
export const resumeCommand = (ctx: CliContext) =>
  controlCommand(ctx, 'resume', 'submit again after pause', (j, id) => j.resume(id));
export const approveCommand = (ctx: CliContext) =>
  controlCommand(ctx, 'approve', 'let a job held over its budget (awaiting-approval) send its round', (j, id) =>
    j.approve(id),
  );
export const checkCommand = (ctx: CliContext) =>
  controlCommand(ctx, 'check', 'check the live batches now and print what the check found', (j, id) =>
    j.checkNowAndWait(id),
  );

export function budgetCommand(ctx: CliContext): Command {
  return new Command('budget')
    .argument('<workflowId>')
    .argument('<usd>')
    .description("set a job's budget in US dollars; a hold the new budget covers is released")
    .action((id: string, usd: string) => {
      const budgetUsd = dollars('the budget', usd);
      return control(ctx, 'budget', id, (j) => j.setBudget(id, budgetUsd));
    });
}
