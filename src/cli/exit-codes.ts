/** Everything asked was done: every delivery answered 2xx, every event is valid. */
export const EXIT_OK = 0;
/** A delivery failed (a non-2xx answer, an unreachable host, a timeout) or an event is invalid. */
export const EXIT_FAILED = 1;
/** The command could not run as asked: bad arguments, a bad URL, an unreadable or malformed input file. */
export const EXIT_USAGE = 2;

/** The exit codes of the CLI; scripts may rely on them. */
export type ExitCode = typeof EXIT_OK | typeof EXIT_FAILED | typeof EXIT_USAGE;
