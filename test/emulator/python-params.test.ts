// The official Python SDK reads the emulator's refusals of bad params and headers, and its image token counts.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { API_KEY, testEmulator, type TestEmulator } from './support';

const python = join(__dirname, '..', '..', '.tools', 'python', 'bin', 'python');
const run = promisify(execFile);

interface Report {
  results: Record<string, { type: string; error_type?: string; message?: string }>;
  image_tokens: number;
  unknown_beta: { status: number; type: string; message: string } | null;
  unknown_version: { status: number; type: string; message: string } | null;
}

describe('the official Python SDK on refused params and headers', () => {
  let t: TestEmulator;
  let report: Report;
  before(async () => {
    if (!existsSync(python)) throw new Error(`${python} is missing: run \`npm run setup\``);
    t = await testEmulator();
    // The script polls until the batch ends: its first retrieve ends it.
    t.emulator.control.setScenario({ neverEnds: true, endAfterRetrieves: 1 });
    const { stdout } = await run(python, [join(__dirname, 'python_params_check.py')], {
      env: { ...process.env, ANTHROPIC_BASE_URL: t.emulator.url, ANTHROPIC_API_KEY: API_KEY },
      timeout: 60_000,
    });
    report = JSON.parse(stdout.trim().split('\n').at(-1)!) as Report;
  });
  after(() => t?.emulator.close());

  it('reads refused params as errored result lines with the error type and message', () => {
    assert.deepEqual(report.results['unknown-model'], {
      type: 'errored',
      error_type: 'not_found_error',
      message: 'model: claude-does-not-exist-9',
    });
    assert.equal(report.results['too-long']?.error_type, 'invalid_request_error');
    assert.match(report.results['too-long']?.message ?? '', /^max_tokens: 10000000 > 64000, /);
    assert.deepEqual(report.results.fine, { type: 'succeeded' });
  });

  it('counts an image by its size', () => {
    assert.equal(report.image_tokens, Math.ceil((1500 * 750) / 750));
  });

  it('gets 400 for an unknown beta and an unknown API version', () => {
    assert.equal(report.unknown_beta?.status, 400);
    assert.match(report.unknown_beta?.message ?? '', /^Unexpected value\(s\) `no-such-beta-2099-01-01` for the/);
    assert.deepEqual(report.unknown_version, {
      status: 400,
      type: 'invalid_request_error',
      message: 'anthropic-version: "2024-02-30" is not a valid version',
    });
  });
});
