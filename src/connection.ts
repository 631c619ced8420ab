import { loadClientConnectConfig } from '@temporalio/envconfig';
import type { NativeConnectionOptions } from '@temporalio/worker';
import { DEFAULT_TASK_QUEUE } from './shared/job';

/** Where Temporal is, read the way the Temporal CLI reads it (TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, profiles, TLS). */
export interface TemporalSettings {
  connectionOptions: NativeConnectionOptions;
  namespace: string;
  taskQueue: string;
}

/** The environment without unset variables, as @temporalio/envconfig takes it. */
export function definedEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined));
}

export function temporalSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): TemporalSettings {
  const config = loadClientConnectConfig({ overrideEnvVars: definedEnv(env) });
  return {
    connectionOptions: { address: 'localhost:7233', ...config.connectionOptions },
    namespace: config.namespace ?? 'default',
    taskQueue: env.CLAUDE_BATCH_TASK_QUEUE ?? DEFAULT_TASK_QUEUE,
  };
}
