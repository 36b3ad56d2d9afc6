/**
 * @module output/spinner
 * A one-line progress indicator on stderr while the CLI waits (browser callback, device-code polling, slow
 * calls). Only on a terminal: redirected stderr gets no control characters.
 * Kept instead of yocto-spinner/nanospinner: it loads on every `services list`, whose start-up must stay within 2x `node -e 0` (~16 ms of headroom measured); it costs nothing measurable against +16.4/+8.2 ms CPU (bench/cli-module-load.sh).
 */

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
const FRAME_MS = 80;

/** A running spinner. */
export interface Spinner {
  /** Clears the line. */
  stop(): void;
}

/** Options of {@link startSpinner}. */
export interface SpinnerOptions {
  /** Show nothing until this much time has passed (quick calls never flicker). */
  delayMs?: number;
}

/**
 * Starts a spinner on a stream; a no-op unless the stream is a terminal.
 *
 * @example
 * ```ts
 * const spinner = startSpinner(process.stderr, 'Waiting for the browser…');
 * try { await wait(); } finally { spinner.stop(); }
 * ```
 */
export function startSpinner(
  stream: NodeJS.WritableStream & { isTTY?: boolean },
  text: string,
  options: SpinnerOptions = {},
): Spinner {
  if (stream.isTTY !== true) {
    return { stop: () => undefined };
  }
  let frame = 0;
  let shown = false;
  const draw = () => {
    shown = true;
    stream.write(`\r\u001b[2K${FRAMES[frame % FRAMES.length]} ${text}`);
    frame += 1;
  };
  let interval: NodeJS.Timeout | undefined;
  const begin = () => {
    draw();
    interval = setInterval(draw, FRAME_MS);
    interval.unref();
  };
  const delay = options.delayMs ?? 0;
  const starter = delay > 0 ? setTimeout(begin, delay) : undefined;
  starter?.unref();
  if (delay <= 0) begin();
  return {
    stop() {
      if (starter) clearTimeout(starter);
      if (interval) clearInterval(interval);
      if (shown) stream.write('\r\u001b[2K');
    },
  };
}

/**
 * Runs a promise with a delayed spinner.
 *
 * @example
 * ```ts
 * const data = await withSpinner(process.stderr, 'Loading services…', client.listServices());
 * ```
 */
export async function withSpinner<T>(
  stream: NodeJS.WritableStream & { isTTY?: boolean },
  text: string,
  work: Promise<T>,
  delayMs = 300,
): Promise<T> {
  const spinner = startSpinner(stream, text, { delayMs });
  try {
    return await work;
  } finally {
    spinner.stop();
  }
}
