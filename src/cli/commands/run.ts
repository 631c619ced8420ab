// `claude-batch run`: start a job and follow it with a live progress bar until it ends.
import { Command } from 'commander';
import type { CliContext } from '../context';
import { followJob } from '../follow';
import { reportEnd } from '../report-end';
import { jobOptions, startJob, type JobFlags } from '../start-job';

export interface RunFlags extends JobFlags {
  cancelOnInterrupt?: boolean;
}

export async function run(ctx: CliContext, file: string, flags: RunFlags): Promise<void> {
  const { jobs, workflowId } = await startJob(ctx, file, flags);
  console.error(`started ${workflowId} — ${ctx.jobLink(workflowId)}`);
  process.once('SIGINT', () => {
    if (flags.cancelOnInterrupt) {
      console.error(`\ncanceling ${workflowId}: its batches are canceled and what finished is reported`);
      void jobs.cancel(workflowId);
      return;
    }
    console.error(`\ndetached; the job goes on. Re-attach with: claude-batch watch ${workflowId}`);
    process.exit(130);
  });
  reportEnd(ctx, await followJob(jobs, workflowId, { plain: ctx.json() || !process.stderr.isTTY }), workflowId);
}

export function runCommand(ctx: CliContext): Command {
  return jobOptions(
    new Command('run')
      .argument('<requests>', 'the requests JSONL, or with --template a folder (or s3:// prefix) of documents')
      .description('start a job and follow it with a live progress bar until it ends'),
  )
    .option('--cancel-on-interrupt', 'Ctrl-C cancels the job instead of detaching')
    .action((file: string, flags: RunFlags) => run(ctx, file, flags));
}
