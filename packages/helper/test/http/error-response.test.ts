/**
 * Errors at the edge: unexpected failures become INTERNAL_ERROR with nothing of their message shown.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ERROR_STATUS } from '@mlaas/contract';
import { HelperError } from '../../src/errors/helper-error.js';
import { toErrorResponse } from '../../src/http/error-response.js';

describe('toErrorResponse', () => {
  it('hides the message of an unexpected error', () => {
    const response = toErrorResponse(new Error('connect to postgres://admin:hunter2@db failed'), 'r1');
    assert.equal(response.status, 500);
    assert.equal(response.body.error.code, 'INTERNAL_ERROR');
    assert.doesNotMatch(JSON.stringify(response.body), /hunter2|postgres/);
    assert.equal(response.isServerFault, true);
  });

  it('maps every code to its documented status, with Retry-After where given', () => {
    for (const [code, status] of Object.entries(ERROR_STATUS)) {
      const response = toErrorResponse(
        new HelperError(code as keyof typeof ERROR_STATUS, 'm', { retryAfterSeconds: 2.2 }),
        'r',
      );
      assert.equal(response.status, status, code);
      assert.equal(response.headers['retry-after'], '3');
    }
  });

  it('turns thrown non-errors into INTERNAL_ERROR', () => {
    for (const thrown of [undefined, null, 'text', 42, { statusCode: 'x' }]) {
      assert.equal(toErrorResponse(thrown, 'r').body.error.code, 'INTERNAL_ERROR');
    }
  });
});
