import type Anthropic from '@anthropic-ai/sdk';
import type { JobStorage } from '../storage/storage';
import { createBatchActivities, type BatchActivityOptions } from './batches';
import { createBuildActivities } from './build-requests';
import { createCleanUpActivities } from './clean-up';
import { createCollectActivities } from './collect';
import { createPrepareActivities } from './prepare';
import { createPrimeCacheActivities } from './prime-cache';
import { createReportActivities } from './report';
import { createRetryRoundActivities } from './retry-round';

export interface ActivityDependencies {
  /** The Anthropic client, built by the worker from its own environment: the key never reaches Temporal. */
  anthropic: Anthropic;
  storage: JobStorage;
  /** Tuning for finding a batch an interrupted create may have left (tests shorten the waits). */
  reconcile?: Pick<BatchActivityOptions, 'clockSkewMs' | 'verifyIntervalMs'>;
  /** How long the output folder has to take a probe write before the job fails (default 30 s). */
  outputProbeTimeoutMs?: number;
  /** Local folder for the report's scratch files (default: CLAUDE_BATCH_SCRATCH_DIR, else the OS's temp folder). */
  scratchDir?: string;
}

/** Every activity of the batch job, wired to its dependencies. */
export function createActivities(deps: ActivityDependencies) {
  return {
    ...createBuildActivities(deps),
    ...createPrepareActivities(deps),
    ...createBatchActivities({ anthropic: deps.anthropic, storage: deps.storage, ...deps.reconcile }),
    ...createPrimeCacheActivities(deps),
    ...createCollectActivities(deps),
    ...createRetryRoundActivities(deps),
    ...createReportActivities(deps),
    ...createCleanUpActivities(deps),
  };
}

export type BatchJobActivities = ReturnType<typeof createActivities>;
