// What the CLI asks the Temporal server before and after starting a job, so a job that cannot run says why at once:
// no worker on its task queue, no custom search attributes, an id already in use.
import type { BatchJobClient } from '../client';
import type { CliContext } from './context';
import { JOB_SEARCH_ATTRIBUTES } from '../shared/search-attributes';

// The API's enum values (temporal.api.enums.v1): the proto package is not one of ours to import.
const TASK_QUEUE_KIND_NORMAL = 1;
const TASK_QUEUE_TYPE_WORKFLOW = 1;

/** How many workers polled the task queue's workflow tasks lately (the server remembers a few minutes). */
export async function workflowPollers(jobs: BatchJobClient, taskQueue: string): Promise<number> {
  const answer = await jobs.client.workflowService.describeTaskQueue({
    namespace: jobs.client.options.namespace,
    taskQueue: { name: taskQueue, kind: TASK_QUEUE_KIND_NORMAL },
    taskQueueType: TASK_QUEUE_TYPE_WORKFLOW,
  });
  return answer.pollers?.length ?? 0;
}

/** The job search attributes the namespace lacks (all of them on a server nobody registered them on). */
export async function missingSearchAttributes(jobs: BatchJobClient): Promise<string[]> {
  const answer = await jobs.client.connection.operatorService.listSearchAttributes({
    namespace: jobs.client.options.namespace,
  });
  const known = { ...answer.customAttributes, ...answer.systemAttributes };
  return JOB_SEARCH_ATTRIBUTES.map((k) => k.name).filter((name) => !(name in known));
}

/** The running job under this id, if any: starting again attaches to it. */
export async function runningJob(
  jobs: BatchJobClient,
  workflowId: string,
): Promise<{ startTime: Date; runId: string } | undefined> {
  try {
    const d = await jobs.handle(workflowId).describe();
    return d.status.name === 'RUNNING' ? { startTime: d.startTime, runId: d.runId } : undefined;
  } catch {
    return undefined;
  }
}

/** Says on stderr, once, that nothing will happen until a worker polls the job's task queue, and how to start one. */
export async function warnIfNoWorker(ctx: CliContext, jobs: BatchJobClient, taskQueue: string): Promise<void> {
  if ((await workflowPollers(jobs, taskQueue).catch(() => 1)) > 0) return;
  const { address, namespace } = ctx.server();
  console.error(
    `claude-batch: warning: no worker polls task queue ${taskQueue} on ${address} (namespace ${namespace}), so the job waits until one does: start one with \`claude-batch worker --address ${address}\` (it needs ANTHROPIC_API_KEY), or run \`claude-batch dev\` for a local stack`,
  );
}
