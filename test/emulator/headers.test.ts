// The anthropic-version and anthropic-beta headers: known values pass, unknown ones are refused as the API does.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import { API_KEY, testEmulator, type TestEmulator } from './support';

describe('version and beta headers', () => {
  let t: TestEmulator;
  before(async () => {
    t = await testEmulator();
  });
  after(() => t.emulator.close());

  const sdkWithVersion = (version: string) =>
    new Anthropic({
      baseURL: t.emulator.url,
      apiKey: API_KEY,
      maxRetries: 0,
      defaultHeaders: { 'anthropic-version': version },
    });

  /** Asserts the SDK threw a 400 invalid_request_error with exactly this message. */
  const badRequest = (message: string) => (err: unknown) => {
    assert.ok(err instanceof Anthropic.BadRequestError, `expected a 400, got ${String(err)}`);
    const body = err.error as { error: { type: string; message: string } };
    assert.equal(body.error.type, 'invalid_request_error');
    assert.equal(body.error.message, message);
    return true;
  };

  it("accepts the SDK's own version and the older 2023-06-01", async () => {
    await t.client.messages.batches.list();
    await sdkWithVersion('2023-06-01').messages.batches.list();
    const versions = t.emulator.record.calls.map((c) => c.anthropicVersion);
    assert.deepEqual(versions.slice(-2), ['2026-10-21', '2023-06-01']);
  });

  it('refuses an anthropic-version the API does not have with 400', async () => {
    await assert.rejects(
      sdkWithVersion('2024-01-01').messages.batches.list(),
      badRequest('anthropic-version: "2024-01-01" is not a valid version'),
    );
  });

  it('accepts betas the API has', async () => {
    const page = await t.client.beta.messages.batches.list({
      betas: ['message-batches-2024-09-24', 'output-300k-2026-03-24'],
    });
    assert.ok(Array.isArray(page.data));
  });

  it('refuses unknown betas with 400, naming each of them', async () => {
    await assert.rejects(
      t.client.beta.messages.batches.list({
        betas: ['made-up-beta-2099-01-01', 'message-batches-2024-09-24', 'another-2099-02-02'],
      }),
      badRequest(
        'Unexpected value(s) `made-up-beta-2099-01-01`, `another-2099-02-02` for the `anthropic-beta` header. ' +
          'Please consult our documentation at docs.claude.com or try again without the header.',
      ),
    );
  });
});
