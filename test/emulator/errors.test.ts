// The API's errors: create-time checks, every status with its error body, injected faults and the SDK's retries.
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { after, before, describe, it } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import { startEmulator } from '../../src/emulator';
import { HOUR, rawCall, request, requests, resultsOf, testEmulator, type TestEmulator } from './support';

interface ErrorBody {
  type: string;
  error: { type: string; message: string };
  request_id: string;
}

/** Asserts the SDK threw the API error of this status and type, body and request id included. */
function apiError(status: number, type: string, message?: RegExp) {
  return (err: unknown) => {
    assert.ok(err instanceof Anthropic.APIError, `expected an APIError, got ${String(err)}`);
    assert.equal(err.status, status);
    const body = err.error as ErrorBody;
    assert.equal(body.type, 'error');
    assert.equal(body.error.type, type);
    if (message) assert.match(body.error.message, message);
    assert.match(body.request_id, /^req_/);
    assert.equal(err.requestID, body.request_id, 'request-id header matches the body');
    return true;
  };
}

/** Posts a create body piece by piece with chunked transfer encoding: the emulator cannot know its size up front. */
function postInPieces(url: string, pieces: string[]): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${url}/v1/messages/batches`, {
      method: 'POST',
      headers: { 'x-api-key': 'test-key', 'anthropic-version': '2023-06-01', 'content-type': 'application/json' },
    });
    req.on('response', (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    // The emulator may answer (413) and close before every piece is sent.
    req.on('error', (err: NodeJS.ErrnoException) =>
      err.code === 'EPIPE' || err.code === 'ECONNRESET' ? undefined : reject(err),
    );
    const send = (i: number): void => {
      if (i === pieces.length) return void req.end();
      if (req.destroyed) return;
      if (req.write(pieces[i])) setImmediate(() => send(i + 1));
      else req.once('drain', () => send(i + 1));
    };
    send(0);
  });
}

describe('errors', () => {
  let t: TestEmulator;
  before(async () => {
    t = await testEmulator();
  });
  after(() => t.emulator.close());

  describe('authentication and headers', () => {
    it('refuses a wrong key with 401 authentication_error', async () => {
      const wrong = new Anthropic({ baseURL: t.emulator.url, apiKey: 'wrong', maxRetries: 0 });
      await assert.rejects(wrong.messages.batches.list(), apiError(401, 'authentication_error'));
      assert.equal(t.emulator.record.calls.at(-1)?.status, 401);
    });

    it('refuses a call without a key with 401', async () => {
      const res = await rawCall(t.emulator, '/v1/messages/batches', { headers: { 'x-api-key': '' } });
      assert.equal(res.status, 401);
      assert.equal((res.body as ErrorBody).error.type, 'authentication_error');
      assert.equal(t.emulator.record.calls.at(-1)?.apiKeyPresent, false);
    });

    it('accepts any non-empty key when started without one', async () => {
      const open = await startEmulator({ clock: t.clock });
      try {
        const any = new Anthropic({ baseURL: open.url, apiKey: 'whatever', maxRetries: 0 });
        assert.deepEqual((await any.messages.batches.list()).data, []);
      } finally {
        await open.close();
      }
    });

    it('refuses a call without anthropic-version with 400', async () => {
      const res = await fetch(`${t.emulator.url}/v1/messages/batches`, { headers: { 'x-api-key': 'test-key' } });
      assert.equal(res.status, 400);
      assert.equal(((await res.json()) as ErrorBody).error.type, 'invalid_request_error');
      assert.match(res.headers.get('request-id') ?? '', /^req_/);
    });

    it('answers an unknown path with 404 not_found_error', async () => {
      const res = await rawCall(t.emulator, '/v1/nothing-here');
      assert.equal(res.status, 404);
      assert.equal((res.body as ErrorBody).error.type, 'not_found_error');
    });
  });

  describe('create-time checks', () => {
    it('refuses a body that is not JSON', async () => {
      const res = await rawCall(t.emulator, '/v1/messages/batches', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"requests": [',
      });
      assert.equal(res.status, 400);
      assert.equal((res.body as ErrorBody).error.type, 'invalid_request_error');
    });

    it('refuses a body that is not an object, or whose requests is missing or not a list', async () => {
      const cases: [string, RegExp][] = [
        ['[{"custom_id":"a","params":{}}]', /must be a JSON object/],
        ['{"batch":[]}', /^requests: Field required$/],
        ['{"requests":"all of them"}', /^requests: Input should be a valid list$/],
        ['{"requests":{"a":{"custom_id":"a","params":{}}}}', /^requests: Input should be a valid list$/],
      ];
      for (const [body, message] of cases) {
        const res = await rawCall(t.emulator, '/v1/messages/batches', { method: 'POST', body });
        assert.equal(res.status, 400, body);
        assert.match((res.body as ErrorBody).error.message, message, body);
      }
    });

    it('answers a body that breaks off as not JSON, even when a request before the break is refused', async () => {
      const res = await rawCall(t.emulator, '/v1/messages/batches', {
        method: 'POST',
        body: '{"requests":[{"custom_id":"has space","params":{}},{"custom_id":"b","par',
      });
      assert.equal(res.status, 400);
      assert.equal((res.body as ErrorBody).error.message, 'The request body is not valid JSON.');
    });

    it('reads a create body streamed in pieces without a content-length', async () => {
      const json = JSON.stringify({ requests: requests(300, 'piece') });
      const pieces = Array.from({ length: Math.ceil(json.length / 997) }, (_, i) => json.slice(i * 997, (i + 1) * 997));
      const { status, body } = await postInPieces(t.emulator.url, pieces);
      assert.equal(status, 200, body);
      const batch = JSON.parse(body) as Anthropic.Messages.MessageBatch;
      assert.equal(batch.request_counts.processing, 300);
      t.clock.advance(25 * HOUR);
      const lines = await resultsOf(t.client, batch.id);
      assert.deepEqual(
        lines.map((l) => l.custom_id).sort(),
        requests(300, 'piece')
          .map((r) => r.custom_id)
          .sort(),
      );
    });

    it('refuses with 413 a body that streams past 256 MB without declaring its size', async () => {
      // Valid JSON all the way (whitespace), so only the size can refuse it.
      const spaces = ' '.repeat(4 * 1024 * 1024);
      const pieces = ['{"requests":[', ...Array.from({ length: 65 }, () => spaces)];
      const { status, body } = await postInPieces(t.emulator.url, pieces);
      assert.equal(status, 413);
      assert.equal((JSON.parse(body) as ErrorBody).error.type, 'request_too_large');
    });

    it('refuses an empty requests list', async () => {
      await assert.rejects(
        t.client.messages.batches.create({ requests: [] }),
        apiError(400, 'invalid_request_error', /at least 1 item/),
      );
    });

    it('refuses more than 100,000 requests', async () => {
      const tooMany = Array.from({ length: 100_001 }, (_, i) => ({ custom_id: `r${i}`, params: {} }));
      await assert.rejects(
        t.client.messages.batches.create({ requests: tooMany as never }),
        apiError(400, 'invalid_request_error', /at most 100000/),
      );
    });

    it('refuses a custom_id off the pattern or over 64 characters', async () => {
      for (const id of ['has space', 'x'.repeat(65), '', 'dot.ted']) {
        await assert.rejects(
          t.client.messages.batches.create({ requests: [request(id, 'hi')] }),
          apiError(400, 'invalid_request_error', /custom_id/),
        );
      }
      const ok = await t.client.messages.batches.create({ requests: [request('A-z_0-9'.padEnd(64, 'x'), 'hi')] });
      assert.equal(ok.request_counts.processing, 1);
    });

    it('refuses duplicate custom_ids with the API message', async () => {
      await assert.rejects(
        t.client.messages.batches.create({ requests: [request('a', '1'), request('b', '2'), request('a', '3')] }),
        apiError(
          400,
          'invalid_request_error',
          /^custom_id's must be unique within a batch\. Duplicate custom_id found: a$/,
        ),
      );
    });

    it('refuses a body over 256 MB with 413 request_too_large, without reading it', async () => {
      const { status, body } = await new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = httpRequest(`${t.emulator.url}/v1/messages/batches`, {
          method: 'POST',
          headers: {
            'x-api-key': 'test-key',
            'anthropic-version': '2023-06-01',
            'content-type': 'application/json',
            'content-length': String(256 * 1024 * 1024 + 1),
          },
        });
        req.on('response', (res) => {
          let text = '';
          res.on('data', (chunk: Buffer) => (text += chunk.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
        });
        req.on('error', reject);
        req.write('{"requests":[');
      });
      assert.equal(status, 413);
      assert.equal((JSON.parse(body) as ErrorBody).error.type, 'request_too_large');
    });

    it('turns bad params into errored result lines, not create-time errors', async () => {
      const batch = await t.client.messages.batches.create({
        requests: [
          request('unknown-model', 'hi', { model: 'gpt-4o' }),
          request('zero-tokens', 'hi', { max_tokens: 0 }),
          request('no-messages', 'hi', { messages: [] }),
          request('streaming', 'hi', { stream: true }),
          request('fine', 'hi'),
        ],
      });
      t.clock.advance(HOUR);
      const lines = await resultsOf(t.client, batch.id);
      const byId = new Map(lines.map((l) => [l.custom_id, l.result]));
      for (const id of ['unknown-model', 'zero-tokens', 'no-messages', 'streaming']) {
        const result = byId.get(id);
        assert.equal(result?.type, 'errored', id);
        if (result?.type === 'errored') {
          assert.equal(result.error.type, 'error');
          assert.equal(result.error.error.type, id === 'unknown-model' ? 'not_found_error' : 'invalid_request_error');
        }
      }
      assert.equal(byId.get('fine')?.type, 'succeeded');
      const ended = await t.client.messages.batches.retrieve(batch.id);
      assert.deepEqual(ended.request_counts, { processing: 0, succeeded: 1, errored: 4, canceled: 0, expired: 0 });
    });

    it('answers an unknown batch with 404 on every batch endpoint', async () => {
      const id = 'msgbatch_000000000000000000000000';
      await assert.rejects(t.client.messages.batches.retrieve(id), apiError(404, 'not_found_error'));
      await assert.rejects(t.client.messages.batches.cancel(id), apiError(404, 'not_found_error'));
      await assert.rejects(t.client.messages.batches.delete(id), apiError(404, 'not_found_error'));
      const res = await rawCall(t.emulator, `/v1/messages/batches/${id}/results`);
      assert.equal(res.status, 404);
    });

    it('refuses a list limit outside 1 to 1000', async () => {
      await assert.rejects(t.client.messages.batches.list({ limit: 0 }), apiError(400, 'invalid_request_error'));
      await assert.rejects(t.client.messages.batches.list({ limit: 1001 }), apiError(400, 'invalid_request_error'));
    });
  });

  describe('injected faults', () => {
    const cases = [
      { status: 401, type: 'authentication_error', error: Anthropic.AuthenticationError },
      { status: 413, type: 'request_too_large', error: Anthropic.APIError },
      { status: 429, type: 'rate_limit_error', error: Anthropic.RateLimitError },
      { status: 500, type: 'api_error', error: Anthropic.InternalServerError },
      { status: 504, type: 'timeout_error', error: Anthropic.InternalServerError },
      { status: 529, type: 'overloaded_error', error: Anthropic.InternalServerError },
    ] as const;
    for (const c of cases) {
      it(`answers ${c.status} ${c.type} to the next matching call only`, async () => {
        t.emulator.control.injectFaults({ status: c.status, count: 1, endpoint: 'list' });
        await t.client.messages.batches.retrieve('msgbatch_x').catch(() => undefined); // another endpoint: untouched
        assert.equal(t.emulator.record.calls.at(-1)?.status, 404);
        await assert.rejects(t.client.messages.batches.list(), (err: unknown) => {
          assert.ok(err instanceof c.error);
          return apiError(c.status, c.type)(err);
        });
        assert.equal(t.emulator.record.calls.at(-1)?.status, c.status);
        await t.client.messages.batches.list();
        assert.equal(t.emulator.record.calls.at(-1)?.status, 200);
      });
    }

    it('lets the SDK retry 429 and 529 after retry-after, as the record shows', async () => {
      const retrying = t.sdk({ maxRetries: 2 });
      t.emulator.control.injectFaults({ status: 429, count: 1, endpoint: 'create', retryAfterSeconds: 0.05 });
      t.emulator.control.injectFaults({ status: 529, count: 1, endpoint: 'create', retryAfterSeconds: 0.05 });
      const before = t.emulator.record.count('create');
      const batch = await retrying.messages.batches.create({ requests: requests(2, 'retried') });
      const creates = t.emulator.record.calls.filter((c) => c.endpoint === 'create').slice(before);
      assert.deepEqual(
        creates.map((c) => c.status),
        [429, 529, 200],
      );
      assert.equal(t.emulator.record.batches().at(-1)?.id, batch.id);
    });

    it('sends retry-after with 429 and 529 when asked', async () => {
      t.emulator.control.injectFaults({ status: 429, count: 1, retryAfterSeconds: 7 });
      const res = await rawCall(t.emulator, '/v1/messages/batches');
      assert.equal(res.status, 429);
      assert.equal(res.headers.get('retry-after'), '7');
    });

    it('gives up after the SDK retries are spent', async () => {
      const retrying = t.sdk({ maxRetries: 1 });
      t.emulator.control.injectFaults({ status: 529, count: 5, endpoint: 'retrieve', retryAfterSeconds: 0.01 });
      const before = t.emulator.record.count('retrieve');
      await assert.rejects(retrying.messages.batches.retrieve('msgbatch_x'), apiError(529, 'overloaded_error'));
      assert.equal(t.emulator.record.count('retrieve') - before, 2);
      t.emulator.control.clearFaults();
      await assert.rejects(retrying.messages.batches.retrieve('msgbatch_x'), Anthropic.NotFoundError);
    });

    it('drops the response after create: the SDK sees a connection error, the record shows the batch', async () => {
      t.emulator.control.injectFaults({ kind: 'drop-after-create', count: 1 });
      const before = t.emulator.record.batches().length;
      await assert.rejects(
        t.client.messages.batches.create({ requests: requests(2, 'dropped') }),
        Anthropic.APIConnectionError,
      );
      const made = t.emulator.record.batches().slice(before);
      assert.equal(made.length, 1);
      assert.deepEqual(made[0]!.customIds, ['dropped-0', 'dropped-1']);
      assert.equal(t.emulator.record.calls.filter((c) => c.endpoint === 'create').at(-1)?.status, 0);
      const listed = await t.client.messages.batches.list({ limit: 1 });
      assert.equal(listed.data[0]?.id, made[0]!.id, 'the batch exists at the API and can be found');
    });

    it('stalls a call before handling it', async () => {
      t.emulator.control.injectFaults({ kind: 'stall', endpoint: 'list', ms: 300 });
      const client = new Anthropic({ baseURL: t.emulator.url, apiKey: 'test-key', maxRetries: 0, timeout: 100 });
      await assert.rejects(client.messages.batches.list(), Anthropic.APIConnectionTimeoutError);
      await t.client.messages.batches.list(); // the stall was used up
    });
  });
});
