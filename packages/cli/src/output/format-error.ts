/**
 * @module output/format-error
 * How an error reads on stderr: `error: <message> (<CODE>)`, then `hint: ...` when one helps.
 */
import { maskSecrets } from '../lib/mask.js';
import type { MlaasError } from '../lib/errors.js';

/**
 * The lines printed for an error.
 *
 * @example
 * ```ts
 * formatError(new MlaasError('SERVICE_NOT_FOUND', 'no service "x"', { hint: 'did you mean ...' }));
 * // 'error: no service "x" (SERVICE_NOT_FOUND)\nhint: did you mean ...\n'
 * ```
 */
export function formatError(error: MlaasError): string {
  const requestId = error.requestId ? ` [request ${error.requestId}]` : '';
  let text = `error: ${maskSecrets(oneLine(error.message))} (${error.code})${requestId}\n`;
  if (error.hint) text += `hint: ${oneLine(error.hint)}\n`;
  return text;
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}
