// Creating a batch from a streamed body: the create-time checks of the API on each request as it arrives, a compact
// plan, the requests' log and the replies they will get, all in one pass. A batch refused at its last byte leaves
// nothing behind.
import { type BatchPlan, CACHE_USES, OUTCOMES, type StoredBatch } from './batches';
import { NO_REPLY, replyLine } from './completions';
import { HttpError } from './http-errors';
import { newId } from './ids';
import type { OutcomePlanner } from './outcomes';
import type { ParamsContext } from './params';
import type { BatchLogs, BatchStore } from './store';
import type { Scenario } from './types';

export const MAX_REQUESTS = 100_000;
const CUSTOM_ID = /^[a-zA-Z0-9_-]{1,64}$/;

interface BatchRequest {
  custom_id: string;
  params: Record<string, unknown>;
}

/** The API's check of one request before it accepts a batch; anything about `params` is left to the result lines. */
function requestProblem(request: unknown, index: number, seen: Set<string>): HttpError | undefined {
  if (typeof request !== 'object' || request === null || Array.isArray(request)) {
    return new HttpError(400, `requests.${index}: Input should be an object`);
  }
  const { custom_id: customId, params } = request as { custom_id?: unknown; params?: unknown };
  if (customId === undefined) return new HttpError(400, `requests.${index}.custom_id: Field required`);
  if (typeof customId !== 'string' || !CUSTOM_ID.test(customId)) {
    return new HttpError(400, `requests.${index}.custom_id: String should match pattern '^[a-zA-Z0-9_-]{1,64}$'`);
  }
  if (seen.has(customId)) {
    return new HttpError(400, `custom_id's must be unique within a batch. Duplicate custom_id found: ${customId}`);
  }
  seen.add(customId);
  if (typeof params !== 'object' || params === null || Array.isArray(params)) {
    return new HttpError(400, `requests.${index}.params: Field required`);
  }
  return undefined;
}

export interface CreateContext {
  store: BatchStore;
  planner: OutcomePlanner;
  scenario: Scenario;
  rate: number;
  now: number;
  /** The body's declared size, which decides whether the requests are kept in memory; unknown means large. */
  declaredBytes: number | undefined;
  /** What the create's headers change in the checks on each request's params (its betas). */
  paramsContext?: ParamsContext;
}

/**
 * Checks, plans and logs each request as it streams in. After the first refused request the rest of the body is still
 * read, because a body that is not valid JSON, or has too many requests, is answered with that error instead.
 */
export async function createBatch(requests: AsyncIterable<unknown>, ctx: CreateContext): Promise<StoredBatch> {
  const id = newId('msgbatch_');
  const customIds: string[] = [];
  const outcomes = new Uint8Array(MAX_REQUESTS);
  const cache = new Uint8Array(MAX_REQUESTS);
  const errors: BatchPlan['errors'] = new Map();
  const round = ctx.planner.round(ctx.scenario, ctx.paramsContext, { createdAt: ctx.now, rate: ctx.rate });
  const seen = new Set<string>();
  const writers = await ctx.store.writersFor(id, ctx.declaredBytes ?? Infinity);
  const kept: BatchLogs<string[]> = { requests: [], replies: [] };
  const log = async (request: string, reply: string) => {
    if (!writers) {
      kept.requests.push(request);
      kept.replies.push(reply);
      return;
    }
    await writers.requests.add(request);
    await writers.replies.add(reply);
  };
  let count = 0;
  let refusal: HttpError | undefined;
  try {
    for await (const request of requests) {
      const i = count++;
      if (refusal || i >= MAX_REQUESTS) continue;
      refusal = requestProblem(request, i, seen);
      if (refusal) continue;
      const { custom_id: customId, params } = request as BatchRequest;
      const paramsJson = JSON.stringify(params);
      const planned = round.plan(customId, params, paramsJson, i);
      customIds.push(customId);
      outcomes[i] = OUTCOMES.indexOf(planned.outcome);
      cache[i] = CACHE_USES.indexOf(planned.cache);
      if (planned.error) errors.set(i, planned.error);
      await log(
        `{"custom_id":${JSON.stringify(customId)},"params":${paramsJson}}`,
        planned.outcome === 'succeeded' ? replyLine(params, planned.cache) : NO_REPLY,
      );
    }
    if (count === 0) throw new HttpError(400, 'requests: List should have at least 1 item after validation, not 0');
    if (count > MAX_REQUESTS) {
      throw new HttpError(
        400,
        `requests: List should have at most ${MAX_REQUESTS} items after validation, not ${count}`,
      );
    }
    if (refusal) throw refusal;
  } catch (err) {
    await writers?.requests.abandon();
    await writers?.replies.abandon();
    throw err;
  }
  round.commit();
  const batch: StoredBatch = {
    id,
    seq: ctx.store.nextSeq(),
    createdAt: ctx.now,
    rate: ctx.rate,
    scenario: { ...ctx.scenario },
    plan: { customIds, outcomes: outcomes.slice(0, count), cache: cache.slice(0, count), errors },
    retrieves: 0,
  };
  ctx.store.add(
    batch,
    writers
      ? {
          requests: await writers.requests.close(ctx.store.durable),
          replies: await writers.replies.close(ctx.store.durable),
        }
      : kept,
  );
  return batch;
}
