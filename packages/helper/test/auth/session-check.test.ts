/**
 * The userinfo session check as the key routes use it: an active session passes, an ended one is refused,
 * and requests with the same token while its check is in flight share one call to the issuer.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createUserinfoSessionCheck } from '../../src/auth/session-check.js';
import { isHelperError } from '../../src/errors/helper-error.js';
import { startTestIssuer, type TestIssuer } from '../support/test-issuer.js';

describe('userinfo session check', () => {
  let issuer: TestIssuer;
  before(async () => {
    issuer = await startTestIssuer();
  });
  after(() => issuer.close());

  it('asks the issuer once for concurrent checks of one token, and again once that check has ended', async () => {
    const check = createUserinfoSessionCheck({ issuer: issuer.url, timeoutMs: 2_000 });
    const token = await issuer.token({ claims: { preferred_username: 'ann' } });
    const other = await issuer.token({ claims: { preferred_username: 'bob' } });
    issuer.setDelay(50);
    const before = issuer.userinfoCalls();
    await Promise.all([check(token), check(token), check(token), check(other)]);
    assert.equal(issuer.userinfoCalls() - before, 2, 'one call per distinct token');
    issuer.setDelay(0);
    await check(token);
    assert.equal(issuer.userinfoCalls() - before, 3, 'a later request asks again');
  });

  it('refuses every request sharing a check whose session has ended, and asks afresh after it', async () => {
    const check = createUserinfoSessionCheck({ issuer: issuer.url, timeoutMs: 2_000 });
    const token = await issuer.token({ claims: { preferred_username: 'cid' } });
    issuer.endSession(token);
    const results = await Promise.allSettled([check(token), check(token)]);
    for (const result of results) {
      assert.equal(result.status, 'rejected');
      assert.ok(isHelperError((result as PromiseRejectedResult).reason, 'INVALID_TOKEN'));
    }
    const before = issuer.userinfoCalls();
    await assert.rejects(check(token), (error: unknown) => isHelperError(error, 'INVALID_TOKEN'));
    assert.equal(issuer.userinfoCalls() - before, 1, 'a refused check is not remembered either');
  });
});
