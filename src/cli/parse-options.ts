import { usageError } from './cli-error';

/**
 * Runs `util.parseArgs` (inside `parse`) and turns its errors into usage errors: an unknown option or
 * a missing value is bad usage (exit code 2), not a crash.
 */
export function parseOptions<R>(command: string, parse: () => R): R {
  try {
    return parse();
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS_')) {
      const full = (error as Error).message.replace(/\s*\n\s*/g, ' ');
      // For an unknown option Node goes on about `--` and positionals; the first sentence is the point.
      const message = code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' ? (full.split(/\.\s/)[0] ?? full) : full;
      throw usageError(message, command, { cause: error });
    }
    throw error;
  }
}

/** A whole number of at least `min`, or a usage error naming `option`. */
export function integerOption(
  value: string,
  option: string,
  command: string,
  min: number,
  max = Number.MAX_SAFE_INTEGER,
): number {
  const number = /^\d+$/.test(value.trim()) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(number) || number < min || number > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `at least ${min}` : `from ${min} to ${max}`;
    throw usageError(`${option} must be a whole number ${range}, got ${JSON.stringify(value)}`, command);
  }
  return number;
}

/** A number above zero, or a usage error naming `option`. */
export function positiveNumberOption(value: string, option: string, command: string): number {
  const number = value.trim() === '' ? Number.NaN : Number(value);
  if (!Number.isFinite(number) || number <= 0) {
    throw usageError(`${option} must be a number above 0, got ${JSON.stringify(value)}`, command);
  }
  return number;
}

/** `--header 'Name: value'` values as an object; a usage error for one without a colon. */
export function headerOptions(values: readonly string[] | undefined, command: string): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const value of values ?? []) {
    const colon = value.indexOf(':');
    const name = colon < 0 ? '' : value.slice(0, colon).trim();
    if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) {
      throw usageError(`--header must look like 'Name: value', got ${JSON.stringify(value)}`, command);
    }
    headers[name] = value.slice(colon + 1).trim();
  }
  return headers;
}
