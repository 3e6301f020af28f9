import { parseArgs } from 'node:util';
import { CliError, usageError } from './cli-error';
import { systemClock, type CliIo } from './cli-io';
import { colorsFor } from './colors';
import type { Command, CommandContext } from './command';
import { listenCommand } from './commands/listen';
import { migrateCommand } from './commands/migrate';
import { replayCommand } from './commands/replay';
import { replayFailedCommand } from './commands/replay-failed';
import { sendCommand } from './commands/send';
import { validateCommand } from './commands/validate';
import { EXIT_FAILED, EXIT_OK, EXIT_USAGE, type ExitCode } from './exit-codes';
import { closestName } from '../options/closest-name';
import { parseOptions } from './parse-options';
import { packageVersion } from '../package-version';

export type { CliIo, Clock } from './cli-io';
export { EXIT_FAILED, EXIT_OK, EXIT_USAGE, type ExitCode } from './exit-codes';

const COMMANDS: readonly Command[] = [sendCommand, replayCommand, validateCommand, listenCommand, replayFailedCommand, migrateCommand];

const HELP = `Usage: converc-webhooks <command> [options]

Send test events to a Converc webhook receiver, replay stored ones, validate them, or watch real
deliveries arrive.

Commands:
${COMMANDS.map((command) => `  ${command.name.padEnd(10)} ${command.summary}`).join('\n')}

Options:
  -h, --help     show this help; converc-webhooks <command> --help shows a command's
  -v, --version  print the version

Exit codes: 0 ok; 1 a delivery or a validation failed; 2 bad usage.
`;

/**
 * Runs the CLI with `argv` (the arguments after the program name) and resolves with the exit code:
 * 0 when everything asked was done, 1 when a delivery or a validation failed, 2 on bad usage. It
 * never exits the process nor touches it, so tests call it directly with a fake `io`.
 *
 * @example
 * ```ts
 * const out: string[] = [];
 * const code = await run(['send', 'call.ended', '--url', url, '--json'], {
 *   stdout: (text) => out.push(text),
 *   stderr: () => undefined,
 *   env: {},
 *   isTTY: false,
 * });
 * ```
 */
export async function run(argv: readonly string[], io: CliIo): Promise<ExitCode> {
  const context = contextOf(io);
  try {
    const [name, ...args] = argv;
    if (name === undefined) {
      io.stderr(HELP);
      return EXIT_USAGE;
    }
    if (name === 'help') return showHelp(args, context);
    if (name.startsWith('-')) return topLevelOptions(argv, context);
    const command = COMMANDS.find((candidate) => candidate.name === name);
    if (command === undefined) {
      const names = COMMANDS.map((c) => c.name);
      const nearest = closestName(name, names);
      const guess = nearest === undefined ? '' : ` Did you mean ${nearest}?`;
      throw usageError(`unknown command ${JSON.stringify(name)}.${guess} Commands: ${names.join(', ')}`);
    }
    // `--help` anywhere before `--` shows the command's help, whatever else is on the line.
    const beforeEnd = args.includes('--') ? args.slice(0, args.indexOf('--')) : args;
    if (beforeEnd.includes('--help') || beforeEnd.includes('-h')) {
      context.io.stdout(command.help);
      return EXIT_OK;
    }
    return await command.run(args, context);
  } catch (error) {
    return report(error, context);
  }
}

function contextOf(io: CliIo): CommandContext {
  const stderrIsTTY = io.stderrIsTTY ?? io.isTTY;
  return {
    io,
    out: (line) => {
      io.stdout(`${line}\n`);
    },
    err: (line) => {
      io.stderr(`${line}\n`);
    },
    color: colorsFor(io.isTTY, io.env),
    errColor: colorsFor(stderrIsTTY, io.env),
    clock: io.clock ?? systemClock,
  };
}

function topLevelOptions(argv: readonly string[], context: CommandContext): ExitCode {
  const { values } = parseOptions('', () =>
    parseArgs({
      args: [...argv],
      options: { help: { type: 'boolean', short: 'h' }, version: { type: 'boolean', short: 'v' } },
      strict: true,
    }),
  );
  if (values.version === true) context.out(packageVersion());
  else context.io.stdout(HELP);
  return EXIT_OK;
}

function showHelp(args: readonly string[], context: CommandContext): ExitCode {
  const [name] = args;
  const command = COMMANDS.find((candidate) => candidate.name === name);
  if (name !== undefined && command === undefined) {
    throw usageError(`no help for ${JSON.stringify(name)}: no such command`);
  }
  context.io.stdout(command === undefined ? HELP : command.help);
  return EXIT_OK;
}

function report(error: unknown, context: CommandContext): ExitCode {
  const { err, errColor } = context;
  if (error instanceof CliError) {
    err(`${errColor.red('error:')} ${error.message}`);
    if (error.helpCommand !== undefined) {
      const command = error.helpCommand === '' ? 'converc-webhooks' : `converc-webhooks ${error.helpCommand}`;
      err(errColor.dim(`Run '${command} --help' for usage.`));
    }
    return error.exitCode;
  }
  // A bug, not a user's mistake: the stack is what a bug report needs.
  const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
  err(`${errColor.red('unexpected error:')} ${detail}`);
  return EXIT_FAILED;
}
