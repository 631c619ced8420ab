// The endpoints' behaviour, free of HTTP plumbing: each takes the emulator's state and returns the response body.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { archivedAtOf, messageBatchOf, Timeline, type StoredBatch } from './batches';
import { readJson } from './body';
import type { EmulatorClock } from './clock';
import { inputTokensOf, messageFor, type MessageParams } from './completions';
import { createBatch } from './create';
import { requestsOfBody } from './create-body';
import { HttpError } from './http-errors';
import { paramsContextOf } from './headers';
import { newId } from './ids';
import { paramsProblem } from './params';
import type { OutcomePlanner } from './outcomes';
import { streamResults } from './results';
import type { BatchStore } from './store';
import type { RecordedBatch, Scenario } from './types';

export interface EmulatorState {
  clock: EmulatorClock;
  store: BatchStore;
  planner: OutcomePlanner;
  rate: number;
  scenario: Scenario;
  batchScenarios: Map<string, Scenario>;
  created: RecordedBatch[];
  log: (line: string) => void;
}

/** Fields of the server-wide scenario that reach batches already created: none of them can undo an end. */
const LIVE_FIELDS = ['resultsDelayMsPerLine', 'cutResultsAfterLines', 'endAfterRetrieves'] as const;

/**
 * The scenario a batch runs under: the one it was created with (outcomes and timing stay fixed, so an ended batch
 * never goes back to processing), the live fields of the current server-wide one, then its own overrides.
 */
export function scenarioOf(state: EmulatorState, batch: StoredBatch): Scenario {
  const scenario: Scenario = { ...batch.scenario };
  for (const field of LIVE_FIELDS) {
    const value = state.scenario[field];
    if (value === undefined) delete scenario[field];
    else scenario[field] = value;
  }
  return { ...scenario, ...state.batchScenarios.get(batch.id) };
}

export function batchOr404(state: EmulatorState, id: string | undefined): StoredBatch {
  const batch = id === undefined ? undefined : state.store.get(id);
  if (!batch) throw new HttpError(404, `No message batch found with id ${id ?? ''}.`);
  return batch;
}

const view = (state: EmulatorState, batch: StoredBatch) =>
  messageBatchOf(batch, scenarioOf(state, batch), state.clock.now());

export async function createEndpoint(state: EmulatorState, req: IncomingMessage) {
  const now = state.clock.now();
  const declared = Number(req.headers['content-length']);
  const batch = await createBatch(requestsOfBody(req), {
    store: state.store,
    planner: state.planner,
    scenario: state.scenario,
    rate: state.rate,
    now,
    declaredBytes: Number.isInteger(declared) ? declared : undefined,
    paramsContext: paramsContextOf(req),
  });
  state.created.push({
    id: batch.id,
    createdAt: batch.createdAt,
    requestCount: batch.plan.customIds.length,
    customIds: batch.plan.customIds,
  });
  state.log(`created ${batch.id} with ${batch.plan.customIds.length} requests`);
  return messageBatchOf(batch, scenarioOf(state, batch), now);
}

export function retrieveEndpoint(state: EmulatorState, id: string | undefined) {
  const batch = batchOr404(state, id);
  batch.retrieves += 1;
  const scenario = scenarioOf(state, batch);
  const now = state.clock.now();
  if (
    scenario.endAfterRetrieves !== undefined &&
    batch.retrieves >= scenario.endAfterRetrieves &&
    batch.forcedEndAt === undefined &&
    new Timeline(batch, scenario).status(now) !== 'ended'
  ) {
    batch.forcedEndAt = now;
  }
  state.store.save(batch);
  return messageBatchOf(batch, scenario, now);
}

function limitOf(url: URL): number {
  const raw = url.searchParams.get('limit');
  if (raw === null) return 20;
  const limit = Number(raw);
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) {
    throw new HttpError(400, 'limit: Input should be an integer from 1 to 1000');
  }
  return limit;
}

