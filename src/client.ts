// The typed API other services use to run batch jobs.
import {
  Client,
  Connection,
  WorkflowIdConflictPolicy,
  WorkflowIdReusePolicy,
  type WorkflowHandle,
} from '@temporalio/client';
import { temporalSettingsFromEnv } from './connection';
import { resolveJobOptions } from './shared/options';
import type { batchJob } from './workflows/batch-job';
import {
  BATCH_JOB_WORKFLOW_TYPE,
  DEFAULT_TASK_QUEUE,
  type BatchJobInput,
  type BatchJobResult,
  type JobProgress,
} from './shared/job';
import {
  approveUpdate,
  checkNowSignal,
  checkNowUpdate,
  pauseUpdate,
  progressQuery,
  resumeUpdate,
  setBudgetUpdate,
} from './shared/messages';
import { JOB_SEARCH_ATTRIBUTES, jobPhaseKey, jobRequestsKey } from './shared/search-attributes';

export type { BatchJobInput, BatchJobResult, JobProgress, JobSummary, FinalResultLine } from './shared/job';

export type BatchJobHandle = WorkflowHandle<typeof batchJob>;

export interface StartOptions {
  /**
   * The workflow id. Give a stable one (for example from your own job name) and starting the same job twice does not
   * run it twice: while a job with this id runs, start returns that job; once it has completed, the id cannot be
   * reused (a new job needs a new id); a failed, canceled or terminated job may be started again under its id.
   */
  workflowId?: string;
  taskQueue?: string;
  /** Set the job's search attributes (the server must have them registered; `claude-batch dev` does). */
  searchAttributes?: boolean;
  /** Shown in the Web UI's list (one line). */
  summary?: string;
}

export interface JobListing {
  workflowId: string;
  runId: string;
  status: string;
  startTime: Date;
  closeTime?: Date;
  phase?: string;
  requests?: number;
}

/** A workflow id from a job name: stable, readable, valid. */
export function workflowIdFor(name: string): string {
  return `batch-${name.replace(/[^a-zA-Z0-9_.-]+/g, '-').replace(/^-+|-+$/g, '') || 'job'}`;
}

export class BatchJobClient {
  constructor(
    readonly client: Client,
    readonly taskQueue: string = DEFAULT_TASK_QUEUE,
  ) {}

  /** Connects the way the Temporal CLI does (TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, profiles, TLS). */
  static async fromEnv(env: NodeJS.ProcessEnv = process.env): Promise<BatchJobClient> {
    const settings = temporalSettingsFromEnv(env);
    const connection = await Connection.connect(settings.connectionOptions);
    return new BatchJobClient(new Client({ connection, namespace: settings.namespace }), settings.taskQueue);
  }

  async startBatchJob(input: BatchJobInput, options: StartOptions = {}): Promise<BatchJobHandle> {
    const workflowId = options.workflowId ?? workflowIdFor(`${labelOf(input)}-${Date.now()}`);
    return this.client.workflow.start<typeof batchJob>(BATCH_JOB_WORKFLOW_TYPE, {
      args: [input],
      taskQueue: options.taskQueue ?? this.taskQueue,
      workflowId,
      workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
      workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE_FAILED_ONLY,
      staticSummary: options.summary ?? `Batch job: ${labelOf(input)}`,
      staticDetails: detailsOf(input, workflowId),
      ...(options.searchAttributes
        ? {
            typedSearchAttributes: [
              { key: jobPhaseKey, value: 'validating' },
              { key: jobRequestsKey, value: 0 },
            ],
          }
        : {}),
    });
  }

  handle(workflowId: string): BatchJobHandle {
    return this.client.workflow.getHandle<typeof batchJob>(workflowId);
  }

  getProgress(workflowId: string): Promise<JobProgress> {
    return this.handle(workflowId).query(progressQuery);
  }

  checkNow(workflowId: string): Promise<void> {
    return this.handle(workflowId).signal(checkNowSignal);
  }

  // Remote control (Temporal updates): each answers with the job's progress once it has taken effect, and a refused
  // one (approve with nothing held, a budget that is not a positive number, a job that has ended) throws.

  /** Checks the live batches now and answers with what the check found. */
  checkNowAndWait(workflowId: string): Promise<JobProgress> {
    return this.handle(workflowId).executeUpdate(checkNowUpdate);
  }

  /** Submit nothing new; live batches go on and are collected. */
  pause(workflowId: string): Promise<JobProgress> {
    return this.handle(workflowId).executeUpdate(pauseUpdate);
  }

  resume(workflowId: string): Promise<JobProgress> {
    return this.handle(workflowId).executeUpdate(resumeUpdate);
  }

  /** Lets a job held in `awaiting-approval` send its round. */
  approve(workflowId: string): Promise<JobProgress> {
    return this.handle(workflowId).executeUpdate(approveUpdate);
  }

  /** Sets the budget in US dollars; a hold it covers is released. */
  setBudget(workflowId: string, budgetUsd: number): Promise<JobProgress> {
    return this.handle(workflowId).executeUpdate(setBudgetUpdate, { args: [budgetUsd] });
  }

  /** Cancels the job: its live batches are canceled at the API and what finished is reported. */
  cancel(workflowId: string): Promise<void> {
    return this.handle(workflowId)
      .cancel()
      .then(() => undefined);
  }

  result(workflowId: string): Promise<BatchJobResult> {
    return this.handle(workflowId).result();
  }

  /** Recent batch jobs, newest first. */
  async list(limit = 20): Promise<JobListing[]> {
    const out: JobListing[] = [];
    for await (const wf of this.client.workflow.list({ query: `WorkflowType = '${BATCH_JOB_WORKFLOW_TYPE}'` })) {
      const phase = wf.typedSearchAttributes.get(jobPhaseKey);
      const requests = wf.typedSearchAttributes.get(jobRequestsKey);
      out.push({
        workflowId: wf.workflowId,
        runId: wf.runId,
        status: wf.status.name,
        startTime: wf.startTime,
        ...(wf.closeTime ? { closeTime: wf.closeTime } : {}),
        ...(phase !== undefined ? { phase } : {}),
        ...(requests !== undefined ? { requests } : {}),
      });
      if (out.length >= limit) break;
    }
    return out;
  }
}

function basename(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/** The job's name, or the name of its requests file or documents folder. */
function labelOf(input: BatchJobInput): string {
  return input.name ?? basename(input.requests ?? input.source?.documents.replace(/\/+$/, '') ?? 'job');
}

function detailsOf(input: BatchJobInput, workflowId: string): string {
  let output = input.output;
  try {
    output = resolveJobOptions(input, workflowId).output;
  } catch {
    // Bad input: the job itself refuses it with the reason; the details show what was given.
  }
  return [
    input.source
      ? `**Documents:** \`${input.source.documents}\` with the prompt \`${input.source.template}\``
      : `**Requests:** \`${input.requests}\``,
    output
      ? `**Results:** \`${output.replace(/\/+$/, '')}/results.jsonl\``
      : `**Results:** next to the ${input.source ? 'documents folder' : 'requests'}, in a folder named after the job`,
    input.defaults?.model ? `**Default model:** ${input.defaults.model}` : undefined,
    `**Retry rounds:** ${input.maxRetryRounds ?? 3}`,
  ]
    .filter(Boolean)
    .join('\n\n');
}

export { JOB_SEARCH_ATTRIBUTES };
