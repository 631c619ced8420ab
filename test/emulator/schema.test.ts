// What the emulator answers, checked against the component schemas of Anthropic's OpenAPI spec (Nov 2024), an
// independent description of the contract. Newer fields are allowed; none may be missing or of the wrong type.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import { parse } from 'yaml';
import { HOUR, rawCall, request, requests, testEmulator, type TestEmulator } from './support';

// A copy of the spec the SDKs were generated from in November 2024 (it predates the delete endpoint).
// The team's copy of the API's OpenAPI spec (../shared beside the checkout, as in CI).
const SPEC_PATH = join(__dirname, '..', '..', '..', 'shared', 'reference', 'anthropic-openapi-2024-11.yaml');
const SPEC_ID = 'https://anthropic.test/openapi.json';

/** OpenAPI 3.1 schemas are JSON Schema 2020-12 but for a few things ajv rejects: a null `type` and OpenAPI keywords. */
function cleaned(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(cleaned);
  if (typeof node !== 'object' || node === null) return node;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === 'type' && value === null) continue;
    if (key === 'discriminator' || key === 'examples' || key.startsWith('x-')) continue;
    out[key] = cleaned(value);
  }
  return out;
}

function specValidators() {
  const spec = parse(readFileSync(SPEC_PATH, 'utf8')) as { components: { schemas: Record<string, unknown> } };
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  ajv.addFormat('date-time', /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/);
  ajv.addSchema({ $id: SPEC_ID, components: { schemas: cleaned(spec.components.schemas) } });
  return (name: string): ValidateFunction => {
    const validate = ajv.getSchema(`${SPEC_ID}#/components/schemas/${name}`);
    assert.ok(validate, `no schema ${name} in the spec`);
    return validate;
  };
}

function assertValid(validate: ValidateFunction, value: unknown, what: string): void {
  const ok = validate(value);
  assert.ok(
    ok,
    `${what} does not match the spec: ${JSON.stringify(validate.errors, null, 1)}\n${JSON.stringify(value)}`,
  );
}

