/**
 * Rate limits: per user, per client address and a stricter one for init; 429 RATE_LIMITED with Retry-After,
 * and one user's budget is not another's.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createApiClient } from '../support/api-client.js';
import { startHarness } from '../support/helper-harness.js';

describe('rate limits', () => {
  it('limits each user separately and says when to come back', async () => {
    const h = await startHarness({ RATE_LIMIT_USER_PER_MINUTE: '3', RATE_LIMIT_IP_PER_MINUTE: '0' });
    try {
      const api = await createApiClient(h);
      const alice = await h.issuer.token({ claims: { sub: 'a', preferred_username: 'alice' } });
      const bob = await h.issuer.token({ claims: { sub: 'b', preferred_username: 'bob' } });
      for (let i = 0; i < 3; i++) assert.equal((await api.call('GET', '/api/services', { token: alice })).status, 200);
      const limited = await api.call('GET', '/api/services', { token: alice });
      assert.equal(limited.status, 429);
      assert.equal(limited.json.error.code, 'RATE_LIMITED');
      assert.ok(Number(limited.headers['retry-after']) >= 1);
      assert.equal((await api.call('GET', '/api/services', { token: bob })).status, 200, "bob's budget is his own");
      const metrics = await api.call('GET', '/metrics');
      assert.match(metrics.text, /mlaas_rate_limit_rejections_total\{scope="user"\} 1/);
    } finally {
      await h.close();
    }
  });

  it('limits init more strictly than reads', async () => {
    const h = await startHarness({ RATE_LIMIT_USER_PER_MINUTE: '100', RATE_LIMIT_INIT_PER_MINUTE: '2' });
    try {
      const api = await createApiClient(h);
      const token = await h.issuer.token();
      const body = { service_id: 'sentiment-analysis' };
      assert.equal((await api.call('POST', '/api/services/init', { token, body })).status, 200);
      assert.equal((await api.call('POST', '/api/services/init', { token, body })).status, 200);
      const limited = await api.call('POST', '/api/services/init', { token, body });
      assert.equal(limited.status, 429);
      assert.equal(limited.json.error.code, 'RATE_LIMITED');
      assert.equal((await api.call('GET', '/api/services', { token })).status, 200, 'reads still pass');
    } finally {
      await h.close();
    }
  });

  it('limits a client address before authentication', async () => {
    const h = await startHarness({ RATE_LIMIT_IP_PER_MINUTE: '2', RATE_LIMIT_USER_PER_MINUTE: '0' });
    try {
      const api = await createApiClient(h);
      assert.equal((await api.call('GET', '/api/services')).status, 401);
      assert.equal((await api.call('GET', '/api/services')).status, 401);
      const limited = await api.call('GET', '/api/services');
      assert.equal(limited.status, 429);
      assert.equal((await api.call('GET', '/api/health')).status, 200, 'probes are not limited');
    } finally {
      await h.close();
    }
  });

  it('turns a limit off with 0', async () => {
    const h = await startHarness({ RATE_LIMIT_USER_PER_MINUTE: '0', RATE_LIMIT_IP_PER_MINUTE: '0' });
    try {
      const api = await createApiClient(h);
      const token = await h.issuer.token();
      for (let i = 0; i < 30; i++) assert.equal((await api.call('GET', '/api/services', { token })).status, 200);
    } finally {
      await h.close();
    }
  });
});
