import { bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Runtime, DefaultLogger } from '@temporalio/worker';
import { devServerExecutable, timeSkippingServerExecutable } from '../../src/dev/temporal-servers';
import type { SearchAttributeType } from '@temporalio/common';
import type { SearchAttributeKey } from '@temporalio/common/lib/search-attributes';

let runtimeInstalled = false;
/** Keeps the worker's logs to warnings so test output stays readable. */
export function quietRuntime(): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  // Activity failures are part of many scenarios here (faults, drops): errors only.
  Runtime.install({ logger: new DefaultLogger('ERROR') });
}

/** The Java time-skipping test server, installed by scripts/setup. */
export async function startTimeSkippingServer(): Promise<TestWorkflowEnvironment> {
  quietRuntime();
  return TestWorkflowEnvironment.createTimeSkipping({ server: { executable: timeSkippingServerExecutable() } });
}

/** The Temporal CLI's dev server (the same one `claude-batch dev` runs), optionally with its Web UI. */
export async function startDevServer(
  options: { ui?: boolean; searchAttributes?: SearchAttributeKey<SearchAttributeType>[] } = {},
): Promise<TestWorkflowEnvironment> {
  quietRuntime();
  return TestWorkflowEnvironment.createLocal({
    server: {
      executable: devServerExecutable(),
      ui: options.ui ?? false,
      ...(options.searchAttributes ? { searchAttributes: options.searchAttributes } : {}),
    },
  });
}

const bundles = new Map<string, Promise<WorkflowBundleWithSourceMap>>();
/** Bundles workflow code once per path per test file: bundling costs seconds, workers reuse the result. */
export function workflowBundle(workflowsPath: string): Promise<WorkflowBundleWithSourceMap> {
  let bundle = bundles.get(workflowsPath);
  if (!bundle) {
    bundle = bundleWorkflowCode({ workflowsPath, logger: new DefaultLogger('WARN') });
    bundles.set(workflowsPath, bundle);
  }
  return bundle;
}

let queueCounter = 0;
/** A task queue of its own for each test, so workers of different tests never steal each other's tasks. */
export function uniqueTaskQueue(name: string): string {
  queueCounter += 1;
  return `${name}-${process.pid}-${queueCounter}`;
}