describe('responses match the OpenAPI spec', () => {
  let t: TestEmulator;
  let schema: ReturnType<typeof specValidators>;
  before(async () => {
    t = await testEmulator();
    schema = specValidators();
  });
  after(() => t.emulator.close());

  it('rejects what the spec rejects (the validators bite)', () => {
    const validate = schema('BetaMessageBatch');
    const good = {
      id: 'msgbatch_x',
      type: 'message_batch',
      processing_status: 'ended',
      request_counts: { processing: 0, succeeded: 1, errored: 0, canceled: 0, expired: 0 },
      ended_at: '2025-01-01T00:00:00.000Z',
      created_at: '2025-01-01T00:00:00.000Z',
      expires_at: '2025-01-02T00:00:00.000Z',
      archived_at: null,
      cancel_initiated_at: null,
      results_url: '/v1/messages/batches/msgbatch_x/results',
    };
    assert.ok(validate(good));
    const { results_url: _missing, ...withoutUrl } = good;
    assert.ok(!validate(withoutUrl));
    assert.ok(!validate({ ...good, ended_at: 'yesterday' }));
    assert.ok(!validate({ ...good, processing_status: 'done' }));
    assert.ok(!schema('BetaMessageBatchIndividualResponse')({ custom_id: 'a', result: { type: 'succeeded' } }));
  });

  it('MessageBatch in every state', async () => {
    const validate = schema('BetaMessageBatch');
    const created = await t.client.messages.batches.create({ requests: requests(4) });
    assertValid(validate, created, 'a new batch');
    const canceled = await t.client.messages.batches.create({ requests: requests(4) });
    assertValid(validate, await t.client.messages.batches.cancel(canceled.id), 'a canceling batch');
    t.clock.advance(HOUR);
    assertValid(validate, await t.client.messages.batches.retrieve(created.id), 'an ended batch');
    assertValid(validate, await t.client.messages.batches.retrieve(canceled.id), 'a canceled batch');
    t.emulator.control.archive(created.id);
    assertValid(validate, await t.client.messages.batches.retrieve(created.id), 'an archived batch');
  });

  it('list responses', async () => {
    const validate = schema('BetaListResponse_MessageBatch_');
    const full = await rawCall(t.emulator, '/v1/messages/batches?limit=1');
    assertValid(validate, full.body, 'a list page');
    const empty = await rawCall(t.emulator, '/v1/messages/batches?after_id=msgbatch_none');
    assertValid(validate, empty.body, 'an empty list page');
  });

  it('every kind of result line', async () => {
    const validate = schema('BetaMessageBatchIndividualResponse');
    t.emulator.control.setScenario({ cancelDelayMs: 0 });
    const mixed = await t.client.messages.batches.create({
      requests: [
        request('ok', 'hello'),
        request('cached', 'hello', {
          system: [{ type: 'text', text: 'shared', cache_control: { type: 'ephemeral' } }],
        }),
        request('bad', 'hello', { model: 'not-a-model' }),
        request('overloaded', 'x [emulator:errored=overloaded_error]'),
        request('late', 'x [emulator:expired]'),
      ],
    });
    const toCancel = await t.client.messages.batches.create({
      requests: [request('never', 'x [emulator:expired]')],
    });
    await t.client.messages.batches.cancel(toCancel.id);
    t.clock.advance(25 * HOUR);
    const types = new Set<string>();
    for (const id of [mixed.id, toCancel.id]) {
      const res = await fetch(`${t.emulator.url}/v1/messages/batches/${id}/results`, {
        headers: { 'x-api-key': 'test-key', 'anthropic-version': '2023-06-01' },
      });
      for (const line of (await res.text()).trim().split('\n')) {
        const parsed = JSON.parse(line) as { result: { type: string } };
        types.add(parsed.result.type);
        assertValid(validate, parsed, `result line ${line}`);
      }
    }
    assert.deepEqual([...types].sort(), ['canceled', 'errored', 'expired', 'succeeded']);
  });

  it('error bodies', async () => {
    const validate = schema('BetaErrorResponse');
    t.emulator.control.setScenario({});
    const bodies = [
      (await rawCall(t.emulator, '/v1/messages/batches/msgbatch_none')).body,
      (await rawCall(t.emulator, '/v1/messages/batches', { headers: { 'x-api-key': 'wrong' } })).body,
      (await rawCall(t.emulator, '/v1/messages/batches', { method: 'POST', body: '{"requests":[]}' })).body,
    ];
    for (const status of [429, 500, 529] as const) {
      t.emulator.control.injectFaults({ status, count: 1 });
      bodies.push((await rawCall(t.emulator, '/v1/messages/batches')).body);
    }
    for (const body of bodies) assertValid(validate, body, 'an error body');
    // The 2024 spec's ErrorResponse predates timeout_error and request_too_large: check the same envelope by hand.
    for (const status of [413, 504] as const) {
      t.emulator.control.injectFaults({ status, count: 1 });
      const { body } = await rawCall(t.emulator, '/v1/messages/batches');
      const { type, error, request_id: requestId } = body as { type: string; error: object; request_id: string };
      assert.equal(type, 'error');
      assertValid(schema('BetaAPIError'), { ...error, type: 'api_error' }, 'the error object');
      assert.match(requestId, /^req_/);
    }
  });

  it('single messages and token counts', async () => {
    const message = await rawCall(t.emulator, '/v1/messages', {
      method: 'POST',
      body: JSON.stringify(request('x', 'Hello there').params),
    });
    assertValid(schema('Message'), message.body, 'a message');
    assertValid(schema('BetaMessage'), message.body, 'a message');
    const count = await rawCall(t.emulator, '/v1/messages/count_tokens', {
      method: 'POST',
      body: JSON.stringify({ model: 'claude-sonnet-4-5', messages: [{ role: 'user', content: 'hi' }] }),
    });
    assertValid(schema('BetaCountMessageTokensResponse'), count.body, 'a token count');
  });
});
