/**
 * @module errors
 * The one error type of the fake: a closed set of codes for problems with what a test or an operator gave
 * it (a seed, a fault) and for the outcomes of tenant operations that 3scale reports as 404/422. The HTTP
 * layer turns the latter into 3scale's bodies in one place (`http/respond`).
 */

/** Every code a {@link Fake3scaleError} can carry. */
export type Fake3scaleErrorCode =
  /** The seed (a file or an object) does not describe a valid tenant. */
  | 'ERR_SEED_INVALID'
  /** A fault or latency specification is malformed. */
  | 'ERR_FAULT_INVALID'
  /** A record the request names does not exist (3scale: 404). */
  | 'ERR_NOT_FOUND'
  /** The request failed validation (3scale: 422 with `errors`). */
  | 'ERR_INVALID'
  /** The request is refused with a single message (3scale: 422 with `error`). */
  | 'ERR_REFUSED';

/** Field → messages, as 3scale's `{"errors":{…}}` body carries them. */
export type FieldErrors = Record<string, string[]>;

/**
 * A failure of the fake, with a code from {@link Fake3scaleErrorCode}. `problems` lists every problem
 * found (seeds are checked in full); `fieldErrors` carries 3scale-style validation errors.
 * @example
 * try { createFake3scale({ seed }) } catch (e) { if (e instanceof Fake3scaleError) console.error(e.problems) }
 */
export class Fake3scaleError extends Error {
  readonly code: Fake3scaleErrorCode;
  readonly problems: string[];
  readonly fieldErrors: FieldErrors | undefined;

  constructor(
    code: Fake3scaleErrorCode,
    message: string,
    options: { problems?: string[]; fieldErrors?: FieldErrors; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'Fake3scaleError';
    this.code = code;
    this.problems = options.problems ?? [];
    this.fieldErrors = options.fieldErrors;
  }
}

/** Whether a value is a {@link Fake3scaleError}, optionally with a given code. */
export function isFake3scaleError(value: unknown, code?: Fake3scaleErrorCode): value is Fake3scaleError {
  return value instanceof Fake3scaleError && (code === undefined || value.code === code);
}

/** A 404 outcome: the named record does not exist or is not visible. */
export function notFound(what: string): Fake3scaleError {
  return new Fake3scaleError('ERR_NOT_FOUND', `${what} not found`);
}

/** A 422 outcome with field errors. */
export function invalid(fieldErrors: FieldErrors): Fake3scaleError {
  return new Fake3scaleError('ERR_INVALID', 'validation failed', { fieldErrors });
}
