// How soon results land after a batch ends, and what the waiting costs in history: the backoff alone (today's policy,
// `polling.predictEnd: false`) beside checks aimed at the predicted end, for batches of 5 min, 1 h, 6 h and 23 h,
// under both count behaviours of the emulator (counts that fill as requests finish; counts at zero until the end).
// Each cell runs jobs whose batches end at a few points of the backoff's beat (mean and worst over them), all at once
// on the time-skipping server. `npm run bench` runs it; `npx tsx bench/polling.ts` alone.
import type { WorkflowHandle } from '@temporalio/client';
import type { CountsWhileRunning } from '../src/emulator';
import { progressQuery } from '../src/shared/messages';
import { batchJob } from '../src/workflows';
import { eventually } from '../test/support/eventually';
import { jobEnv, request } from '../test/support/job-env';
import { resultsDelay } from '../test/support/results-delay';
import { startTimeSkippingServer } from '../test/support/temporal';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DURATIONS = [5 * MINUTE, HOUR, 6 * HOUR, 23 * HOUR];
const COUNTS: CountsWhileRunning[] = ['filling', 'zero-until-ended'];
/** Jobs per cell, their batches' ends spread over about one 10-minute beat of the backoff (less for short ones). */
const SPREAD = 4;
const REQUESTS_PER_BATCH = 1_000;

export interface PollingFigures {
  counts: CountsWhileRunning;
  durationMs: number;
  policy: 'backoff' | 'predicted end';
  meanDelayMs: number;
  worstDelayMs: number;
  meanEvents: number;
  maxEvents: number;
}

const label = (ms: number) => (ms < HOUR ? `${ms / MINUTE} min` : `${ms / HOUR} h`);

export async function pollingFigures(): Promise<PollingFigures[]> {
  const env = await startTimeSkippingServer();
  const job = await jobEnv(env);
  try {
    const file = await job.writeRequests(
      'requests.jsonl',
      Array.from({ length: REQUESTS_PER_BATCH }, (_, i) => request(`r-${i}`, `text ${i}`)),
    );
    const cells: {
      figures: Omit<PollingFigures, 'meanDelayMs' | 'worstDelayMs' | 'meanEvents' | 'maxEvents'>;
      handles: WorkflowHandle<typeof batchJob>[];
    }[] = [];
    return await job.withWorker(async () => {
      let n = 0;
      for (const counts of COUNTS) {
        for (const durationMs of DURATIONS) {
          for (const policy of ['backoff', 'predicted end'] as const) {
            const handles: WorkflowHandle<typeof batchJob>[] = [];
            const step = Math.min(150_000, durationMs / 30);
            for (let i = 0; i < SPREAD; i++) {
              const handle = await env.client.workflow.start(batchJob, {
                args: [
                  {
                    requests: file,
                    maxRetryRounds: 0,
                    ...(policy === 'backoff' ? { polling: { predictEnd: false } } : {}),
                  },
                ],
                taskQueue: job.taskQueue,
                workflowId: `bench-polling-${n++}`,
              });
              // Time stands still until a result is awaited: the batch gets its timing before its first check.
              const batchId = await eventually(
                async () => (await handle.query(progressQuery)).chunks[0]?.batchId,
                'a batch',
              );
              job.emulator.control.setBatchScenario(batchId, {
                processingMs: durationMs - i * step,
                countsWhileRunning: counts,
              });
              handles.push(handle);
            }
            cells.push({ figures: { counts, durationMs, policy }, handles });
          }
        }
      }
      const out: PollingFigures[] = [];
      for (const cell of cells) {
        // One result awaited at a time: the time-skipping server miscounts concurrent waits (unbalanced unlocks).
        const runs: { delayMs: number; events: number }[] = [];
        for (const h of cell.handles) runs.push(await resultsDelay(job.emulator.url, h));
        const delays = runs.map((r) => r.delayMs);
        const events = runs.map((r) => r.events);
        out.push({
          ...cell.figures,
          meanDelayMs: delays.reduce((a, b) => a + b, 0) / delays.length,
          worstDelayMs: Math.max(...delays),
          meanEvents: events.reduce((a, b) => a + b, 0) / events.length,
          maxEvents: Math.max(...events),
        });
      }
      return out;
    });
  } finally {
    await job.close();
    await env.teardown();
  }
}

export function printPolling(figures: PollingFigures[]): void {
  console.log('\nresults after the batch ends (delay mean / worst) and history events, backoff vs predicted end:');
  console.log(`${'counts'.padEnd(17)} ${'batch'.padEnd(7)} ${'backoff'.padEnd(30)} predicted end`);
  for (const f of figures.filter((x) => x.policy === 'backoff')) {
    const next = figures.find(
      (x) => x.policy === 'predicted end' && x.counts === f.counts && x.durationMs === f.durationMs,
    )!;
    const cell = (x: PollingFigures) =>
      `${(x.meanDelayMs / 1000).toFixed(0).padStart(4)} / ${(x.worstDelayMs / 1000).toFixed(0).padStart(4)} s ${x.meanEvents.toFixed(0).padStart(5)} events`;
    console.log(`${f.counts.padEnd(17)} ${label(f.durationMs).padEnd(7)} ${cell(f).padEnd(30)} ${cell(next)}`);
  }
}

if (require.main === module) {
  pollingFigures()
    .then(printPolling)
    .catch((err: unknown) => {
      console.error(err);
      process.exit(1);
    });
}
