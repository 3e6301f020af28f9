import { EXIT_USAGE, type ExitCode } from './exit-codes';

/**
 * A failure the CLI explains in one line and ends with `exitCode`, rather than a stack trace. Thrown
 * anywhere below `run`, which prints it.
 */
export class CliError extends Error {
  override readonly name = 'CliError';

  constructor(
    message: string,
    /** The code the process exits with. */
    readonly exitCode: ExitCode,
    /** The command whose `--help` would help (`''` for the top level); none for a failure that is not misuse. */
    readonly helpCommand?: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** Bad usage (exit code 2), with a pointer to the command's `--help`. */
export function usageError(message: string, command?: string, options?: ErrorOptions): CliError {
  return new CliError(message, EXIT_USAGE, command ?? '', options);
}
