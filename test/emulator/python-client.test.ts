// The official Python SDK as a second, independent client: it must work against the emulator with nothing but
// ANTHROPIC_BASE_URL and a key. scripts/setup installs it into .tools/python (git-ignored).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { API_KEY, testEmulator, type TestEmulator } from './support';

const root = join(__dirname, '..', '..');
const python = join(root, '.tools', 'python', 'bin', 'python');
const run = promisify(execFile);
const pinned = /^ANTHROPIC_PYTHON_VERSION=(.+)$/m.exec(readFileSync(join(root, 'tools', 'versions.env'), 'utf8'))?.[1];

/** scripts/setup installs the pinned version (tools/versions.env) into .tools/python. */
async function ensurePythonSdk(): Promise<void> {
  if (!existsSync(python)) throw new Error(`${python} is missing: run \`npm run setup\``);
  const { stdout } = await run(python, ['-c', 'import anthropic; print(anthropic.__version__)']);
  assert.equal(stdout.trim(), pinned, 'the pinned Python SDK: run `npm run setup`');
}

interface PythonReport {
  batch_id: string;
  created_status: string;
  final_status: string;
  counts: Record<string, number>;
  results_url: string;
  listed: string[];
  results: Record<string, { type: string; text?: string; service_tier?: string; error_type?: string }>;
  not_found_status: number;
  deleted_type: string;
  sdk_version: string;
}

describe('the official Python SDK', () => {
  let t: TestEmulator;
  before(async () => {
    await ensurePythonSdk();
    t = await testEmulator();
    // The script polls until the batch ends; the third retrieve ends it, so no time needs to pass.
    t.emulator.control.setScenario({ neverEnds: true, endAfterRetrieves: 3 });
  });
  after(() => t?.emulator.close());

  it('creates, polls, lists, reads results and deletes through the emulator', { timeout: 120_000 }, async () => {
    const { stdout } = await run(python, [join(__dirname, 'python_client_check.py')], {
      env: { ...process.env, ANTHROPIC_BASE_URL: t.emulator.url, ANTHROPIC_API_KEY: API_KEY },
      timeout: 60_000,
    });
    const report = JSON.parse(stdout.trim().split('\n').at(-1)!) as PythonReport;
    assert.equal(report.sdk_version, pinned);
    assert.equal(report.created_status, 'in_progress');
    assert.equal(report.final_status, 'ended');
    assert.deepEqual(report.counts, { processing: 0, succeeded: 5, errored: 1, canceled: 0, expired: 0 });
    assert.equal(report.results_url, `/v1/messages/batches/${report.batch_id}/results`);
    assert.deepEqual(report.listed, [report.batch_id]);
    assert.equal(Object.keys(report.results).length, 6);
    assert.deepEqual(report.results['py-fails'], { type: 'errored', error_type: 'overloaded_error' });
    assert.equal(report.results['py-0']?.service_tier, 'batch');
    assert.match(report.results['py-0']?.text ?? '', /Python request number 0/);
    assert.equal(report.not_found_status, 404);
    assert.equal(report.deleted_type, 'message_batch_deleted');

    const calls = t.emulator.record.calls;
    assert.ok(
      calls.every((c) => c.apiKeyPresent && c.anthropicVersion),
      'the Python SDK sends the key and version',
    );
    assert.deepEqual(
      t.emulator.record.batches().map((b) => b.id),
      [report.batch_id],
    );
    assert.equal(t.emulator.record.count('retrieve'), 5, 'three polls, the one results() makes, and the 404');
    assert.equal(t.emulator.record.count('results'), 1);
    assert.equal(t.emulator.record.count('delete'), 1);
  });
});
