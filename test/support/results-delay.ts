// How long after its batches ended a job had its results on disk, read from what Temporal and the emulator recorded.
import Anthropic from '@anthropic-ai/sdk';
import type { WorkflowHandle } from '@temporalio/client';
import type { JobSummary } from '../../src/shared/job';

type History = Awaited<ReturnType<WorkflowHandle['fetchHistory']>>;

/** When the report step (which writes results.jsonl) completed, in Temporal's time (the emulator follows it). */
export function resultsWrittenAt(history: History): number {
  const events = history.events ?? [];
  const scheduled = events.find((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'writeReport');
  const id = scheduled?.eventId?.toString();
  const completed = events.find(
    (e) =>
      e.activityTaskCompletedEventAttributes &&
      e.activityTaskCompletedEventAttributes.scheduledEventId?.toString() === id,
  );
  const time = completed?.eventTime;
  if (!time) throw new Error('the job wrote no report');
  return Number(time.seconds ?? 0) * 1000 + Math.floor((time.nanos ?? 0) / 1e6);
}

/** When the last of the job's batches ended, as the API (the emulator) says. */
export async function lastBatchEndedAt(apiUrl: string, summary: JobSummary): Promise<number> {
  const anthropic = new Anthropic({ apiKey: 'test-key', baseURL: apiUrl });
  let last = 0;
  for (const b of summary.batches) {
    const batch = await anthropic.messages.batches.retrieve(b.batchId);
    if (!batch.ended_at) throw new Error(`batch ${b.batchId} has not ended`);
    last = Math.max(last, Date.parse(batch.ended_at));
  }
  return last;
}

/** Milliseconds from the end of the job's last batch to its results on disk, and the history's length. */
export async function resultsDelay(
  apiUrl: string,
  handle: { fetchHistory(): Promise<History>; result(): Promise<{ summary: JobSummary }> },
): Promise<{ delayMs: number; events: number }> {
  const { summary } = await handle.result();
  const history = await handle.fetchHistory();
  return {
    delayMs: resultsWrittenAt(history) - (await lastBatchEndedAt(apiUrl, summary)),
    events: history.events?.length ?? 0,
  };
}
