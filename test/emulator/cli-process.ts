// `npm run emulator` as a child process, for tests of its flags: started on a free port, stopped with SIGTERM.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import Anthropic from '@anthropic-ai/sdk';

const main = join(__dirname, '..', '..', 'src', 'emulator', 'main.ts');

export interface CliEmulator {
  client: Anthropic;
  stop(): Promise<void>;
}

export async function startCliEmulator(flags: string[]): Promise<CliEmulator> {
  const child = spawn(process.execPath, ['--import', 'tsx', main, '--port', '0', '--api-key', 'cli-key', ...flags], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let url: string | undefined;
  for await (const line of createInterface({ input: child.stdout })) {
    url ??= /emulator on (http:\/\/\S+)/.exec(line)?.[1];
    if (line.startsWith('Batches are kept')) break;
  }
  if (!url) {
    child.kill('SIGTERM');
    throw new Error('the emulator did not print its URL');
  }
  return {
    client: new Anthropic({ baseURL: url, apiKey: 'cli-key', maxRetries: 0 }),
    async stop() {
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    },
  };
}
