// How `run`, `watch`, `results` and `status` tell a job's end: the summary on stdout, one sentence on stderr when not
// every request succeeded, and the exit code of the policy.
import type { CliContext } from './context';
import { CliError } from './exit-codes';
import { summaryTable } from './format';
import { endSentence, exitCodeOf, type JobEnd } from './job-end';

/** The --json document of a job's end: the result (summary and paths) when there is one, and how it ended. */
export function endDocument(end: JobEnd, workflowId: string): Record<string, unknown> {
  return {
    workflowId,
    outcome: end.outcome,
    ...('result' in end && end.result ? end.result : {}),
    ...('cause' in end
      ? { failure: { message: end.cause, ...(end.failureType ? { type: end.failureType } : {}) } }
      : {}),
  };
}

/** Prints the end; throws (with the policy's exit code) when not every request succeeded. */
export function reportEnd(ctx: CliContext, end: JobEnd, workflowId: string): void {
  const link = `  web ui     ${ctx.jobLink(workflowId)}`;
  const human =
    'result' in end && end.result
      ? `\n${summaryTable(end.result.summary, end.result.resultsPath, end.outcome)}\n${link}`
      : `\n  outcome    ${end.outcome}\n${link}`;
  ctx.print(human, endDocument(end, workflowId));
  const code = exitCodeOf(end);
  if (code !== 0) throw new CliError(endSentence(end, workflowId) ?? end.outcome, code, ctx.json());
}