/** Newest first; `after_id` pages towards older batches, `before_id` towards newer ones. */
export function listEndpoint(state: EmulatorState, url: URL) {
  const limit = limitOf(url);
  const all = state.store.all();
  const afterId = url.searchParams.get('after_id');
  const beforeId = url.searchParams.get('before_id');
  let from: number;
  let to: number;
  let hasMore: boolean;
  if (beforeId) {
    to = all.findIndex((b) => b.id === beforeId);
    if (to < 0) to = 0;
    from = Math.max(0, to - limit);
    hasMore = from > 0;
  } else {
    from = afterId ? all.findIndex((b) => b.id === afterId) + 1 : 0;
    if (afterId && from === 0) from = all.length;
    to = Math.min(all.length, from + limit);
    hasMore = to < all.length;
  }
  const page = all.slice(from, to);
  return {
    data: page.map((b) => view(state, b)),
    has_more: hasMore,
    first_id: page[0]?.id ?? null,
    last_id: page[page.length - 1]?.id ?? null,
  };
}

export function cancelEndpoint(state: EmulatorState, id: string | undefined) {
  const batch = batchOr404(state, id);
  const now = state.clock.now();
  const counts = new Timeline(batch, scenarioOf(state, batch));
  if (counts.status(now) === 'in_progress') {
    batch.cancelAt = now;
    state.store.save(batch);
  }
  return view(state, batch);
}

export async function deleteEndpoint(state: EmulatorState, id: string | undefined) {
  const batch = batchOr404(state, id);
  if (new Timeline(batch, scenarioOf(state, batch)).status(state.clock.now()) !== 'ended') {
    throw new HttpError(
      400,
      `Message batch ${batch.id} cannot be deleted while it is still processing. Cancel it first, or wait until it has ended.`,
    );
  }
  await state.store.delete(batch.id);
  state.log(`deleted ${batch.id}`);
  return { id: batch.id, type: 'message_batch_deleted' };
}

export async function resultsEndpoint(
  state: EmulatorState,
  id: string | undefined,
  res: ServerResponse,
  headers: Record<string, string>,
): Promise<void> {
  const batch = batchOr404(state, id);
  const scenario = scenarioOf(state, batch);
  const now = state.clock.now();
  const timeline = new Timeline(batch, scenario);
  if (timeline.status(now) !== 'ended') {
    throw new HttpError(
      404,
      `Message batch ${batch.id} has not finished processing; its results are not available yet.`,
    );
  }
  if (archivedAtOf(batch, now) !== undefined) {
    throw new HttpError(
      404,
      `The results of message batch ${batch.id} have been archived and are no longer available.`,
    );
  }
  const replies = state.store.linesInOrder(batch.id, 'replies', scenario.resultsOrder ?? 'shuffled');
  await streamResults(res, { batch, timeline, scenario, replies, now }, headers);
}

export async function messagesEndpoint(state: EmulatorState, req: IncomingMessage) {
  const { value } = await readJson(req);
  if (typeof value === 'object' && value !== null && (value as MessageParams).stream === true) {
    throw new HttpError(400, 'stream: the emulator does not stream; call without stream: true');
  }
  const problem = paramsProblem(value, paramsContextOf(req));
  if (problem) throw new HttpError(problem.type === 'not_found_error' ? 404 : 400, problem.message);
  const params = value as MessageParams;
  return messageFor(params, {
    id: newId('msg_'),
    cache: state.planner.cacheUse(params, state.clock.now()),
    serviceTier: 'standard',
  });
}

export async function countTokensEndpoint(req: IncomingMessage) {
  const { value } = await readJson(req);
  const params = (typeof value === 'object' && value !== null ? value : {}) as MessageParams;
  if (!Array.isArray(params.messages)) throw new HttpError(400, 'messages: Field required');
  return { input_tokens: inputTokensOf(params) };
}
