/**
 * Logs are for operators, not for secrets: after a full journey — sign-in, list, init, bad tokens, an issuer
 * outage, server errors — no log line holds a token, an API key or the store's encryption key.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { createApiClient } from '../support/api-client.js';
import { startHarness } from '../support/helper-harness.js';

describe('log hygiene', () => {
  it('no token, key or encryption key appears in any log line, at trace level', async () => {
    const h = await startHarness({ LOG_LEVEL: 'trace', JWKS_COOLDOWN_SECONDS: '0', JWKS_CACHE_MAX_AGE_SECONDS: '1' });
    const secrets: string[] = [];
    try {
      const api = await createApiClient(h);
      const token = await h.issuer.token();
      secrets.push(token);
      await api.call('GET', '/api/services', { token });
      for (const id of ['sentiment-analysis', 'text-embedding', 'image-classification']) {
        const init = await api.call('POST', '/api/services/init', { token, body: { service_id: id } });
        secrets.push(init.json.data.api_key);
      }
      await api.call('GET', '/api/services', { token });
      const expired = await h.issuer.token({ expiresIn: -300 });
      const foreign = await h.issuer.token({ unpublishedKey: true });
      secrets.push(expired, foreign);
      await api.call('GET', '/api/services', { token: expired });
      await api.call('GET', '/api/services', { token: foreign });
      await api.call('GET', '/api/services', { token: `${token}tampered` });
      await api.call('POST', '/api/services/init', { token, payload: `{"service_id":"${token}"`, headers: { 'content-type': 'application/json' } });
      await api.call('GET', `/api/services?access_token=${token}`, { token });
      h.issuer.setDown(true);
      await new Promise((resolve) => setTimeout(resolve, 1_100));
      const during = await h.issuer.token({ claims: { preferred_username: 'outage' } });
      secrets.push(during);
      await api.call('GET', '/api/services', { token: during });
      // An unknown kid while the issuer is down: the refetch is awaited, fails, and is logged.
      await api.call('GET', '/api/services', { token: foreign });
      await api.call('GET', '/api/ready');
      secrets.push(readFileSync(join(h.dataDir, 'store.key'), 'utf8').trim());
    } finally {
      h.issuer.setDown(false);
      await h.close();
    }

    const logs = h.logs.join('');
    assert.ok(logs.includes('request completed'), 'the run produced request logs');
    assert.ok(logs.includes('could not refresh the token issuer keys'), 'the outage was logged');
    for (const secret of secrets) {
      assert.equal(logs.includes(secret), false, `a secret leaked into the logs: ${secret.slice(0, 12)}…`);
      // A token's signature alone identifies it too.
      const signature = secret.split('.')[2];
      if (signature) assert.equal(logs.includes(signature), false, 'a token signature leaked into the logs');
    }
  });
});
