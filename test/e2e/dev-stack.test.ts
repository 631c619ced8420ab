// The way people use it: `claude-batch dev`'s stack (Temporal's dev server + Web UI, the emulator, a worker), driven by
// the Temporal CLI, by our CLI as a subprocess, and seen in the Web UI through headless Chromium.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { startDevStack, type DevStack } from '../../src/cli/dev-stack';
import { temporalCliPath } from '../../src/dev/temporal-servers';
import type { FinalResultLine, JobProgress } from '../../src/shared/job';
import { claudeBatch, projectRoot, runCommand } from '../support/cli';
import { freePort } from '../support/ports';
import { quietRuntime } from '../support/temporal';
import { request } from '../support/job-env';
import { eventually } from '../support/eventually';

describe('dev stack end to end', () => {
  let stack: DevStack;
  let dir: string;
  let env: NodeJS.ProcessEnv;
  const temporal = (args: string[]) =>
    runCommand(temporalCliPath()!, [...args, '--address', stack.address], { timeoutMs: 60_000 });
  /** `temporal workflow start` of a batch job, as a user of the Temporal CLI types it. */
  const startWithTemporalCli = (workflowId: string, input: string) =>
    temporal([
      'workflow',
      'start',
      '--type',
      'batchJob',
      '--task-queue',
      'claude-batch',
      '--workflow-id',
      workflowId,
      '--input',
      input,
    ]);

  before(async () => {
    quietRuntime();
    dir = await mkdtemp(join(tmpdir(), 'claude-batch-e2e-'));
    stack = await startDevStack({
      dataDir: join(dir, 'data'),
      port: await freePort(),
      uiPort: await freePort(),
      emulatorPort: 0,
    });
    env = { TEMPORAL_ADDRESS: stack.address, TEMPORAL_UI_URL: stack.webUi, ANTHROPIC_API_KEY: '' };
  });
  after(async () => {
    await stack?.shutdown();
  });

  const writeRequests = async (name: string, n: number) => {
    const path = join(dir, name);
    const lines = Array.from({ length: n }, (_, i) => JSON.stringify(request(`q-${i}`, `question ${i}`)));
    await writeFile(path, lines.join('\n') + '\n');
    return path;
  };

  it('runs a job started with `temporal workflow start`, answers `temporal workflow query`', async () => {
    const requests = await writeRequests('temporal-cli.jsonl', 5);
    const input = JSON.stringify({ requests, polling: { initialInterval: '1 second', maxInterval: '2 seconds' } });
    const started = await startWithTemporalCli('from-temporal-cli', input);
    assert.equal(started.code, 0, started.stderr);
    const result = await temporal(['workflow', 'result', '--workflow-id', 'from-temporal-cli', '--output', 'json']);
    assert.equal(result.code, 0, result.stderr);
    const query = await temporal([
      'workflow',
      'query',
      '--workflow-id',
      'from-temporal-cli',
      '--type',
      'progress',
      '--output',
      'json',
    ]);
    assert.equal(query.code, 0, query.stderr);
    const progress = (JSON.parse(query.stdout) as { queryResult: JobProgress[] }).queryResult[0]!;
    assert.equal(progress.phase, 'done');
    assert.equal(progress.done.succeeded, 5);
    const lines = (await readFile(join(dir, 'from-temporal-cli', 'results.jsonl'), 'utf8')).trim().split('\n');
    assert.equal(lines.length, 5);
  });

  it('is held by its budget and let go with `temporal workflow update execute --name approve`', async () => {
    const requests = await writeRequests('held.jsonl', 2);
    const input = JSON.stringify({ requests, budgetUsd: 0.000001, polling: { initialInterval: '1 second' } });
    const started = await startWithTemporalCli('held-by-budget', input);
    assert.equal(started.code, 0, started.stderr);
    const handle = stack.client.workflow.getHandle('held-by-budget');
    await eventually(async () => {
      const p = await handle.query<JobProgress>('progress');
      return p.phase === 'awaiting-approval' ? p : undefined;
    }, 'the job to wait for approval');
    // Our CLI's remote control: a budget still too small keeps the hold, and says so.
    const raised = await claudeBatch(['budget', 'held-by-budget', '0.000002'], env);
    assert.equal(raised.code, 0, raised.stderr);
    assert.match(raised.stdout, /awaiting-approval/);
    const approved = await temporal([
      'workflow',
      'update',
      'execute',
      '--workflow-id',
      'held-by-budget',
      '--name',
      'approve',
    ]);
    assert.equal(approved.code, 0, approved.stderr);
    assert.match(approved.stdout, /phase/);
    const result = await temporal(['workflow', 'result', '--workflow-id', 'held-by-budget', '--output', 'json']);
    assert.equal(result.code, 0, result.stderr);
    const lines = (await readFile(join(dir, 'held-by-budget', 'results.jsonl'), 'utf8')).trim().split('\n');
    assert.equal(lines.length, 2);
  });

  it('cancels a job with `temporal workflow cancel`, canceling its batch at the API', async () => {
    const requests = await writeRequests('to-cancel.jsonl', 3);
    stack.emulator!.control.setScenario({ processingMs: 60 * 60 * 1000 });
    try {
      const input = JSON.stringify({ requests, polling: { initialInterval: '1 second', maxInterval: '1 second' } });
      const started = await startWithTemporalCli('cancel-from-cli', input);
      assert.equal(started.code, 0, started.stderr);
      for (let i = 0; i < 100; i++) {
        const q = await temporal([
          'workflow',
          'query',
          '--workflow-id',
          'cancel-from-cli',
          '--type',
          'progress',
          '--output',
          'json',
        ]);
        if (
          q.code === 0 &&
          (JSON.parse(q.stdout) as { queryResult: JobProgress[] }).queryResult[0]?.phase === 'waiting'
        )
          break;
        await new Promise((r) => setTimeout(r, 200));
      }
      const canceled = await temporal(['workflow', 'cancel', '--workflow-id', 'cancel-from-cli']);
      assert.equal(canceled.code, 0, canceled.stderr);
      await assert.rejects(stack.client.workflow.getHandle('cancel-from-cli').result());
      const { status } = await stack.client.workflow.getHandle('cancel-from-cli').describe();
      assert.equal(status.name, 'CANCELLED');
      const results = (await readFile(join(dir, 'cancel-from-cli', 'results.jsonl'), 'utf8'))
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as FinalResultLine);
      assert.deepEqual(
        results.map((r) => r.outcome),
        ['canceled', 'canceled', 'canceled'],
      );
      assert.equal(stack.emulator!.record.count('cancel'), 1);
    } finally {
      stack.emulator!.control.setScenario({});
    }
  });

  it('our CLI: validate reports line numbers and exits non-zero', async () => {
    const bad = join(dir, 'bad.jsonl');
    await writeFile(bad, `${JSON.stringify(request('a', 'x'))}\nnot json\n${JSON.stringify(request('a', 'y'))}\n`);
    const result = await claudeBatch(['validate', bad]);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /line 2: not valid JSON/);
    assert.match(result.stderr, /line 3: duplicate custom_id "a"/);
    assert.doesNotMatch(result.stderr, /at .*\.ts:\d+/, 'one clear message, no stack trace');
  });

  it('our CLI: build turns documents and a template into valid requests, estimate prices them', async () => {
    const docs = join(dir, 'docs');
    await mkdir(docs);
    await writeFile(join(docs, 'Annual Report.txt'), 'Revenue grew.');
    await writeFile(join(docs, 'annual report.md'), 'Costs fell.');
    await writeFile(join(dir, 'prompt.txt'), 'Summarize {{filename}}:\n{{document}}');
    const out = join(dir, 'built.jsonl');
    const built = await claudeBatch(['build', '--template', join(dir, 'prompt.txt'), '-o', out, docs]);
    assert.equal(built.code, 0, built.stderr);
    const lines = (await readFile(out, 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { custom_id: string; params: { messages: { content: string }[] } });
    assert.deepEqual(
      lines.map((l) => l.custom_id),
      ['Annual-Report', 'annual-report'],
    );
    assert.equal(lines[0]!.params.messages[0]!.content, 'Summarize Annual Report.txt:\nRevenue grew.');
    assert.equal((await claudeBatch(['validate', out])).code, 0);
    const estimate = await claudeBatch(['--json', 'estimate', out]);
    assert.equal(estimate.code, 0, estimate.stderr);
    const e = JSON.parse(estimate.stdout) as {
      requests: number;
      batchUsd: { input: number };
      standardUsd: { input: number };
    };
    assert.equal(e.requests, 2);
    assert.ok(Math.abs(e.standardUsd.input - 2 * e.batchUsd.input) < 1e-12);
  });

  it('our CLI: run follows a job to its summary; status, results and list see it', async () => {
    const requests = await writeRequests('cli-run.jsonl', 4);
    const run = await claudeBatch(
      ['run', requests, '--id', 'cli-run', '--output', join(dir, 'cli-run-out'), '--poll-interval', '1s'],
      env,
      120_000,
    );
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /succeeded\s+4/);
    assert.match(run.stdout, /results\s+.*cli-run-out\/results\.jsonl/);
    const status = await claudeBatch(['--json', 'status', 'cli-run'], env);
    assert.equal((JSON.parse(status.stdout) as JobProgress).phase, 'done');
    const results = await claudeBatch(['results', 'cli-run'], env);
    assert.equal(results.stdout.trim().split('\n').length, 4);
    const list = await claudeBatch(['--json', 'list'], env);
    assert.ok((JSON.parse(list.stdout) as { workflowId: string }[]).some((j) => j.workflowId === 'cli-run'));
    const again = await claudeBatch(['--json', 'start', requests, '--id', 'cli-run'], env);
    assert.notEqual(again.code, 0, 'a completed job id is not run again');
  });

  it('shows the job in the Web UI list and on its page', async () => {
    const browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    try {
      const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
      const shots = join(projectRoot, 'test-results');
      await mkdir(shots, { recursive: true });
      await page.goto(`${stack.webUi}/namespaces/default/workflows`);
      await page.getByText('cli-run').first().waitFor({ timeout: 30_000 });
      await page.screenshot({ path: join(shots, 'web-ui-list.png') });
      await page.goto(`${stack.webUi}/namespaces/default/workflows/cli-run`);
      await page.getByText('batchJob').first().waitFor({ timeout: 30_000 });
      // The summary and details set at start, and the current details the job kept up to date.
      // The Web UI renders the summary and details (Markdown) in frames of their own.
      const shownInAFrame = async (pattern: RegExp) => {
        for (const frame of page.frames()) {
          const text = await frame
            .locator('body')
            .innerText()
            .catch(() => '');
          if (pattern.test(text)) return true;
        }
        return undefined;
      };
      await eventually(async () => {
        // The tab can be clicked before the page has settled: click until the summary shows.
        await page.getByText('User Metadata').first().click();
        return shownInAFrame(/Batch job: cli-run\.jsonl/);
      }, 'the job summary set at start');
      await eventually(() => shownInAFrame(/Requests: 4 of 4 final/), 'the current details kept up to date');
      await page.screenshot({ path: join(shots, 'web-ui-job.png'), fullPage: true });
    } catch (err) {
      await browser
        .contexts()[0]
        ?.pages()[0]
        ?.screenshot({ path: join(projectRoot, 'test-results', 'web-ui-failure.png') });
      throw err;
    } finally {
      await browser.close();
    }
  });
});
