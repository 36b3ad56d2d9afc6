/**
 * @module lib/errors
 * The one error type of the CLI and SDK: the helper's error codes plus the codes of failures that happen on
 * this side (not signed in, network, unexpected responses, usage). The CLI turns codes into exit codes in
 * `main`; nothing else does.
 */
import type { ErrorCode } from '@mlaas/contract';

/** Failures detected by the client itself, not answered by the helper. */
export type ClientErrorCode =
  /** No usable sign-in: not signed in, session expired or revoked, and no way to sign in without asking. */
  | 'AUTH_REQUIRED'
  /** The identity provider refused the sign-in (wrong password, denied consent, expired device code). */
  | 'AUTH_FAILED'
  /** The browser sign-in did not come back to the loopback callback in time. */
  | 'LOGIN_TIMEOUT'
  /** A server could not be reached (DNS, refused connection, TLS). */
  | 'NETWORK_ERROR'
  /** A server did not answer in time. */
  | 'TIMEOUT'
  /** A server answered something that does not match the API contract. */
  | 'INVALID_RESPONSE'
  /** A setting (flag, environment, config file) is malformed or unsafe. */
  | 'INVALID_SETTING'
  /** The command line is wrong (unknown option, missing argument). */
  | 'USAGE_ERROR'
  /** The user cancelled (Ctrl-C at a prompt). */
  | 'CANCELLED'
  /** Tokens could not be read or written. */
  | 'STORAGE_ERROR';

/** Every code an {@link MlaasError} can carry: the helper's ({@link ErrorCode}) and the client's. */
export type MlaasErrorCode = ErrorCode | ClientErrorCode;

/** Options of {@link MlaasError}. */
export interface MlaasErrorOptions {
  /** HTTP status of the helper's answer, when the error came from one. */
  status?: number;
  /** The helper's `X-Request-Id`, to quote to operators. */
  requestId?: string;
  /** One line telling the user what to do next. */
  hint?: string;
  /** The underlying error. */
  cause?: unknown;
}

/**
 * An error with a stable code. Helper errors keep the helper's code, message and request id.
 *
 * @example
 * ```ts
 * try {
 *   await client.initService({ id: 'nope' });
 * } catch (error) {
 *   if (error instanceof MlaasError && error.code === 'SERVICE_NOT_FOUND') console.error(error.hint);
 * }
 * ```
 */
export class MlaasError extends Error {
  readonly code: MlaasErrorCode;
  readonly status: number | undefined;
  readonly requestId: string | undefined;
  hint: string | undefined;

  constructor(code: MlaasErrorCode, message: string, options: MlaasErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'MlaasError';
    this.code = code;
    this.status = options.status;
    this.requestId = options.requestId;
    this.hint = options.hint;
  }
}

/**
 * Whether a value is an {@link MlaasError} (optionally with one of the given codes).
 *
 * @example
 * ```ts
 * if (isMlaasError(error, 'AUTH_REQUIRED', 'INVALID_TOKEN')) console.error('sign in with: mlaas login');
 * ```
 */
export function isMlaasError(value: unknown, ...codes: MlaasErrorCode[]): value is MlaasError {
  return value instanceof MlaasError && (codes.length === 0 || codes.includes(value.code));
}
