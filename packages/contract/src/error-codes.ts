/**
 * @module error-codes
 * The closed set of error codes the helper answers with, and the HTTP status each one maps to.
 * The helper translates codes to statuses at its edge; the CLI and SDK map them to exit codes.
 */

/** Every error code of the MLaaS helper API with its HTTP status. */
export const ERROR_STATUS = {
  VALIDATION_ERROR: 400,
  MISSING_AUTH: 401,
  INVALID_TOKEN: 401,
  FORBIDDEN: 403,
  NOT_ENTITLED: 403,
  ACCOUNT_NOT_FOUND: 404,
  SERVICE_NOT_FOUND: 404,
  NOT_FOUND: 404,
  KEY_NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  NO_PLANS_FOUND: 409,
  NOT_ROTATABLE: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  REQUEST_TIMEOUT: 408,
  RATE_LIMITED: 429,
  REQUEST_HEADER_TOO_LARGE: 431,
  INTERNAL_ERROR: 500,
  CONFIG_ERROR: 500,
  UPSTREAM_ERROR: 502,
  NOT_READY: 503,
  UPSTREAM_UNAVAILABLE: 503,
  UPSTREAM_TIMEOUT: 504,
} as const;

/** A code from {@link ERROR_STATUS}. */
export type ErrorCode = keyof typeof ERROR_STATUS;

/** All error codes, in a stable order. */
export const ERROR_CODES = Object.keys(ERROR_STATUS) as ErrorCode[];

/**
 * Whether a string is one of the API's error codes.
 * @example isErrorCode('INVALID_TOKEN') // true
 */
export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(ERROR_STATUS, value);
}
