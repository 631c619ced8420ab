// The worker of the end-to-end bench, in its own process so its CPU time and peak RSS are its own:
// `tsx bench/end-to-end-worker.ts <temporal address> <task queue> <API url> <workflow bundle path>`, forked with IPC.
// Sends `{ ready: true }` once polling; answers a `sample` message with its CPU time so far and RSS now
// (`WorkerSample`), and a `stop` message by shutting down and sending its figures (`WorkerFigures`).
import Anthropic from '@anthropic-ai/sdk';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { createBatchWorker } from '../src/worker';
import { peakRssOf, rssOf } from './peak-rss';

export interface WorkerFigures {
  /** CPU time from ready to shut down. */
  cpuSeconds: number;
  peakRssMb: number;
  /** Start of the process to the worker polling its task queue. */
  readySeconds: number;
}

export interface WorkerSample {
  /** CPU time since ready. */
  cpuSeconds: number;
  rssMb: number;
}

async function main(): Promise<void> {
  const [address, taskQueue, apiUrl, bundlePath] = process.argv.slice(2);
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const connection = await NativeConnection.connect({ address: address! });
  const worker = await createBatchWorker({
    connection,
    taskQueue: taskQueue!,
    anthropic: new Anthropic({ apiKey: 'bench', baseURL: apiUrl! }),
    workflowBundle: { codePath: bundlePath! },
  });
  const running = worker.run();
  const readySeconds = process.uptime();
  const cpuAtReady = process.cpuUsage();
  const cpuSince = () => {
    const cpu = process.cpuUsage(cpuAtReady);
    return (cpu.user + cpu.system) / 1e6;
  };
  process.on('message', (message) => {
    if (message !== 'sample') return worker.shutdown();
    const sample: WorkerSample = { cpuSeconds: cpuSince(), rssMb: rssOf('self') / 1e6 };
    process.send!(sample);
  });
  process.send!({ ready: true });
  await running;
  await connection.close();
  // The job's own CPU: from ready to shut down (the start, loading modules, is the idle row's concern).
  const figures: WorkerFigures = {
    cpuSeconds: cpuSince(),
    peakRssMb: peakRssOf('self') / 1e6,
    readySeconds,
  };
  process.send!(figures, () => process.exit(0));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
