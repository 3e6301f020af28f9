import { styleText } from 'node:util';
import type { CliIo } from './cli-io';

/** Text styles; each is the identity when colours are off. */
export interface Colors {
  readonly red: (text: string) => string;
  readonly green: (text: string) => string;
  readonly yellow: (text: string) => string;
  readonly cyan: (text: string) => string;
  readonly dim: (text: string) => string;
  readonly bold: (text: string) => string;
}

type Format = 'red' | 'green' | 'yellow' | 'cyan' | 'dim' | 'bold';

/**
 * `util.styleText` with its options, which came in a later Node 20 release (and 22.13); an earlier
 * one ignores them and always styles. Before Node 20.12 there is no `styleText`: then no colours.
 */
const styleWith = styleText as
  | ((format: Format, text: string, options?: { validateStream?: boolean }) => string)
  | undefined;

const plain = (text: string) => text;
// validateStream: false, because the decision is made once, below, from the io the CLI was given:
// Node's own check would look at process.stdout and process.env, which are not the streams a test
// (or `main.ts` for standard error) passes in. A Node 20 without the option never checks: the same.
const style = (format: Format) => (text: string) => styleWith?.(format, text, { validateStream: false }) ?? text;

/**
 * Whether a stream gets colours, by Node's own rules (`tty.WriteStream#hasColors`, which `styleText`
 * follows): `FORCE_COLOR` decides when set (`0` or `false` turns colours off, anything else on, even
 * in a pipe); otherwise only a terminal gets them, and never with `NO_COLOR` set to anything but the
 * empty string (https://no-color.org), `NODE_DISABLE_COLORS`, or `TERM=dumb`.
 */
function colorsEnabled(isTTY: boolean, env: CliIo['env']): boolean {
  const force = env.FORCE_COLOR;
  if (force !== undefined) return force !== '0' && force !== 'false';
  const noColor = (env.NO_COLOR ?? '') !== '' || env.NODE_DISABLE_COLORS !== undefined;
  return isTTY && !noColor && env.TERM !== 'dumb';
}

/** Colours for a stream, through `util.styleText`, when {@link colorsEnabled} says so. */
export function colorsFor(isTTY: boolean, env: CliIo['env']): Colors {
  if (styleWith === undefined || !colorsEnabled(isTTY, env)) return { red: plain, green: plain, yellow: plain, cyan: plain, dim: plain, bold: plain };
  return { red: style('red'), green: style('green'), yellow: style('yellow'), cyan: style('cyan'), dim: style('dim'), bold: style('bold') };
}
