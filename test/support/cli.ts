import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

export const projectRoot = join(__dirname, '..', '..');

export interface CommandResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command as a user would (a real subprocess), with a bounded run time. */
export function runCommand(
  command: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number } = {},
): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd ?? projectRoot,
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Our CLI, as installed: bin/claude-batch. */
export const claudeBatch = (args: string[], env: NodeJS.ProcessEnv = {}, timeoutMs?: number) =>
  runCommand(process.execPath, [join(projectRoot, 'bin', 'claude-batch'), ...args], {
    env,
    ...(timeoutMs ? { timeoutMs } : {}),
  });

/**
 * `claude-batch dev <args>` as a user runs it (on the emulator), left running for the test to stop; resolves once the
 * stack says it is up. Everything it prints goes to `onOutput` as it comes.
 */
export async function startDevCommand(args: string[], onOutput: (text: string) => void): Promise<ChildProcess> {
  const dev = spawn(process.execPath, [join(projectRoot, 'bin', 'claude-batch'), 'dev', ...args], {
    cwd: projectRoot,
    env: { ...process.env, ANTHROPIC_API_KEY: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const take = (d: Buffer) => {
    output += d.toString();
    onOutput(d.toString());
  };
  dev.stdout.on('data', take);
  dev.stderr.on('data', take);
  const deadline = Date.now() + 90_000;
  while (!output.includes('Ctrl-C stops everything')) {
    if (dev.exitCode !== null || Date.now() > deadline) {
      dev.kill('SIGKILL');
      throw new Error(`dev did not start:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return dev;
}
