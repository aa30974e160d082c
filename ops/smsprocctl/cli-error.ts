/** Exit codes of smsprocctl (docs/smsprocctl.md). */
export const ExitCode = {
  ok: 0,
  /** The store failed or something unexpected happened. */
  failure: 1,
  /** Bad usage or input: an invalid value, file or configuration; nothing was changed. */
  invalid: 2,
  /** A named client, route, prefix or token does not exist. */
  notFound: 3,
  /** The object already exists (e.g. `client add` of an existing id). */
  conflict: 4,
  /** The object's state does not allow the change (cancel a message already sent, resend a delivered one). */
  refused: 5,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** An error the CLI reports as it is, with every problem listed and its exit code. */
export class CliError extends Error {
  readonly exitCode: ExitCode;
  readonly problems: readonly string[];
  constructor(message: string, exitCode: ExitCode, problems: readonly string[] = []) {
    super(message);
    this.name = 'CliError';
    this.exitCode = exitCode;
    this.problems = problems;
  }
}

export function invalid(message: string, problems: readonly string[] = []): CliError {
  return new CliError(message, ExitCode.invalid, problems);
}

export function notFound(kind: string, id: string): CliError {
  return new CliError(`${kind} "${id}" does not exist`, ExitCode.notFound);
}
