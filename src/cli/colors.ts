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

const plain = (text: string) => text;
const style = (open: number, close: number) => (text: string) => `\u001b[${open}m${text}\u001b[${close}m`;

/**
 * Colours for a stream: only on a terminal, never with `NO_COLOR` set to anything but the empty string
 * (https://no-color.org) or on a `TERM=dumb` terminal, so piped output and CI logs stay plain text.
 */
export function colorsFor(isTTY: boolean, env: CliIo['env']): Colors {
  const enabled = isTTY && (env.NO_COLOR ?? '') === '' && env.TERM !== 'dumb';
  if (!enabled) return { red: plain, green: plain, yellow: plain, cyan: plain, dim: plain, bold: plain };
  return {
    red: style(31, 39),
    green: style(32, 39),
    yellow: style(33, 39),
    cyan: style(36, 39),
    dim: style(2, 22),
    bold: style(1, 22),
  };
}
