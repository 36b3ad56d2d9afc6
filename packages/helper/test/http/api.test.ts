/**
 * The helper's HTTP API as its clients use it: every route, its success shape, every reachable error code,
 * and every served response checked against /api/openapi.json.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { createApiClient, type ApiClient } from '../support/api-client.js';
import { startHarness, type Harness } from '../support/helper-harness.js';

describe('helper API', () => {
  let h: Harness;
  let api: ApiClient;
  let alice: string;

  before(async () => {
    h = await startHarness({ RATE_LIMIT_INIT_PER_MINUTE: '1000' });
    api = await createApiClient(h);
    alice = await h.issuer.token({
      claims: { sub: 'sub-alice', preferred_username: 'alice', email: 'alice@example.org' },
    });
  });
  after(() => h.close());

  it('GET /api/health answers healthy without calling dependencies', async () => {
    h.issuer.setDown(true);
    try {
      const response = await api.call('GET', '/api/health');
      assert.equal(response.status, 200);
      assert.deepEqual(response.json, { status: 'success', data: { status: 'healthy' } });
    } finally {
      h.issuer.setDown(false);
    }
  });

  it('GET /api/ready reports each dependency', async () => {
    const response = await api.call('GET', '/api/ready');
    assert.equal(response.status, 200);
    assert.deepEqual(
      response.json.data.checks.map((c: { name: string; ok: boolean }) => [c.name, c.ok]),
      [
        ['token issuer', true],
        ['API management', true],
        ['audit history', true],
      ],
    );
  });

  it('lists services for a first-time user before any account exists', async () => {
    const token = await h.issuer.token({
      claims: { sub: 'sub-new', preferred_username: 'newcomer', email: 'new@example.org' },
    });
    const response = await api.call('GET', '/api/services', { token });
    assert.equal(response.status, 200);
    assert.equal(response.json.data.account_id, null);
    assert.deepEqual(response.json.data.user, { soeid: 'preferred_username.newcomer', email: 'new@example.org' });
    assert.ok(response.json.data.services.length >= 3);
    for (const service of response.json.data.services) {
      assert.equal(service.has_api_key, false);
      assert.equal(service.api_key_preview, null);
      assert.equal('api_key' in service, false);
    }
  });

  it('gives a first-time user a key in one init call, then the same key again', async () => {
    const first = await api.call('POST', '/api/services/init', {
      token: alice,
      body: { service_id: 'sentiment-analysis' },
    });
    assert.equal(first.status, 200);
    assert.equal(first.json.data.is_new, true);
    assert.match(first.json.data.api_key, /^mlaas_[0-9A-Za-z]{38}$/);
    assert.deepEqual(first.json.data.plan, { id: 'sentiment-analysis-basic', name: 'Basic' });
    assert.equal(first.json.data.service.id, 'sentiment-analysis');
    assert.equal(first.headers['cache-control'], 'no-store');

    const again = await api.call('POST', '/api/services/init', {
      token: alice,
      body: { service_name: 'sentiment analysis' },
    });
    assert.equal(again.status, 200);
    assert.equal(again.json.data.is_new, false);
    assert.equal(again.json.data.api_key, first.json.data.api_key);
    assert.equal(again.json.data.account_id, first.json.data.account_id);
  });

  it('shows a keyed service with a preview, never the full key', async () => {
    const init = await api.call('POST', '/api/services/init', { token: alice, body: { service_id: 'text-embedding' } });
    const response = await api.call('GET', '/api/services', { token: alice });
    assert.equal(response.status, 200);
    assert.equal(response.json.data.account_id, init.json.data.account_id);
    const embedding = response.json.data.services.find((s: { id: string }) => s.id === 'text-embedding');
    assert.equal(embedding.has_api_key, true);
    assert.equal(embedding.api_key_preview, `mlaas_…${init.json.data.api_key.slice(-4)}`);
    assert.equal(response.text.includes(init.json.data.api_key), false);
    const other = response.json.data.services.find((s: { id: string }) => s.id === 'image-classification');
    assert.equal(other.has_api_key, false);
  });

  it('describes how each service takes its credentials', async () => {
    const response = await api.call('GET', '/api/services', { token: alice });
    const locations = new Set(
      response.json.data.services.map((s: { credentials: { location: string } }) => s.credentials.location),
    );
    assert.deepEqual([...locations].sort(), ['basic', 'header', 'query']);
  });

  it('accepts a numeric service_id as an id string', async () => {
    const response = await api.call('POST', '/api/services/init', { token: alice, body: { service_id: 12345 } });
    assert.equal(response.status, 404);
    assert.equal(response.json.error.code, 'SERVICE_NOT_FOUND');
    assert.match(response.json.error.message, /"12345"/);
  });

  it('answers SERVICE_NOT_FOUND for an unknown name', async () => {
    const response = await api.call('POST', '/api/services/init', {
      token: alice,
      body: { service_name: 'Crystal Ball' },
    });
    assert.equal(response.status, 404);
    assert.equal(response.json.error.code, 'SERVICE_NOT_FOUND');
  });

  it('answers NO_PLANS_FOUND for a service with no self-service plan', async () => {
    const services = (await api.call('GET', '/api/services', { token: alice })).json.data.services as {
      id: string;
      name: string;
    }[];
    const preview = services.find((s) => /preview/i.test(s.name));
    assert.ok(preview, 'the demo catalog has a service without self-service plans');
    const response = await api.call('POST', '/api/services/init', { token: alice, body: { service_id: preview.id } });
    assert.equal(response.status, 409);
    assert.equal(response.json.error.code, 'NO_PLANS_FOUND');
  });

  it('answers FORBIDDEN when the account is suspended', async () => {
    const token = await h.issuer.token({
      claims: { sub: 'sub-sus', preferred_username: 'suspended-user', email: 'sus@example.org' },
    });
    const init = await api.call('POST', '/api/services/init', { token, body: { service_id: 'sentiment-analysis' } });
    const db = new Database(join(h.dataDir, 'mlaas.db'));
    db.prepare('UPDATE accounts SET state = ? WHERE id = ?').run('suspended', init.json.data.account_id);
    db.close();
    const response = await api.call('POST', '/api/services/init', { token, body: { service_id: 'text-embedding' } });
    assert.equal(response.status, 403);
    assert.equal(response.json.error.code, 'FORBIDDEN');
  });

  it('serves an OpenAPI 3.1 document that describes every route', async () => {
    const response = await api.call('GET', '/api/openapi.json');
    assert.equal(response.status, 200);
    assert.equal(response.json.openapi, '3.1.0');
    assert.deepEqual(Object.keys(response.json.paths).sort(), [
      '/api/audit',
      '/api/health',
      '/api/keys',
      '/api/openapi.json',
      '/api/ready',
      '/api/services',
      '/api/services/init',
      '/api/services/{id}/key',
      '/api/services/{id}/key/rotate',
      '/api/services/{id}/usage',
      '/metrics',
    ]);
    assert.deepEqual(response.json.paths['/api/services'].get.security, [{ bearerAuth: [] }]);
  });

  it('serves Prometheus metrics with request durations and issued keys', async () => {
    const response = await api.call('GET', '/metrics');
    assert.equal(response.status, 200);
    assert.match(String(response.headers['content-type']), /^text\/plain/);
    assert.match(
      response.text,
      /mlaas_http_request_duration_seconds_count\{method="POST",route="\/api\/services\/init",status="200"\} \d+/,
    );
    assert.match(response.text, /mlaas_keys_issued_total [1-9]/);
    assert.match(response.text, /mlaas_cache_events_total\{cache="token",event="hit"\} [1-9]/);
  });

  it('answers NOT_FOUND for unknown paths and METHOD_NOT_ALLOWED with Allow for known ones', async () => {
    const missing = await api.call('GET', '/api/nothing-here');
    assert.equal(missing.status, 404);
    assert.equal(missing.json.error.code, 'NOT_FOUND');
    const wrongMethod = await api.call('DELETE', '/api/services/init', { token: alice });
    assert.equal(wrongMethod.status, 405);
    assert.equal(wrongMethod.json.error.code, 'METHOD_NOT_ALLOWED');
    assert.equal(wrongMethod.headers.allow, 'POST');
  });

  it('echoes a safe X-Request-Id and replaces an unsafe one', async () => {
    const echoed = await api.call('GET', '/api/health', { headers: { 'x-request-id': 'trace-123.abc' } });
    assert.equal(echoed.headers['x-request-id'], 'trace-123.abc');
    const replaced = await api.call('GET', '/api/health', { headers: { 'x-request-id': 'bad id\twith tab' } });
    assert.match(String(replaced.headers['x-request-id']), /^[0-9a-f-]{36}$/);
    const error = await api.call('GET', '/api/services', { headers: { 'x-request-id': 'req-err-1' } });
    assert.equal(error.json.error.request_id, 'req-err-1');
  });

  it('sets security headers on every response', async () => {
    for (const url of ['/api/health', '/api/services', '/nope']) {
      const response = await api.call('GET', url);
      assert.equal(response.headers['x-content-type-options'], 'nosniff', url);
      assert.equal(response.headers['x-frame-options'], 'DENY', url);
      assert.equal(response.headers['x-powered-by'], undefined, url);
    }
  });

  it('checked every route against the document', () => {
    for (const operation of [
      'GET /api/health',
      'GET /api/ready',
      'GET /api/services',
      'POST /api/services/init',
      'GET /api/openapi.json',
      'GET /metrics',
    ]) {
      assert.ok(api.validator.covered.has(operation), `${operation} was validated`);
    }
  });
});

describe('helper API without on-demand accounts', () => {
  it('answers ACCOUNT_NOT_FOUND on init, while the list still works', async () => {
    const h = await startHarness({ AUTO_CREATE_ACCOUNTS: 'false' });
    try {
      const api = await createApiClient(h);
      const token = await h.issuer.token();
      const list = await api.call('GET', '/api/services', { token });
      assert.equal(list.status, 200);
      assert.equal(list.json.data.account_id, null);
      const init = await api.call('POST', '/api/services/init', { token, body: { service_id: 'sentiment-analysis' } });
      assert.equal(init.status, 404);
      assert.equal(init.json.error.code, 'ACCOUNT_NOT_FOUND');
    } finally {
      await h.close();
    }
  });
});

describe('helper API with EXPOSE_KEYS_IN_LIST', () => {
  it('includes the full key in the list, as the original helper did', async () => {
    const h = await startHarness({ EXPOSE_KEYS_IN_LIST: 'true' });
    try {
      const api = await createApiClient(h);
      const token = await h.issuer.token();
      const init = await api.call('POST', '/api/services/init', { token, body: { service_id: 'sentiment-analysis' } });
      const list = await api.call('GET', '/api/services', { token });
      const service = list.json.data.services.find((s: { id: string }) => s.id === 'sentiment-analysis');
      assert.equal(service.api_key, init.json.data.api_key);
    } finally {
      await h.close();
    }
  });
});
