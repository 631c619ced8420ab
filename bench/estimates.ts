// `npm run bench:estimates`: what a job estimates before it sends anything (ceiling at max_tokens, expected figure)
// beside what it then costs, for three job shapes, run as real jobs on the time-skipping server and the emulator.
import { batchJob } from '../src/workflows';
import { progressQuery } from '../src/shared/messages';
import { jobEnv, request } from '../test/support/job-env';
import { startTimeSkippingServer } from '../test/support/temporal';

const SHAPES = [
  {
    name: 'short questions, max_tokens 256',
    count: 500,
    text: 'What is the capital of country number',
    maxTokens: 256,
  },
  {
    name: 'long documents (~8 KB), max_tokens 1024',
    count: 200,
    text: 'Summarise this report. ' + 'The quarterly figures rose in every region we track. '.repeat(150),
    maxTokens: 1024,
  },
  { name: 'one-liners, max_tokens 4096', count: 500, text: 'Say hello to', maxTokens: 4096 },
];

const usd = (n: number) => `$${n.toFixed(4)}`;

async function main(): Promise<void> {
  const env = await startTimeSkippingServer();
  const job = await jobEnv(env);
  try {
    console.log(
      'job shape                                   requests  ceiling    expected   actual     actual/ceiling',
    );
    for (const [i, shape] of SHAPES.entries()) {
      const lines = Array.from({ length: shape.count }, (_, n) =>
        request(`r-${n}`, `${shape.text} ${n}`, { max_tokens: shape.maxTokens }),
      );
      const requests = await job.writeRequests(`shape-${i}.jsonl`, lines);
      const { progress, actual } = await job.withWorker(async () => {
        const handle = await env.client.workflow.start(batchJob, {
          args: [{ requests }],
          taskQueue: job.taskQueue,
          workflowId: `estimate-shape-${i}`,
        });
        const { summary } = await handle.result();
        return { progress: await handle.query(progressQuery), actual: summary.cost.batchUsd };
      });
      const estimate = progress.budget?.estimate;
      if (!estimate) throw new Error('the job showed no estimate');
      console.log(
        `${shape.name.padEnd(44)}${String(estimate.requests).padStart(8)}  ${usd(estimate.ceilingUsd).padEnd(9)}  ${usd(estimate.expectedUsd).padEnd(9)}  ${usd(actual).padEnd(9)}  ${(actual / estimate.ceilingUsd).toFixed(3)}`,
      );
    }
    console.log(
      '(claude-sonnet-4-5 at batch prices; the emulator answers with a short summary, so output stays far under max_tokens)',
    );
  } finally {
    await job.close();
    await env.teardown();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
