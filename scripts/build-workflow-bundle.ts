// `npm run build` (and setup): bundles the workflow code once into dist/, so workers start without bundling.
// Skips the work when the bundle there is already current; `--force` rebuilds anyway.
import { relative } from 'node:path';
import { DefaultLogger } from '@temporalio/worker';
import { buildWorkflowBundle, defaultBundlePath, loadWorkflowBundle } from '../src/workflow-bundle';

async function main(): Promise<void> {
  const quiet = process.argv.includes('--quiet');
  const say = (line: string): void => {
    if (!quiet) console.log(`build: ${line}`);
  };
  const where = relative(process.cwd(), defaultBundlePath);
  if (!process.argv.includes('--force')) {
    const current = await loadWorkflowBundle({ bundlePath: defaultBundlePath, requirePrebuilt: true }).catch(
      () => null,
    );
    if (current) {
      say(`workflow bundle up to date: ${where} (sources ${current.sourceHash.slice(0, 12)})`);
      return;
    }
  }
  const started = Date.now();
  const built = await buildWorkflowBundle({ logger: new DefaultLogger('WARN') });
  say(
    `workflow bundle built in ${((Date.now() - started) / 1000).toFixed(1)} s: ${where} ` +
      `(${built.sources.length} source files, sources ${built.sourceHash.slice(0, 12)})`,
  );
}

main().catch((err: unknown) => {
  console.error(`build: FAILED: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
