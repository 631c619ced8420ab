// Creating a batch: the create-time checks of the API, then a compact plan and the requests' log.
import { type BatchPlan, CACHE_USES, OUTCOMES, type StoredBatch } from './batches';
import { HttpError } from './http-errors';
import { newId } from './ids';
import type { OutcomePlanner } from './outcomes';
import type { BatchStore } from './store';
import type { Scenario } from './types';

export const MAX_REQUESTS = 100_000;
const CUSTOM_ID = /^[a-zA-Z0-9_-]{1,64}$/;

interface BatchRequest {
  custom_id: string;
  params: Record<string, unknown>;
}

/** The checks the API makes before accepting a batch; anything about `params` is left to the result lines. */
export function checkedRequests(body: unknown): (BatchRequest | undefined)[] {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new HttpError(400, 'The request body must be a JSON object.');
  }
  const requests = (body as { requests?: unknown }).requests;
  if (requests === undefined) throw new HttpError(400, 'requests: Field required');
  if (!Array.isArray(requests)) throw new HttpError(400, 'requests: Input should be a valid list');
  if (requests.length === 0) {
    throw new HttpError(400, 'requests: List should have at least 1 item after validation, not 0');
  }
  if (requests.length > MAX_REQUESTS) {
    throw new HttpError(
      400,
      `requests: List should have at most ${MAX_REQUESTS} items after validation, not ${requests.length}`,
    );
  }
  const seen = new Set<string>();
  requests.forEach((r: unknown, i) => {
    if (typeof r !== 'object' || r === null) throw new HttpError(400, `requests.${i}: Input should be an object`);
    const { custom_id: customId, params } = r as { custom_id?: unknown; params?: unknown };
    if (customId === undefined) throw new HttpError(400, `requests.${i}.custom_id: Field required`);
    if (typeof customId !== 'string' || !CUSTOM_ID.test(customId)) {
      throw new HttpError(400, `requests.${i}.custom_id: String should match pattern '^[a-zA-Z0-9_-]{1,64}$'`);
    }
    if (seen.has(customId)) {
      throw new HttpError(400, `custom_id's must be unique within a batch. Duplicate custom_id found: ${customId}`);
    }
    seen.add(customId);
    if (typeof params !== 'object' || params === null || Array.isArray(params)) {
      throw new HttpError(400, `requests.${i}.params: Field required`);
    }
  });
  return requests as BatchRequest[];
}

export interface CreateContext {
  store: BatchStore;
  planner: OutcomePlanner;
  scenario: Scenario;
  rate: number;
  now: number;
}

/**
 * Plans every request and writes its line, dropping each parsed request as soon as it is done with, so the parsed
 * body does not live on beside the log.
 */
export async function createBatch(requests: (BatchRequest | undefined)[], bodyBytes: number, ctx: CreateContext) {
  const id = newId('msgbatch_');
  const n = requests.length;
  const plan: BatchPlan = {
    customIds: new Array<string>(n),
    outcomes: new Uint8Array(n),
    cache: new Uint8Array(n),
    errors: new Map(),
  };
  const writer = await ctx.store.writerFor(id, bodyBytes);
  const kept: string[] = [];
  try {
    for (let i = 0; i < n; i++) {
      const { custom_id: customId, params } = requests[i]!;
      requests[i] = undefined;
      const paramsJson = JSON.stringify(params);
      const planned = ctx.planner.plan(customId, params, paramsJson, ctx.scenario);
      plan.customIds[i] = customId;
      plan.outcomes[i] = OUTCOMES.indexOf(planned.outcome);
      plan.cache[i] = CACHE_USES.indexOf(planned.cache);
      if (planned.error) plan.errors.set(i, planned.error);
      const line = `{"custom_id":${JSON.stringify(customId)},"params":${paramsJson}}`;
      if (writer) await writer.add(line);
      else kept.push(line);
    }
  } catch (err) {
    await writer?.abandon();
    throw err;
  }
  const batch: StoredBatch = {
    id,
    seq: ctx.store.nextSeq(),
    createdAt: ctx.now,
    rate: ctx.rate,
    scenario: { ...ctx.scenario },
    plan,
    retrieves: 0,
  };
  ctx.store.add(batch, writer ? await writer.close(ctx.store.durable) : kept);
  return batch;
}
