import { z } from 'zod';

const UNITS: Readonly<Record<string, number>> = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 };

/**
 * A size in bytes from a number of bytes or a string such as `'5mb'`, `'512kb'` or `'1.5 MB'`
 * (units of 1024, as body-parser reads them); `undefined` for anything else.
 */
function bytesOf(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isSafeInteger(value) && value > 0 ? value : undefined;
  if (typeof value !== 'string') return undefined;
  const match = /^\s*(\d+(?:\.\d+)?)\s*(b|kb|mb|gb)?\s*$/i.exec(value);
  const amount = match?.[1];
  if (amount === undefined) return undefined;
  const bytes = Math.floor(Number(amount) * (UNITS[(match?.[2] ?? 'b').toLowerCase()] ?? 1));
  return bytes > 0 ? bytes : undefined;
}

/** A size option (`limit`): a number of bytes or a string such as `'5mb'`, checked and turned into bytes. */
export const byteSizeSchema = z.unknown().transform((value, ctx) => {
  const bytes = bytesOf(value);
  if (bytes !== undefined) return bytes;
  ctx.issues.push({ code: 'custom', input: value, message: `must be a positive number of bytes or a size such as '5mb', got ${JSON.stringify(value)}` });
  return z.NEVER;
});
