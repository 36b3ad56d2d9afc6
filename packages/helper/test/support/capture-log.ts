/**
 * @module test/support/capture-log
 * A writable stream that keeps every chunk written to it as a line of text, for giving a logger as its
 * destination so tests can check what was — and was not — logged.
 */
import { Writable } from 'node:stream';

/**
 * A stream and the lines written to it so far (the array fills as the stream is written).
 * @example
 * ```ts
 * const log = captureLines();
 * const logger = createLogger({ level: 'info', destination: log.stream });
 * ```
 */
export function captureLines(): { stream: Writable; lines: string[] } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { stream, lines };
}
