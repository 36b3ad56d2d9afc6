/**
 * @module cli/io
 * The process's streams and environment as one value, so commands can be run with fakes, and the two
 * questions every command asks: may I prompt, and is there a display for a browser?
 */
import { isatty } from 'node:tty';
import type { Env } from '../config/paths.js';

/** An output stream with the TTY facts the CLI looks at. */
export type OutputStream = NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
/** The input stream, raw mode included when it is a terminal. */
export type InputStream = NodeJS.ReadableStream & { isTTY?: boolean; setRawMode?: (mode: boolean) => unknown };

/** Streams and environment of a CLI run. */
export interface Io {
  stdin: InputStream;
  /** Whether stdin is a terminal, when that is known without opening stdin; otherwise `stdin.isTTY` is read. */
  stdinIsTTY?: boolean;
  stdout: OutputStream;
  stderr: OutputStream;
  env: Env;
  platform: NodeJS.Platform;
}

/**
 * The real process's {@link Io}.
 *
 * @example
 * ```ts
 * const code = await main(process.argv.slice(2), processIo());
 * ```
 */
export function processIo(): Io {
  return {
    // Reading process.stdin creates its stream, which only prompts and --password-stdin need.
    get stdin() {
      return process.stdin;
    },
    stdinIsTTY: isatty(0),
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    platform: process.platform,
  };
}

/**
 * Whether the CLI may ask the user something: stdin is a terminal and `--no-input` was not given.
 *
 * @example
 * ```ts
 * if (!canPrompt(io, options.input)) throw new MlaasError('AUTH_REQUIRED', 'not signed in');
 * ```
 */
export function canPrompt(io: Io, inputAllowed: boolean): boolean {
  return (
    inputAllowed &&
    (io.stdinIsTTY ?? io.stdin.isTTY) === true &&
    io.env.MLAAS_NO_INPUT !== '1' &&
    io.env.MLAAS_NO_INPUT !== 'true'
  );
}

/**
 * Whether a browser can be opened here: macOS and Windows always; elsewhere a graphical session
 * (DISPLAY or WAYLAND_DISPLAY).
 *
 * @example
 * ```ts
 * const method = hasDisplay(io) ? 'browser' : 'device';
 * ```
 */
export function hasDisplay(io: Pick<Io, 'env' | 'platform'>): boolean {
  if (io.platform === 'darwin' || io.platform === 'win32') return true;
  return Boolean(io.env.DISPLAY || io.env.WAYLAND_DISPLAY);
}
