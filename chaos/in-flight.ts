// Which activities a worker was running, and when they ran again elsewhere: read from the server's own view of each
// job (its pending activities, with the identity of the worker that last took each one and the attempt number).
import type { Client } from '@temporalio/client';
import { optionalTsToMs } from '@temporalio/common/lib/time';

export interface InFlightActivity {
  workflowId: string;
  runId: string;
  activityId: string;
  type: string;
  attempt: number;
  /** The worker that took this attempt. */
  identity: string;
}

type Description = Awaited<ReturnType<ReturnType<Client['workflow']['getHandle']>['describe']>>;
type PendingActivityState = NonNullable<NonNullable<Description['raw']['pendingActivities']>[number]['state']>;

/** PENDING_ACTIVITY_STATE_STARTED: @temporalio/proto, which defines it, is not one of our dependencies. */
const STARTED = 2 as PendingActivityState;

async function describe(client: Client, workflowId: string, runId?: string): Promise<Description | undefined> {
  try {
    return await client.workflow.getHandle(workflowId, runId).describe();
  } catch {
    // Closed, or the server is restarting: nothing in flight that we could see.
    return undefined;
  }
}

/** Every started activity of these jobs, by the worker running it. */
export async function activitiesInFlight(client: Client, workflowIds: string[]): Promise<InFlightActivity[]> {
  const descriptions = await Promise.all(workflowIds.map((id) => describe(client, id)));
  return descriptions.flatMap((d) =>
    (d?.raw.pendingActivities ?? [])
      .filter((a) => a.state === STARTED)
      .map((a) => ({
        workflowId: d!.workflowId,
        runId: d!.runId,
        activityId: a.activityId ?? '',
        type: a.activityType?.name ?? '?',
        attempt: a.attempt ?? 0,
        identity: a.lastWorkerIdentity ?? '',
      })),
  );
}

/** The in-flight activities of one worker, grouped by its identity. */
export function byWorker(activities: InFlightActivity[]): Map<string, InFlightActivity[]> {
  const out = new Map<string, InFlightActivity[]>();
  for (const a of activities) out.set(a.identity, [...(out.get(a.identity) ?? []), a]);
  return out;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The start of the activity's last attempt, as the job's history records it once the activity has ended: for one the
 * live watch never caught running again (it ran and finished between two looks, or while the server restarted).
 */
async function lastStartFromHistory(client: Client, a: InFlightActivity): Promise<number | undefined> {
  try {
    const events = (await client.workflow.getHandle(a.workflowId, a.runId).fetchHistory()).events ?? [];
    const scheduled = events.find((e) => e.activityTaskScheduledEventAttributes?.activityId === a.activityId);
    if (!scheduled) return undefined;
    const started = events.find(
      (e) => String(e.activityTaskStartedEventAttributes?.scheduledEventId) === String(scheduled.eventId),
    );
    const attrs = started?.activityTaskStartedEventAttributes;
    if (!attrs || ((attrs.attempt ?? 0) <= a.attempt && attrs.identity === a.identity)) return undefined;
    return optionalTsToMs(started.eventTime);
  } catch {
    return undefined;
  }
}

/**
 * When each of a killed worker's activities started again on another worker (its next attempt's start time as the
 * server recorded it; for one that ended between two looks, its last attempt's start from the history, else when it
 * was seen gone). Undefined for those never seen again before `stopped()`.
 */
export async function watchRecovery(
  client: Client,
  activities: InFlightActivity[],
  stopped: () => boolean,
): Promise<(number | undefined)[]> {
  const ranAgainAt: (number | undefined)[] = activities.map(() => undefined);
  /** Seen gone (ended) at: the history then tells when its last attempt started. */
  const goneAt: (number | undefined)[] = activities.map(() => undefined);
  const open = (i: number) => ranAgainAt[i] === undefined && goneAt[i] === undefined;
  while (!stopped() && activities.some((_, i) => open(i))) {
    const runs = new Map<string, InFlightActivity>();
    activities.forEach((a, i) => {
      if (open(i)) runs.set(`${a.workflowId}/${a.runId}`, a);
    });
    for (const run of runs.values()) {
      const d = await describe(client, run.workflowId, run.runId);
      if (!d) continue;
      activities.forEach((a, i) => {
        if (!open(i) || a.workflowId !== run.workflowId || a.runId !== run.runId) return;
        const now = d.raw.pendingActivities?.find((p) => p.activityId === a.activityId);
        if (!now) goneAt[i] = Date.now();
        else if (now.state === STARTED && ((now.attempt ?? 0) > a.attempt || now.lastWorkerIdentity !== a.identity)) {
          ranAgainAt[i] = optionalTsToMs(now.lastStartedTime) ?? Date.now();
        }
      });
    }
    await sleep(500);
  }
  for (const [i, a] of activities.entries()) {
    if (ranAgainAt[i] === undefined) ranAgainAt[i] = (await lastStartFromHistory(client, a)) ?? goneAt[i];
  }
  return ranAgainAt;
}
