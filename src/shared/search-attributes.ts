// Custom search attributes of batch jobs (registered by `claude-batch dev`; see the README for other servers).
import { defineSearchAttributeKey } from '@temporalio/common';

export const jobPhaseKey = defineSearchAttributeKey('ClaudeBatchPhase', 'KEYWORD');
export const jobRequestsKey = defineSearchAttributeKey('ClaudeBatchRequests', 'INT');
export const jobSucceededKey = defineSearchAttributeKey('ClaudeBatchSucceeded', 'INT');
export const jobFailedKey = defineSearchAttributeKey('ClaudeBatchFailed', 'INT');
/** `succeeded`, `partial` (some requests failed), `canceled`; empty while running. */
export const jobOutcomeKey = defineSearchAttributeKey('ClaudeBatchOutcome', 'KEYWORD');

export const JOB_SEARCH_ATTRIBUTES = [jobPhaseKey, jobRequestsKey, jobSucceededKey, jobFailedKey, jobOutcomeKey];
