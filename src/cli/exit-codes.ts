// The CLI's exit-code policy (documented in the README's CLI section) and the errors that carry a code.

/** The exit codes of every command. */
export const EXIT = {
  /** Done, and every request of the job succeeded. */
  ok: 0,
  /** Anything else that went wrong: the job failed or was terminated, the server could not be reached… */
  error: 1,
  /** Bad input: a flag, a requests file, an id; nothing was started. */
  badInput: 2,
  /** The job finished, but not every request succeeded (errored, expired, or canceled with the job). */
  requestsFailed: 3,
  /** The job is still running (`results` without `--wait`). */
  running: 4,
} as const;

/** A failure the CLI reports as one sentence on stderr, with the exit code it ends with. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
    /** The command already printed its --json document (a job's end, with its outcome): print no other. */
    readonly jsonPrinted = false,
  ) {
    super(message);
  }
}

/** A mistake the user can fix: printed as one sentence, no stack trace. */
export class UserError extends CliError {
  constructor(message: string) {
    super(message, EXIT.badInput);
  }
}
