// The workflow code a worker runs: the prebuilt bundle while it matches its sources, never a stale one.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DefaultLogger, Worker, type WorkflowBundle } from '@temporalio/worker';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { buildWorkflowBundle, loadWorkflowBundle, StaleWorkflowBundleError } from '../../src/workflow-bundle';
import { startTimeSkippingServer, uniqueTaskQueue } from '../support/temporal';
import { projectRoot } from '../support/cli';

const workflowSource = (answer: string) => `export async function edition(): Promise<string> { return '${answer}'; }\n`;

const logger = new DefaultLogger('WARN');

describe('the prebuilt workflow bundle', () => {
  let env: TestWorkflowEnvironment;
  let dir: string;
  let workflowsPath: string;
  let bundlePath: string;

  before(async () => {
    env = await startTimeSkippingServer();
    // Inside the project (in git-ignored dist/), so the workflow module resolves the SDK from node_modules.
    await mkdir(join(projectRoot, 'dist'), { recursive: true });
    dir = await mkdtemp(join(projectRoot, 'dist', 'test-bundle-'));
    workflowsPath = join(dir, 'workflows.ts');
    bundlePath = join(dir, 'dist', 'workflow-bundle.js');
    await writeFile(workflowsPath, workflowSource('first edition'));
    await buildWorkflowBundle({ workflowsPath, bundlePath, logger });
  });
  after(async () => {
    await env?.teardown();
    await rm(dir, { recursive: true, force: true });
  });

  async function run(bundle: WorkflowBundle): Promise<string> {
    const taskQueue = uniqueTaskQueue('bundle');
    const worker = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowBundle: bundle });
    return worker.runUntil(
      env.client.workflow.execute<() => Promise<string>>('edition', { taskQueue, workflowId: taskQueue }),
    );
  }

  it('is what the worker runs while its sources are unchanged', async () => {
    const loaded = await loadWorkflowBundle({ workflowsPath, bundlePath, logger });
    assert.equal(loaded.origin, 'prebuilt');
    assert.equal(await run(loaded.bundle), 'first edition');
  });

  it("keeps its source map's lines but not the sources' text, which an idle worker would hold in memory", async () => {
    const { bundle } = await loadWorkflowBundle({ workflowsPath, bundlePath, logger });
    const map = JSON.parse(
      Buffer.from(bundle.code.slice(bundle.code.lastIndexOf('base64,') + 7), 'base64').toString('utf8'),
    ) as { sources: string[]; mappings: string; sourcesContent?: string[] };
    assert.ok(map.sources.some((source) => source.endsWith('workflows.ts')));
    assert.ok(map.mappings.length > 0);
    assert.equal(map.sourcesContent, undefined);
  });

  it('is refused when named explicitly and its sources changed since it was built', async () => {
    await writeFile(workflowsPath, workflowSource('second edition'));
    await assert.rejects(
      loadWorkflowBundle({ workflowsPath, logger, env: { CLAUDE_BATCH_WORKFLOW_BUNDLE: bundlePath } }),
      (err: unknown) => err instanceof StaleWorkflowBundleError && /stale/.test(err.message),
    );
  });

  it('is replaced by bundling at start when stale, so the worker runs the edited code', async () => {
    await writeFile(workflowsPath, workflowSource('third edition'));
    const loaded = await loadWorkflowBundle({ workflowsPath, bundlePath, logger });
    assert.equal(loaded.origin, 'bundled-at-start');
    assert.equal(await run(loaded.bundle), 'third edition');
  });
});
