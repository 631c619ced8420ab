// What every command needs from the command line as a whole (as `gh`'s Factory): the output mode, how to print,
// where the Web UI is and how to reach Temporal. Built once in main.ts and handed to each command.
import type { Command } from 'commander';
import { BatchJobClient } from '../client';
import { webUiLink } from './format';

/** A mistake the user can fix: printed as one sentence, no stack trace. */
export class UserError extends Error {}

export interface CliContext {
  /** --json: machine-readable output. */
  json(): boolean;
  /** Prints the human text, or the data as JSON with --json. */
  print(human: string, data: unknown): void;
  /** The job's page in the Web UI. */
  jobLink(workflowId: string): string;
  /** A client of the Temporal server the flags and environment name. */
  connect(): Promise<BatchJobClient>;
}

export function cliContext(program: Command): CliContext {
  const json = () => Boolean(program.opts<{ json?: boolean }>().json);
  return {
    json,
    print: (human, data) => console.log(json() ? JSON.stringify(data, null, 2) : human),
    jobLink: (id) =>
      webUiLink(
        process.env.TEMPORAL_UI_URL ?? 'http://localhost:8233',
        id,
        process.env.TEMPORAL_NAMESPACE ?? 'default',
      ),
    connect: () => BatchJobClient.fromEnv(),
  };
}
