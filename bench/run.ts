// `npm run bench`: throughput and memory of the worker's bulk steps on a 100,000-request (~200 MB) file, side by side
// with this machine's JSON.parse-every-line speed; and the history size of a simulated 24 h wait. Prints figures.
import { spawnSync } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { finished } from 'node:stream/promises';
import Anthropic from '@anthropic-ai/sdk';
import type { MessageBatch } from '@anthropic-ai/sdk/resources/messages/batches';
import { startEmulator } from '../src/emulator';
import { LocalStorage, writeChunk } from '../src/storage/local-storage';
import { batchJob } from '../src/workflows';
import { jobEnv, request } from '../test/support/job-env';
import { startTimeSkippingServer } from '../test/support/temporal';

const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 100_000);
const filler = 'lorem ipsum dolor sit amet consectetur adipiscing elit '.repeat(36); // ~2 KB a request

interface Figures {
  step: string;
  seconds: number;
  mbPerSecond: number;
  peakRssMb: number;
  detail: unknown;
}

function measure(args: string[]): Figures {
  const run = spawnSync(process.execPath, ['--import', 'tsx', join(__dirname, 'measure-worker.ts'), ...args], {
    encoding: 'utf8',
    maxBuffer: 1 << 20,
  });
  if (run.status !== 0) throw new Error(`${args[0]} failed: ${run.stderr}`);
  return JSON.parse(run.stdout.trim().split('\n').pop()!) as Figures;
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'claude-batch-bench-'));
  try {
    const file = join(dir, 'requests.jsonl');
    const out = createWriteStream(file);
    for (let i = 0; i < REQUESTS; i++)
      await writeChunk(out, JSON.stringify(request(`doc-${i}`, `${i} ${filler}`)) + '\n');
    out.end();
    await finished(out);
    const output = join(dir, 'out');

    const reference = measure(['parse-reference', file]);
    const validate = measure(['validate-split', file, output]);

    const emulator = await startEmulator({ requestsPerSecond: 1_000_000 });
    let collect: Figures;
    try {
      const anthropic = new Anthropic({ apiKey: 'bench', baseURL: emulator.url });
      const body = await new LocalStorage().blob(
        join(output, '.work', 'round-1', 'chunk-0000.json'),
        'application/json',
      );
      const batch = await anthropic.post<MessageBatch>('/v1/messages/batches', {
        body,
        headers: { 'content-type': 'application/json' },
      });
      emulator.clock.advance(60 * 60 * 1000);
      collect = measure(['collect', file, output, emulator.url, batch.id]);
    } finally {
      await emulator.close();
    }

    const row = (f: Figures) =>
      `${f.step.padEnd(16)} ${f.seconds.toFixed(2).padStart(7)} s ${f.mbPerSecond.toFixed(1).padStart(8)} MB/s ${f.peakRssMb.toFixed(0).padStart(6)} MB peak RSS  ${(reference.mbPerSecond / f.mbPerSecond).toFixed(2)}x of the JSON.parse reference time`;
    console.log(`\n${REQUESTS} requests, ${(validate.mbPerSecond * validate.seconds).toFixed(0)} MB`);
    console.log(row(reference));
    console.log(row(validate));
    console.log(row(collect));

    // A job whose batch runs the whole 24 h window (ends expired), on the time-skipping server.
    const env = await startTimeSkippingServer();
    try {
      const job = await jobEnv(env, { emulator: { scenario: { neverEnds: true } } });
      try {
        const requests = await job.writeRequests('day.jsonl', [request('a', 'x')]);
        const handle = await job.withWorker(async () => {
          const h = await env.client.workflow.start(batchJob, {
            args: [{ requests, maxRetryRounds: 0 }],
            taskQueue: job.taskQueue,
            workflowId: 'bench-24h',
          });
          await h.result();
          return h;
        });
        const events = (await handle.fetchHistory()).events?.length ?? 0;
        console.log(`history of a job waiting 24 h (one run, default polling): ${events} events (target under 2,000)`);
      } finally {
        await job.close();
      }
    } finally {
      await env.teardown();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
