/** Time, injected so that tests of rate limiting neither wait nor depend on the machine's speed. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now: () => number;
  /** Resolves after `ms` milliseconds. */
  sleep: (ms: number) => Promise<void>;
}

/** The real clock. */
export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) =>
    new Promise((resolve) => {
      setTimeout(resolve, Math.max(0, ms));
    }),
};

/**
 * Everything the CLI touches outside itself, so that tests run it in-process: `main.ts` passes the
 * process's own streams and environment.
 */
export interface CliIo {
  /** Writes text to standard output; the CLI adds its own newlines. */
  stdout: (text: string) => void;
  /** Writes text to standard error. */
  stderr: (text: string) => void;
  /** The environment; `NO_COLOR` and `TERM` are read. */
  env: Readonly<Record<string, string | undefined>>;
  /** Whether standard output is a terminal: colours are used only then. */
  isTTY: boolean;
  /**
   * Whether standard error is a terminal: `replay`'s progress line is drawn only then.
   * @default isTTY
   */
  stderrIsTTY?: boolean;
  /**
   * Standard input, read by `validate -`.
   * @default none: `validate -` is then a usage error
   */
  stdin?: AsyncIterable<string | Uint8Array>;
  /**
   * Stops `listen` (its normal end, exit code 0) and `replay` (which sends nothing more and reports).
   * `main.ts` aborts it on SIGINT or SIGTERM.
   * @default never aborted
   */
  signal?: AbortSignal;
  /**
   * The clock used for `--rate`, durations and times.
   * @default the system clock
   */
  clock?: Clock;
}
