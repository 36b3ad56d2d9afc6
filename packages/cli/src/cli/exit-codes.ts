/**
 * @module cli/exit-codes
 * The CLI's exit codes and which error codes map to them; `main` applies them and the help text lists
 * them, both from here.
 */
import type { MlaasErrorCode } from '../lib/errors.js';

/** Exit codes of the CLI. */
export const EXIT = { ok: 0, error: 1, usage: 2, auth: 4, cancelled: 130 } as const;

/** What each exit code means, for the help text. */
export const EXIT_MEANINGS: readonly [number, string][] = [
  [EXIT.ok, 'ok'],
  [EXIT.error, 'error'],
  [EXIT.usage, 'usage'],
  [EXIT.auth, 'sign-in needed or failed'],
  [EXIT.cancelled, 'cancelled'],
];

const AUTH_CODES: ReadonlySet<MlaasErrorCode> = new Set([
  'AUTH_REQUIRED',
  'AUTH_FAILED',
  'LOGIN_TIMEOUT',
  'MISSING_AUTH',
  'INVALID_TOKEN',
]);
const USAGE_CODES: ReadonlySet<MlaasErrorCode> = new Set(['USAGE_ERROR', 'INVALID_SETTING']);

/**
 * The exit code for an error code.
 *
 * @example
 * ```ts
 * exitCodeFor('INVALID_TOKEN'); // 4
 * ```
 */
export function exitCodeFor(code: MlaasErrorCode): number {
  if (AUTH_CODES.has(code)) return EXIT.auth;
  if (USAGE_CODES.has(code)) return EXIT.usage;
  if (code === 'CANCELLED') return EXIT.cancelled;
  return EXIT.error;
}
