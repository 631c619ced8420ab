// What an operator sees of a job in the Temporal Web UI at 1440 px, through headless Chromium, on `claude-batch dev`'s
// stack: a running job, a job finished with failures and a stalled job, each screenshot under test-results/ and
// checked for the text the operator needs to read and act on.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startDevStack, type DevStack } from '../../src/cli/dev-stack';
import { BatchJobClient } from '../../src/client';
import { projectRoot } from '../support/cli';
import { freePort } from '../support/ports';
import { quietRuntime } from '../support/temporal';
import { request } from '../support/job-env';
import { eventually } from '../support/eventually';

const WIDTH = 1440;
const shots = join(projectRoot, 'test-results');
/** Run in the page (a string: this project's TypeScript has no DOM types): scrolls every scrolled box to its end. */
const SCROLL_TO_END = `for (const el of [document.scrollingElement, ...document.querySelectorAll('*')]) {
  if (el && el.scrollHeight > el.clientHeight) el.scrollTop = el.scrollHeight;
}`;

describe('the Web UI at 1440 px', () => {
  let stack: DevStack;
  let jobs: BatchJobClient;
  let browser: Browser;
  let dir: string;

  before(async () => {
    quietRuntime();
    dir = await mkdtemp(join(tmpdir(), 'claude-batch-web-ui-'));
    stack = await startDevStack({
      dataDir: join(dir, 'data'),
      port: await freePort(),
      uiPort: await freePort(),
      emulatorPort: 0,
    });
    jobs = new BatchJobClient(stack.client);
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
    });
    await mkdir(shots, { recursive: true });
  });
  after(async () => {
    await browser?.close();
    await stack?.shutdown();
  });

  const writeRequests = async (name: string, lines: object[]) => {
    const path = join(dir, name);
    await writeFile(path, lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
    return path;
  };

  /** The text of every frame of the page (the Web UI renders the job's Markdown in frames of its own). */
  const pageText = async (page: Page) => {
    const texts = await Promise.all(
      page.frames().map((f) =>
        f
          .locator('body')
          .innerText()
          .catch(() => ''),
      ),
    );
    return texts.join('\n');
  };

  /** Opens the job's page on its user metadata until `ready` shows, and saves a full-page screenshot. */
  async function screenshot(workflowId: string, file: string, ready: RegExp): Promise<string> {
    const page = await browser.newPage({ viewport: { width: WIDTH, height: 1400 } });
    try {
      await page.goto(`${stack.webUi}/namespaces/default/workflows/${workflowId}`);
      await page.getByText('batchJob').first().waitFor({ timeout: 30_000 });
      const text = await eventually(
        async () => {
          // The tab can be clicked before the page has settled; the details are fetched after: reload until shown.
          await page.getByText('User Metadata').first().click();
          const t = await pageText(page);
          if (ready.test(t)) return t;
          await page.reload();
          await page.getByText('batchJob').first().waitFor({ timeout: 30_000 });
          return undefined;
        },
        `the job page of ${workflowId} to show ${ready}`,
        60_000,
      );
      await page.screenshot({ path: join(shots, file), fullPage: true });
      // The details panel is as tall as the column beside it and scrolls: a second picture shows its end.
      for (const frame of page.frames()) {
        await frame.evaluate(SCROLL_TO_END).catch(() => undefined);
      }
      await page.screenshot({ path: join(shots, file.replace(/\.png$/, '-end.png')), fullPage: true });
      return text;
    } catch (err) {
      await page.screenshot({ path: join(shots, `failed-${file}`), fullPage: true }).catch(() => undefined);
      throw err;
    } finally {
      await page.close();
    }
  }

  it('shows a finished job’s failures, where its results are, and its final cost', async () => {
    const requests = await writeRequests('with-errors.jsonl', [
      request('q-1', 'first'),
      request('q-2', 'second [emulator:errored=invalid_request_error]'),
      request('q-3', 'third'),
      request('q-4', 'fourth [emulator:errored=invalid_request_error]'),
    ]);
    const output = join(dir, 'with-errors-out');
    const handle = await jobs.startBatchJob(
      { requests, output, polling: { initialInterval: '1 second' } },
      { workflowId: 'finished-with-errors', searchAttributes: true },
    );
    await handle.result();
    const text = await screenshot('finished-with-errors', 'web-ui-finished-with-errors.png', /finished with failures/);
    assert.match(text, /Requests: 4 of 4 final: 2 succeeded, 2 failed/);
    assert.match(text, /first: q-2, q-4/);
    assert.match(text, new RegExp(`jq -c 'select\\(\\.outcome != "succeeded"\\)' ${output}/results\\.jsonl`));
    assert.match(text, /Cost: USD/);
    assert.doesNotMatch(text, /Cost so far/);
    assert.match(text, /round 1, chunk 0: msgbatch_\w+, ended: 2 succeeded, 2 errored/);
  });

  it('shows a running job: when it checks next, its batches, where results will be and how to act', async () => {
    stack.emulator!.control.setScenario({ processingMs: 60 * 60_000 });
    const requests = await writeRequests('running.jsonl', [request('r-1', 'one'), request('r-2', 'two')]);
    await jobs.startBatchJob(
      { requests, polling: { initialInterval: '30 minutes' } },
      { workflowId: 'running-job', searchAttributes: true },
    );
    const text = await screenshot('running-job', 'web-ui-running.png', /Next check/);
    assert.match(text, /Job: waiting · round 1 of at most 4/);
    assert.match(text, /Cost so far: USD/);
    assert.match(text, /round 1, chunk 0: msgbatch_\w+, in progress/);
    assert.match(text, /running-job\/results\.jsonl/);
    assert.match(text, /signal checkNow, or claude-batch check running-job/);
    assert.match(text, /claude-batch cancel running-job/);
  });

  it('shows a stalled job: since when, the error and what to check', async () => {
    stack.emulator!.control.injectFaults({ status: 404, count: 1_000_000, endpoint: 'retrieve' });
    try {
      await jobs.checkNow('running-job');
      const text = await screenshot('running-job', 'web-ui-stalled.png', /Stalled since/);
      assert.match(text, /step: check batches/);
      assert.match(text, /error: retrieve batch: 404 not_found_error: /);
      assert.match(text, /what to check: .*ANTHROPIC_BASE_URL/);
      assert.match(text, /send checkNow to try again at once/);
    } finally {
      stack.emulator!.control.clearFaults();
      stack.emulator!.control.setScenario({});
      await jobs.client.workflow.getHandle('running-job').terminate('test done');
    }
  });
});
