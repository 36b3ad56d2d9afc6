/**
 * @module errors/helper-error
 * The one error type of the helper. Every failure a user can see is a `HelperError` with a code from the
 * contract; the HTTP edge turns the code into a status and an envelope, nothing else does.
 */
import type { ErrorCode } from '@mlaas/contract';

/** A problem with one input field, reported in `error.details`. */
export interface FieldProblem {
  field: string;
  problem: string;
}

export interface HelperErrorOptions {
  cause?: unknown;
  details?: FieldProblem[];
  /** For RATE_LIMITED and UPSTREAM_UNAVAILABLE: seconds the client should wait. */
  retryAfterSeconds?: number;
}

/**
 * An error a user of the API is meant to see: its `message` is safe to return (no secrets, no internals).
 * @example throw new HelperError('SERVICE_NOT_FOUND', 'No ML service has the id "42".');
 */
export class HelperError extends Error {
  readonly code: ErrorCode;
  readonly details: FieldProblem[] | undefined;
  readonly retryAfterSeconds: number | undefined;

  constructor(code: ErrorCode, message: string, options: HelperErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'HelperError';
    this.code = code;
    this.details = options.details;
    this.retryAfterSeconds = options.retryAfterSeconds;
  }
}

/** Whether a value is an {@link HelperError}, optionally with a given code. */
export function isHelperError(value: unknown, code?: ErrorCode): value is HelperError {
  return value instanceof HelperError && (code === undefined || value.code === code);
}
