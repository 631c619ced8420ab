// Queries, signals and updates of the batch job, defined once for workflow, client, CLI and tests.
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { JobProgress } from './job';

/** What each query, signal and update does, as the Web UI shows it in the workflow's metadata. */
export const MESSAGE_DESCRIPTIONS = {
  progress:
    'The job as JSON: phase, round, every batch with its counts, requests final by outcome, tokens, cost, stall, budget.',
  checkNowSignal: 'Check the live batches now instead of at the next scheduled check (or retry a stalled step now).',
  checkNow: 'Check the live batches now; answers with what the check found.',
  pause: 'Submit nothing new until resume; live batches go on and are collected.',
  resume: 'Submit again after a pause.',
  approve: 'Let a job held over its budget (or with unpriced requests) send its round.',
  setBudget: 'Set the budget in US dollars; a hold the new budget covers is released.',
} as const;

/** The job's live progress: phase, round, per-chunk batches, totals and cost so far. */
export const progressQuery = defineQuery<JobProgress>('progress');

/** Asks the job to check its batches now instead of at the next scheduled check. */
export const checkNowSignal = defineSignal('checkNow');

// Remote control. Each update is validated (a refused one leaves no trace in history) and answers with the job's
// progress once it has taken effect; `temporal workflow update execute --name <name>` works as well as our client.

/** Submit nothing new until `resume`; live batches go on and are collected. */
export const pauseUpdate = defineUpdate<JobProgress>('pause');
/** Submitting goes on after a `pause`. */
export const resumeUpdate = defineUpdate<JobProgress>('resume');
/** Lets a job held in `awaiting-approval` (over its budget, or with requests of unpriced models) go on. */
export const approveUpdate = defineUpdate<JobProgress>('approve');
/** Sets the job's budget in US dollars; a hold the new budget covers is released. */
export const setBudgetUpdate = defineUpdate<JobProgress, [budgetUsd: number]>('setBudget');
/** Checks the live batches now and answers with the progress that check found. */
export const checkNowUpdate = defineUpdate<JobProgress>('checkNow');
