// The HTTP server: checks every call makes (key, version), injected faults, the record, and the API's error bodies.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import {
  batchOr404,
  cancelEndpoint,
  countTokensEndpoint,
  createEndpoint,
  deleteEndpoint,
  listEndpoint,
  messagesEndpoint,
  resultsEndpoint,
  retrieveEndpoint,
  type EmulatorState,
} from './api';
import { EmulatorClock } from './clock';
import { errorBody, HttpError } from './http-errors';
import { newId } from './ids';
import { FaultQueue } from './faults';
import { checkVersionHeaders } from './headers';
import { OutcomePlanner } from './outcomes';
import { routeOf, type Route } from './routes';
import { BatchStore } from './store';
import type { Emulator, EmulatorOptions, RecordedCall } from './types';

/** Thrown when a response must not be sent at all (the connection is already gone on purpose). */
class Dropped extends Error {}

function apiKeyOf(req: IncomingMessage): string | undefined {
  const key = req.headers['x-api-key'];
  if (typeof key === 'string' && key.length > 0) return key;
  return /^Bearer\s+(\S.*)$/i.exec(req.headers.authorization ?? '')?.[1];
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string>): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const log = options.log ?? (() => undefined);
  const state: EmulatorState = {
    clock: options.clock ?? new EmulatorClock(),
    store: await BatchStore.open(options.dataDir, log),
    planner: new OutcomePlanner(),
    rate: options.requestsPerSecond ?? 200,
    scenario: { ...options.scenario },
    batchScenarios: new Map(),
    created: [],
    log,
  };
  state.created.push(
    ...state.store
      .all()
      .reverse()
      .map((b) => ({
        id: b.id,
        createdAt: b.createdAt,
        requestCount: b.plan.customIds.length,
        customIds: b.plan.customIds,
      })),
  );
  const faults = new FaultQueue();
  const calls: RecordedCall[] = [];
  const sockets = new Set<Socket>();

  async function handle(req: IncomingMessage, res: ServerResponse, route: Route, url: URL, requestId: string) {
    const apiKey = apiKeyOf(req);
    if (apiKey === undefined) throw new HttpError(401, 'x-api-key header is required');
    if (options.apiKey !== undefined && apiKey !== options.apiKey) throw new HttpError(401, 'invalid x-api-key');
    checkVersionHeaders(req);
    const stall = faults.takeStall(route.endpoint);
    if (stall !== undefined) await new Promise((resolve) => setTimeout(resolve, stall));
    const fault = faults.takeStatus(route.endpoint);
    if (fault) {
      const retryAfter = fault.retryAfterSeconds;
      // retry-after is whole seconds; retry-after-ms (which the SDKs prefer) keeps fractions for quick tests.
      const headers =
        retryAfter === undefined
          ? {}
          : { 'retry-after': String(Math.ceil(retryAfter)), 'retry-after-ms': String(Math.round(retryAfter * 1000)) };
      throw new HttpError(fault.status, `Emulated ${fault.status} (injected fault)`, headers);
    }
    switch (route.endpoint) {
      case 'create': {
        const batch = await createEndpoint(state, req);
        if (faults.takeDrop()) {
          state.log(`dropping the response to the create of ${batch.id}`);
          throw new Dropped();
        }
        return batch;
      }
      case 'retrieve':
        return retrieveEndpoint(state, route.batchId);
      case 'list':
        return listEndpoint(state, url);
      case 'cancel':
        return cancelEndpoint(state, route.batchId);
      case 'delete':
        return deleteEndpoint(state, route.batchId);
      case 'results':
        await resultsEndpoint(state, route.batchId, res, { 'request-id': requestId });
        return undefined;
      case 'messages':
        return messagesEndpoint(state, req);
      case 'count_tokens':
        return countTokensEndpoint(req);
      default:
        throw new HttpError(404, `Not found: ${req.method ?? ''} ${url.pathname}`);
    }
  }

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://emulator');
    const route = routeOf(req.method ?? 'GET', url.pathname);
    const requestId = newId('req_');
    const version = req.headers['anthropic-version'];
    const call: RecordedCall = {
      method: req.method ?? 'GET',
      path: url.pathname,
      endpoint: route.endpoint,
      status: 200,
      apiKeyPresent: apiKeyOf(req) !== undefined,
      ...(typeof version === 'string' ? { anthropicVersion: version } : {}),
      at: state.clock.now(),
    };
    calls.push(call);
    handle(req, res, route, url, requestId)
      .then((body) => {
        if (body !== undefined && !res.headersSent && !res.destroyed) {
          sendJson(res, 200, body, { 'request-id': requestId });
        }
      })
      .catch((err: unknown) => {
        if (err instanceof Dropped) {
          call.status = 0;
          req.socket.destroy();
          return;
        }
        if (res.headersSent || res.destroyed) {
          // Mid-stream: nothing to answer with but a broken connection.
          log(`failed mid-response: ${String(err)}`);
          res.destroy();
          return;
        }
        const error = err instanceof HttpError ? err : new HttpError(500, 'Internal server error');
        if (!(err instanceof HttpError))
          log(`internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
        call.status = error.status;
        sendJson(res, error.status, errorBody(error.type, error.message, requestId), {
          'request-id': requestId,
          ...error.headers,
          // A body still arriving (413) is not read on: answer, then close.
          ...(error.status === 413 ? { connection: 'close' } : {}),
        });
      });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  log(`Message Batches API emulator listening on ${url}`);

  return {
    url,
    clock: state.clock,
    control: {
      setScenario: (scenario) => {
        state.scenario = { ...scenario };
      },
      setBatchScenario: (batchId, scenario) => {
        state.batchScenarios.set(batchOr404(state, batchId).id, { ...scenario });
      },
      addRule: (rule) => state.planner.addRule(rule),
      injectFaults: (fault) => faults.add(fault),
      clearFaults: () => faults.clear(),
      archive(batchId) {
        const batch = batchOr404(state, batchId);
        batch.archivedAt = state.clock.now();
        state.store.save(batch);
      },
      reset() {
        void state.store.clear().catch((err: unknown) => log(`reset: ${String(err)}`));
        faults.clear();
        state.planner.reset();
        state.scenario = { ...options.scenario };
        state.batchScenarios.clear();
        calls.length = 0;
        state.created.length = 0;
      },
    },
    record: {
      calls,
      batches: () => state.created.map((b) => ({ ...b, customIds: [...b.customIds] })),
      async requestsOf(batchId) {
        const out: { custom_id: string; params: unknown }[] = [];
        for await (const line of state.store.lines(batchId, 'requests'))
          out.push(JSON.parse(line) as { custom_id: string; params: unknown });
        return out;
      },
      count: (endpoint) => calls.filter((c) => c.endpoint === endpoint).length,
    },
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await closed;
      await state.store.close();
    },
  };
}
