/**
 * @module output/style
 * Bold text on a colour terminal; plain text otherwise or when NO_COLOR is set (no-color.org).
 */
import type { Env } from '../config/paths.js';

/** Text styles for one output stream. */
export interface Style {
  bold(text: string): string;
  /** Green, yellow or red text (a bar filling up); plain where bold is. */
  color(text: string, color: 'green' | 'yellow' | 'red'): string;
}

const COLOR_CODES = { green: 32, yellow: 33, red: 31 } as const;

/**
 * Styles for a stream: ANSI only on a TTY, without NO_COLOR, and not for TERM=dumb.
 *
 * @example
 * ```ts
 * const style = createStyle(process.stdout, process.env);
 * process.stdout.write(style.bold('NAME'));
 * ```
 */
export function createStyle(stream: { isTTY?: boolean }, env: Env): Style {
  const on = stream.isTTY === true && !env.NO_COLOR && env.TERM !== 'dumb';
  return {
    bold: (text) => (on ? `\u001b[1m${text}\u001b[22m` : text),
    color: (text, color) => (on ? `\u001b[${COLOR_CODES[color]}m${text}\u001b[39m` : text),
  };
}
