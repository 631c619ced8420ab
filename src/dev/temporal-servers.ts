import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** Where scripts/setup caches the Temporal CLI and the test server (git-ignored). */
export const toolsDir = process.env.CLAUDE_BATCH_TOOLS_DIR ?? resolve(__dirname, '..', '..', '.tools');
const projectRoot = resolve(__dirname, '..', '..');

function firstExisting(paths: string[]): string | undefined {
  return paths.find((p) => existsSync(p));
}

function onPath(name: string): string | undefined {
  return firstExisting((process.env.PATH ?? '').split(':').map((dir) => join(dir, name)));
}

/** The Temporal CLI (`temporal server start-dev`): TEMPORAL_CLI_PATH, the project's build, or one on PATH. */
export function temporalCliPath(): string | undefined {
  const fromEnv = process.env.TEMPORAL_CLI_PATH;
  if (fromEnv) return fromEnv;
  return firstExisting([join(toolsDir, 'bin', 'temporal')]) ?? onPath('temporal');
}

/** The launcher of the Java time-skipping test server, usable only once scripts/setup fetched its class path. */
export function testServerPath(): string | undefined {
  const fromEnv = process.env.TEMPORAL_TEST_SERVER_PATH;
  if (fromEnv) return fromEnv;
  if (!existsSync(join(toolsDir, 'test-server', 'lib'))) return undefined;
  return join(projectRoot, 'tools', 'test-server', 'temporal-test-server');
}

/**
 * How @temporalio/testing should start a server: the offline, project-installed binary when present, else the SDK's
 * own download (which needs internet, so only on a machine that has it).
 */
export type ServerExecutable = { type: 'existing-path'; path: string } | { type: 'cached-download' };

function executable(path: string | undefined): ServerExecutable {
  return path ? { type: 'existing-path', path } : { type: 'cached-download' };
}

export const devServerExecutable = (): ServerExecutable => executable(temporalCliPath());
export const timeSkippingServerExecutable = (): ServerExecutable => executable(testServerPath());
