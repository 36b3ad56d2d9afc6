/**
 * Properties of the one place errors become HTTP: whatever is thrown — a HelperError, a Fastify error, a
 * validation failure with odd issues, a string, undefined, any object — `toErrorResponse` gives a status
 * that matches its code and a body that is a valid error envelope of the contract, and an unexpected error's
 * own message never reaches the client.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ERROR_CODES, ERROR_STATUS, ErrorEnvelope } from '@mlaas/contract';
import { Ajv2020 } from 'ajv/dist/2020.js';
import fc from 'fast-check';
import { HelperError } from '../../src/errors/helper-error.js';
import { toErrorResponse } from '../../src/http/error-response.js';

const validateEnvelope = new Ajv2020({ strict: false, allErrors: true }).compile(ErrorEnvelope);

/** Marks messages that must never be shown to a client. */
const SECRET_MARK = 'internal-detail-7f3a';

const text = fc.string({ unit: 'binary', maxLength: 300 });
const fieldProblem = fc.record({ field: text, problem: text });

const mlaasErrors = fc
  .record({
    code: fc.constantFrom(...ERROR_CODES),
    message: text,
    details: fc.option(fc.array(fieldProblem, { maxLength: 5 }), { nil: undefined }),
    retryAfterSeconds: fc.option(fc.double({ min: 0, max: 86_400, noNaN: true }), { nil: undefined }),
  })
  .map(
    ({ code, message, details, retryAfterSeconds }) => new HelperError(code, message, { details, retryAfterSeconds }),
  );

/** Issues shaped like Ajv's, with any value where Ajv would put a string. */
const validationIssue = fc.record(
  {
    keyword: fc.oneof(fc.constantFrom('anyOf', 'required', 'additionalProperties', 'pattern', 'type'), fc.anything()),
    instancePath: fc.oneof(fc.constantFrom('', '/service_id', '/a/0'), fc.anything()),
    message: fc.oneof(text, fc.anything()),
    params: fc.oneof(
      fc.record({ missingProperty: fc.oneof(text, fc.anything()) }, { requiredKeys: [] }),
      fc.record({ additionalProperty: fc.oneof(text, fc.anything()) }, { requiredKeys: [] }),
      fc.anything(),
    ),
  },
  { requiredKeys: [] },
);
const fastifyLikeErrors = fc.record(
  {
    code: fc.oneof(
      fc.constantFrom(
        'FST_ERR_CTP_BODY_TOO_LARGE',
        'FST_ERR_CTP_INVALID_MEDIA_TYPE',
        'FST_ERR_BAD_URL',
        'FST_ERR_CTP_INVALID_JSON_BODY',
        'ECONNRESET',
      ),
      fc.anything(),
    ),
    statusCode: fc.oneof(fc.integer({ min: 100, max: 599 }), fc.anything()),
    validation: fc.oneof(fc.array(validationIssue, { maxLength: 15 }), fc.anything()),
    validationContext: fc.oneof(fc.constantFrom('body', 'querystring', 'headers'), fc.anything()),
    message: fc.constant(SECRET_MARK),
  },
  { requiredKeys: [] },
);
const plainErrors = fc.oneof(
  fc.constant(new Error(SECRET_MARK)),
  fc.constant(new TypeError(SECRET_MARK)),
  fc.constant(Object.assign(new SyntaxError(SECRET_MARK), { statusCode: 400 })),
  fc.constant(Object.assign(new Error(SECRET_MARK), { code: 'SQLITE_CORRUPT' })),
);
const thrown = fc.oneof(mlaasErrors, fastifyLikeErrors, plainErrors, fc.anything());

describe('toErrorResponse (properties)', () => {
  it('turns anything thrown into a valid error envelope with the status of its code', () => {
    fc.assert(
      fc.property(thrown, fc.uuid(), fc.option(text, { nil: undefined }), (error, requestId, hint) => {
        const response = toErrorResponse(error, requestId, hint);
        assert.ok(validateEnvelope(response.body), JSON.stringify(validateEnvelope.errors));
        assert.equal(response.code, response.body.error.code);
        assert.equal(response.status, ERROR_STATUS[response.code]);
        assert.equal(response.body.error.request_id, requestId);
        assert.equal(response.isServerFault, response.status >= 500);
        // What goes on the wire is still a valid envelope.
        assert.ok(validateEnvelope(JSON.parse(JSON.stringify(response.body))));
      }),
      { numRuns: 2_000 },
    );
  });

  it('keeps the code, message and details of a HelperError, and gives Retry-After as whole seconds', () => {
    fc.assert(
      fc.property(mlaasErrors, (error) => {
        const response = toErrorResponse(error, 'req-1');
        assert.equal(response.code, error.code);
        assert.equal(response.body.error.message, error.message);
        if (error.details !== undefined && error.details.length > 0)
          assert.deepEqual(response.body.error.details, error.details);
        const retryAfter = response.headers['retry-after'];
        if (error.retryAfterSeconds === undefined) assert.equal(retryAfter, undefined);
        else assert.match(String(retryAfter), /^[1-9]\d*$/);
      }),
      { numRuns: 1_000 },
    );
  });

  it('never shows the message of an error that is not a HelperError', () => {
    fc.assert(
      fc.property(fc.oneof(fastifyLikeErrors, plainErrors), (error) => {
        const response = toErrorResponse(error, 'req-1');
        assert.equal(JSON.stringify(response.body).includes(SECRET_MARK), false);
        assert.ok(response.status === 500 || response.status < 500, 'unexpected errors are 500s');
        if (response.status >= 500) assert.equal(response.code, 'INTERNAL_ERROR');
      }),
      { numRuns: 1_000 },
    );
  });

  it('reports at most ten validation details, each printable', () => {
    fc.assert(
      fc.property(
        fc.array(validationIssue, { maxLength: 30 }),
        fc.constantFrom('body', 'querystring'),
        (validation, context) => {
          const response = toErrorResponse({ validation, validationContext: context, statusCode: 400 }, 'req-1');
          assert.equal(response.code, 'VALIDATION_ERROR');
          const details = response.body.error.details ?? [];
          assert.ok(details.length <= 10);
          for (const { field, problem } of details) {
            assert.doesNotMatch(field, /[\u0000-\u001f\u007f]/);
            assert.doesNotMatch(problem, /[\u0000-\u001f\u007f]/);
            assert.ok(field.length <= 201 && problem.length <= 201, 'details are bounded');
          }
        },
      ),
      { numRuns: 1_000 },
    );
  });
});
