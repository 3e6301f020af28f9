import type { Clock, CliIo } from './cli-io';
import type { Colors } from './colors';
import type { ExitCode } from './exit-codes';

/** What a command runs with: the io, plus what `run` derives from it once. */
export interface CommandContext {
  readonly io: CliIo;
  /** Writes one line to standard output. */
  readonly out: (line: string) => void;
  /** Writes one line to standard error. */
  readonly err: (line: string) => void;
  /** Colours for standard output. */
  readonly color: Colors;
  /** Colours for standard error. */
  readonly errColor: Colors;
  readonly clock: Clock;
}

/** One subcommand of the CLI. */
export interface Command {
  readonly name: string;
  /** One line, for the top-level help. */
  readonly summary: string;
  /** The text `--help` prints. */
  readonly help: string;
  /** Runs the command with the arguments after its name; throws a `CliError` to fail with a message. */
  readonly run: (args: readonly string[], context: CommandContext) => Promise<ExitCode>;
}
