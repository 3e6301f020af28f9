const UNITS: Readonly<Record<string, number>> = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 };

/**
 * A size in bytes from a number of bytes or a string such as `'5mb'`, `'512kb'` or `'1.5 MB'`
 * (units of 1024, as body-parser reads them). Throws a `TypeError` naming `option` otherwise.
 */
export function parseByteSize(value: number | string, option: string): number {
  if (typeof value === 'number') {
    if (Number.isSafeInteger(value) && value > 0) return value;
  } else if (typeof value === 'string') {
    const match = /^\s*(\d+(?:\.\d+)?)\s*(b|kb|mb|gb)?\s*$/i.exec(value);
    const amount = match?.[1];
    if (amount !== undefined) {
      const bytes = Math.floor(Number(amount) * (UNITS[(match?.[2] ?? 'b').toLowerCase()] ?? 1));
      if (bytes > 0) return bytes;
    }
  }
  throw new TypeError(`${option} must be a positive number of bytes or a size such as '5mb', got ${JSON.stringify(value)}`);
}
