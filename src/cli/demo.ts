import { resolve } from 'node:path';
import { BatchJobClient, workflowIdFor } from '../client';
import type { DevStack } from './dev-stack';
import { followJob } from './follow';
import { webUiLink } from './format';
import type { CliContext } from './context';
import { reportEnd } from './report-end';

const SAMPLE_REQUESTS = resolve(__dirname, '..', '..', 'examples', 'requests.jsonl');
const isSample = (path: string) => path === SAMPLE_REQUESTS;

/** Runs one job on the sample requests through the dev stack and prints what a user needs to see. */
export async function runDemo(
  stack: DevStack,
  ctx: CliContext,
  options: { requests: string; keepUi: boolean },
): Promise<void> {
  const jobs = new BatchJobClient(stack.client);
  const workflowId = workflowIdFor(`demo-${Date.now()}`);
  const requests = resolve(options.requests);
  await jobs.startBatchJob(
    {
      requests,
      name: 'demo',
      output: resolve('.data', 'results', workflowId),
      polling: { initialInterval: '2 seconds', maxInterval: '5 seconds' },
    },
    { workflowId, searchAttributes: true },
  );
  const link = webUiLink(stack.webUi, workflowId);
  console.error(
    `claude-batch demo: ${requests} → ${stack.usingEmulator ? 'the Message Batches API emulator' : stack.apiUrl}`,
  );
  console.error(`Web UI: ${link}`);
  const end = await followJob(jobs, workflowId, { plain: ctx.json() || !process.stderr.isTTY });
  try {
    reportEnd(ctx, end, workflowId);
  } catch (err) {
    // The sample file asks the emulator to fail a few requests, to show outcomes and retry rounds: that is the demo
    // going as planned, not a reason for the main command to exit non-zero.
    if (!(stack.usingEmulator && isSample(requests) && end.outcome === 'COMPLETED with errors')) throw err;
    console.error(
      '(The sample asks the emulator to fail those requests on purpose: see `[emulator:…]` in its prompts.)',
    );
  } finally {
    if (options.keepUi) {
      console.error(`\nThe Web UI stays up at ${stack.webUi}; Ctrl-C stops it.`);
      await new Promise<void>((r) => process.once('SIGINT', r));
    }
  }
}
