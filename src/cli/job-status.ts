// A job's state now, from the workflow's execution status (describe), not only from its query: a failed job answers
// no question about its progress worth trusting, and a closed one may have no worker left to answer at all.
import type { BatchJobClient } from '../client';
import type { JobProgress } from '../shared/job';
import { jobEndOf, type JobEnd } from './job-end';

export type JobNow =
  | { running: true; status: string; progress?: JobProgress }
  | { running: false; status: string; end: JobEnd; progress?: JobProgress };

/** The progress query, or undefined when no worker answers within a few seconds. */
export function progressOf(jobs: BatchJobClient, workflowId: string, waitMs = 5_000): Promise<JobProgress | undefined> {
  return jobs.client.connection
    .withDeadline(Date.now() + waitMs, () => jobs.getProgress(workflowId))
    .catch(() => undefined);
}

export async function jobNow(jobs: BatchJobClient, workflowId: string): Promise<JobNow> {
  const { status } = await jobs.handle(workflowId).describe();
  if (status.name === 'RUNNING') {
    const progress = await progressOf(jobs, workflowId);
    return { running: true, status: status.name, ...(progress ? { progress } : {}) };
  }
  const end = await jobEndOf(jobs, workflowId, jobs.result(workflowId));
  const progress = 'result' in end ? await progressOf(jobs, workflowId) : undefined;
  return { running: false, status: status.name, end, ...(progress ? { progress } : {}) };
}

/** "waiting, round 1 of 4, 120 of 300 requests final", for a running job. */
export function runningWords(p: JobProgress | undefined): string {
  if (!p) return 'no worker answered its progress query';
  const done = p.done.succeeded + p.done.errored + p.done.expired + p.done.canceled;
  return `${p.phase}, round ${p.round} of ${p.maxRounds}, ${done} of ${p.totalRequests} requests final`;
}
