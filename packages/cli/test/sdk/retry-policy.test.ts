/**
 * @module test/sdk/retry-policy
 * The CLI's retry decisions, with the Retry-After reading shared with the helper.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { retryAfterMs } from '@mlaas/contract/retry-after';
import { RETRY_POLICY, retryDelayMs } from '../../src/sdk/retry-policy.js';

const NOW = Date.parse('2026-01-01T00:00:00Z');

describe('Retry-After', () => {
  it('reads seconds and HTTP dates, and nothing else', () => {
    assert.equal(retryAfterMs('2', NOW), 2000);
    assert.equal(retryAfterMs('Thu, 01 Jan 2026 00:00:03 GMT', NOW), 3000);
    assert.equal(retryAfterMs('Wed, 31 Dec 2025 23:00:00 GMT', NOW), 0);
    assert.equal(retryAfterMs('soon', NOW), null);
    assert.equal(retryAfterMs(null, NOW), null);
  });

  it('the CLI waits for a short Retry-After on GET, and gives up on a long or unreadable one', () => {
    const now = () => NOW;
    assert.equal(retryDelayMs('GET', 503, '1', 1, Math.random, now), 1000);
    assert.equal(retryDelayMs('GET', 429, String(RETRY_POLICY.maxRetryAfterMs / 1000 + 1), 1, Math.random, now), null);
    assert.equal(retryDelayMs('GET', 503, 'soon', 1, Math.random, now), null);
    assert.equal(retryDelayMs('POST', 503, '1', 1, Math.random, now), null);
    assert.equal(
      retryDelayMs('GET', 503, null, 1, () => 0.5, now),
      100,
    );
  });
});
