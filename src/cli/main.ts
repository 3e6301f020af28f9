#!/usr/bin/env node
import { run } from './run';

// The bin entry point: everything else is in run(), which tests call directly. Ctrl-C (or SIGTERM)
// asks the running command to stop cleanly; a second Ctrl-C kills as usual, since `once` has then
// removed the listener.
const controller = new AbortController();
// At run time isTTY is undefined, not false, on a stream that is not a terminal.
const isTerminal = (stream: { isTTY?: boolean }) => stream.isTTY === true;
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => { controller.abort(); });

run(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  env: process.env,
  isTTY: isTerminal(process.stdout),
  stderrIsTTY: isTerminal(process.stderr),
  // Lazily: only `validate -` reads standard input.
  stdin: { [Symbol.asyncIterator]: () => process.stdin[Symbol.asyncIterator]() },
  signal: controller.signal,
}).then(
  (code) => {
    // exitCode, not exit(): stdout may still be flushing to a pipe.
    process.exitCode = code;
    // Nothing else should be running now; should a socket linger, do not hang the shell.
    setTimeout(() => process.exit(code), 1000).unref();
  },
  (error: unknown) => {
    process.stderr.write(`${String(error)}\n`);
    process.exitCode = 1;
  },
);
