/**
 * @module http/error-response
 * The one place where errors become HTTP: any thrown value → status, headers and the error envelope.
 * Messages of unexpected errors are never shown; they are logged with the request id instead.
 */
import { ERROR_STATUS, type ErrorCode, type ErrorEnvelope } from '@mlaas/contract';
import { isHelperError, type FieldProblem } from '../errors/helper-error.js';
import { printable } from '../lib/printable.js';

/** Longest piece of outside text echoed in a message. */
const MAX_ECHOED = 200;

export interface ErrorResponse {
  status: number;
  code: ErrorCode;
  body: ErrorEnvelope;
  headers: Record<string, string>;
  /** True for failures that are the server's fault and must be logged as errors. */
  isServerFault: boolean;
}

/** Fastify's own 4xx error codes and what they mean in the API's terms. */
const FASTIFY_CODES: Record<string, { code: ErrorCode; message: string }> = {
  FST_ERR_CTP_BODY_TOO_LARGE: { code: 'PAYLOAD_TOO_LARGE', message: 'The request body is too large.' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: {
    code: 'UNSUPPORTED_MEDIA_TYPE',
    message: 'Send the request body as application/json.',
  },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: {
    code: 'VALIDATION_ERROR',
    message: 'The Content-Length header does not match the body.',
  },
  FST_ERR_CTP_EMPTY_JSON_BODY: { code: 'VALIDATION_ERROR', message: 'The request body is empty; send a JSON object.' },
  FST_ERR_CTP_INVALID_JSON_BODY: { code: 'VALIDATION_ERROR', message: 'The request body is not valid JSON.' },
  FST_ERR_BAD_URL: { code: 'VALIDATION_ERROR', message: 'The request URL is not valid.' },
  FST_ERR_ASYNC_CONSTRAINT: { code: 'VALIDATION_ERROR', message: 'The request cannot be routed.' },
};

const UNEXPECTED_MESSAGE = 'An unexpected error occurred; quote the request id to an operator.';

/** One issue of a schema validator (Ajv's shape); typed loosely, as a thrown value is not to be trusted. */
interface ValidationIssue {
  keyword?: unknown;
  instancePath?: unknown;
  message?: unknown;
  params?: Record<string, unknown> | null;
}

/**
 * Maps anything thrown while serving a request to the response the client gets.
 * @param validationHint the route's one-line explanation of a valid request, used for validation errors.
 */
export function toErrorResponse(error: unknown, requestId: string, validationHint?: string): ErrorResponse {
  const { code, message, details, retryAfterSeconds } = classify(error, validationHint);
  const status = ERROR_STATUS[code];
  const headers: Record<string, string> = {};
  if (retryAfterSeconds !== undefined) headers['retry-after'] = String(Math.max(1, Math.ceil(retryAfterSeconds)));
  if (code === 'MISSING_AUTH') headers['www-authenticate'] = 'Bearer realm="mlaas"';
  if (code === 'INVALID_TOKEN') headers['www-authenticate'] = 'Bearer realm="mlaas", error="invalid_token"';
  return {
    status,
    code,
    headers,
    isServerFault: status >= 500,
    body: {
      status: 'error',
      error: { code, message, request_id: requestId, ...(details && details.length > 0 ? { details } : {}) },
    },
  };
}

function classify(
  error: unknown,
  validationHint: string | undefined,
): { code: ErrorCode; message: string; details?: FieldProblem[]; retryAfterSeconds?: number } {
  if (isHelperError(error)) {
    return {
      code: error.code,
      message: error.message,
      ...(error.details ? { details: error.details } : {}),
      ...(error.retryAfterSeconds !== undefined ? { retryAfterSeconds: error.retryAfterSeconds } : {}),
    };
  }
  if (typeof error !== 'object' || error === null) {
    return { code: 'INTERNAL_ERROR', message: UNEXPECTED_MESSAGE };
  }
  const fastifyError = error as {
    code?: unknown;
    statusCode?: unknown;
    validation?: unknown;
    validationContext?: unknown;
  };
  if (Array.isArray(fastifyError.validation)) {
    return {
      code: 'VALIDATION_ERROR',
      message: validationHint ?? 'The request is invalid.',
      details: describeIssues(fastifyError.validation, textOf(fastifyError.validationContext) || 'body'),
    };
  }
  // Own keys only: an error whose code is "constructor" or "toString" is not a Fastify error.
  const known =
    typeof fastifyError.code === 'string' && Object.hasOwn(FASTIFY_CODES, fastifyError.code)
      ? FASTIFY_CODES[fastifyError.code]
      : undefined;
  if (known !== undefined) return known;
  if (error instanceof SyntaxError && fastifyError.statusCode === 400) {
    return { code: 'VALIDATION_ERROR', message: 'The request body is not valid JSON.' };
  }
  if (typeof fastifyError.statusCode === 'number' && fastifyError.statusCode >= 400 && fastifyError.statusCode < 500) {
    return { code: 'VALIDATION_ERROR', message: 'The request is invalid.' };
  }
  return { code: 'INTERNAL_ERROR', message: UNEXPECTED_MESSAGE };
}

/** At most this many field problems are reported. */
const MAX_DETAILS = 10;

function describeIssues(raw: readonly unknown[], context: string): FieldProblem[] {
  // Issues come from the schema validator; anything else in the list is skipped rather than trusted.
  let issues = raw.filter((issue): issue is ValidationIssue => typeof issue === 'object' && issue !== null);
  const seen = new Set<string>();
  const details: FieldProblem[] = [];
  // A failed anyOf reports every branch's complaint; "missing a or b" reads better than three lines.
  const missing = issues.filter((i) => i.params?.missingProperty !== undefined);
  if (issues.some((i) => i.keyword === 'anyOf') && missing.length > 1) {
    const names = missing.map((i) => `"${textOf(i.params?.missingProperty)}"`);
    details.push({
      field: printable(`${context}${textOf(missing[0]?.instancePath)}`, MAX_ECHOED),
      problem: printable(`must have ${names.join(' or ')}`, MAX_ECHOED),
    });
    issues = issues.filter((i) => i.keyword !== 'anyOf' && i.params?.missingProperty === undefined);
  }
  for (const issue of issues) {
    if (issue.keyword === 'anyOf') continue;
    const field = issue.params?.additionalProperty
      ? `${context}${textOf(issue.instancePath)}/${textOf(issue.params.additionalProperty)}`
      : `${context}${textOf(issue.instancePath)}`;
    const problem = issue.params?.additionalProperty ? 'is not a known field' : textOf(issue.message) || 'is invalid';
    const key = `${field} ${problem}`;
    if (seen.has(key) || details.length >= MAX_DETAILS) continue;
    seen.add(key);
    details.push({ field: printable(field, MAX_ECHOED), problem: printable(problem, MAX_ECHOED) });
  }
  return details;
}

/** A string field of an issue as text; anything else (a validator bug) as nothing. */
function textOf(value: unknown): string {
  return typeof value === 'string'
    ? value
    : typeof value === 'number' || typeof value === 'boolean'
      ? String(value)
      : '';
}
