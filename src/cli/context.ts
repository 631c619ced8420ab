// What every command needs from the command line as a whole (as `gh`'s Factory): the output mode, how to print,
// where the Web UI is and how to reach Temporal. Built once in main.ts and handed to each command.
import type { Command } from 'commander';
import { Client, Connection } from '@temporalio/client';
import { BatchJobClient } from '../client';
import { temporalSettingsFromEnv } from '../connection';
import { CliError, EXIT } from './exit-codes';
import { webUiLink } from './format';

export { UserError } from './exit-codes';

export interface CliContext {
  /** --json: machine-readable output. */
  json(): boolean;
  /** Prints the human text, or the data as JSON with --json. */
  print(human: string, data: unknown): void;
  /** The job's page in the Web UI. */
  jobLink(workflowId: string): string;
  /** Where Temporal is, as the flags and environment say. */
  server(): { address: string; namespace: string };
  /** A client of that server; an unreachable one is an error that names it. */
  connect(): Promise<BatchJobClient>;
}

/** The connection flags every command takes: they override the environment the Temporal CLI reads. */
export interface ConnectionFlags {
  address?: string;
  namespace?: string;
  uiUrl?: string;
}

export function addConnectionOptions(program: Command): Command {
  return program
    .option('--address <host:port>', 'Temporal frontend (default: TEMPORAL_ADDRESS, else localhost:7233)')
    .option('--namespace <ns>', 'Temporal namespace (default: TEMPORAL_NAMESPACE, else default)')
    .option('--ui-url <url>', 'Temporal Web UI, for links (default: TEMPORAL_UI_URL, else next to the address)')
    .hook('preAction', (cmd) => {
      // Into the environment, so the worker and the client read them as the Temporal CLI's own variables.
      const flags = cmd.opts<ConnectionFlags>();
      if (flags.address) process.env.TEMPORAL_ADDRESS = flags.address;
      if (flags.namespace) process.env.TEMPORAL_NAMESPACE = flags.namespace;
      if (flags.uiUrl) process.env.TEMPORAL_UI_URL = flags.uiUrl;
    });
}

/**
 * The Web UI of the server at `address`: the Temporal CLI's dev server serves it on the gRPC port plus 1000 (7233 →
 * 8233), which is also where `claude-batch dev` puts it by default.
 */
export function webUiFor(address: string): string {
  const m = /^(.*):(\d+)$/.exec(address);
  if (!m) return 'http://localhost:8233';
  const host = m[1] === '0.0.0.0' || m[1] === '' ? 'localhost' : m[1]!;
  return `http://${host}:${Number(m[2]) + 1000}`;
}

export function cliContext(program: Command): CliContext {
  const json = () => Boolean(program.opts<{ json?: boolean }>().json);
  const server = () => {
    const settings = temporalSettingsFromEnv(process.env);
    return { address: settings.connectionOptions.address ?? 'localhost:7233', namespace: settings.namespace };
  };
  return {
    json,
    print: (human, data) => console.log(json() ? JSON.stringify(data, null, 2) : human),
    jobLink: (id) => {
      const { address, namespace } = server();
      return webUiLink(process.env.TEMPORAL_UI_URL || webUiFor(address), id, namespace);
    },
    server,
    async connect() {
      const settings = temporalSettingsFromEnv(process.env);
      const { address, namespace } = server();
      try {
        const connection = await Connection.connect({ ...settings.connectionOptions, connectTimeout: 5_000 });
        return new BatchJobClient(new Client({ connection, namespace }), settings.taskQueue);
      } catch (err) {
        throw new CliError(
          `cannot reach Temporal at ${address} (${(err as Error).message}): start one here with \`claude-batch dev\`, or name yours with --address or TEMPORAL_ADDRESS`,
          EXIT.error,
        );
      }
    },
  };
}
