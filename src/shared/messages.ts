// Queries and signals of the batch job, defined once for workflow, client, CLI and tests.
import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { JobProgress } from './job';

/** The job's live progress: phase, round, per-chunk batches, totals and cost so far. */
export const progressQuery = defineQuery<JobProgress>('progress');

/** Asks the job to check its batches now instead of at the next scheduled check. */
export const checkNowSignal = defineSignal('checkNow');
