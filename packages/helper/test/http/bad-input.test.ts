/**
 * Hostile and broken requests: each gets a 4xx with the error envelope and the right code — never a 5xx —
 * and nothing is written to the store.
 */
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { createApiClient, type ApiClient } from '../support/api-client.js';
import { startHarness, type Harness } from '../support/helper-harness.js';

function rowCounts(h: Harness): { accounts: number; applications: number } {
  const db = new Database(join(h.dataDir, 'mlaas.db'), { readonly: true });
  try {
    const count = (table: string) => (db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;
    return { accounts: count('accounts'), applications: count('applications') };
  } finally {
    db.close();
  }
}

describe('bad input', () => {
  let h: Harness;
  let api: ApiClient;
  let token: string;

  before(async () => {
    h = await startHarness({
      RATE_LIMIT_INIT_PER_MINUTE: '0',
      RATE_LIMIT_USER_PER_MINUTE: '0',
      RATE_LIMIT_IP_PER_MINUTE: '0',
    });
    api = await createApiClient(h);
    token = await h.issuer.token();
  });
  after(() => h.close());

  const init = (options: { body?: unknown; payload?: string; headers?: Record<string, string> }) =>
    api.call('POST', '/api/services/init', { token, ...options });

  const cases: [string, { body?: unknown; payload?: string; headers?: Record<string, string> }, string, number][] = [
    [
      'malformed JSON',
      { payload: '{"service_id": "sentiment-analysis"', headers: { 'content-type': 'application/json' } },
      'VALIDATION_ERROR',
      400,
    ],
    ['an empty body', { payload: '', headers: { 'content-type': 'application/json' } }, 'VALIDATION_ERROR', 400],
    ['a JSON array', { body: ['sentiment-analysis'] }, 'VALIDATION_ERROR', 400],
    [
      'a JSON string',
      { payload: '"sentiment-analysis"', headers: { 'content-type': 'application/json' } },
      'VALIDATION_ERROR',
      400,
    ],
    ['null', { payload: 'null', headers: { 'content-type': 'application/json' } }, 'VALIDATION_ERROR', 400],
    ['neither field', { body: {} }, 'VALIDATION_ERROR', 400],
    [
      'both fields',
      { body: { service_id: 'sentiment-analysis', service_name: 'Sentiment Analysis' } },
      'VALIDATION_ERROR',
      400,
    ],
    ['an unknown field', { body: { service_id: 'sentiment-analysis', admin: true } }, 'VALIDATION_ERROR', 400],
    ['a boolean id', { body: { service_id: true } }, 'VALIDATION_ERROR', 400],
    ['an object id', { body: { service_id: { $ne: null } } }, 'VALIDATION_ERROR', 400],
    ['a negative id', { body: { service_id: -1 } }, 'VALIDATION_ERROR', 400],
    ['a huge number id', { body: { service_id: 1e300 } }, 'VALIDATION_ERROR', 400],
    ['an empty id', { body: { service_id: '' } }, 'VALIDATION_ERROR', 400],
    ['an id with control characters', { body: { service_id: 'sentiment\u0000analysis\n' } }, 'VALIDATION_ERROR', 400],
    ['a 10 kB id', { body: { service_id: 'a'.repeat(10_000) } }, 'VALIDATION_ERROR', 400],
    [
      'a name with control characters',
      { body: { service_name: 'Sentiment\u001b[31m Analysis' } },
      'VALIDATION_ERROR',
      400,
    ],
    ['a 10 kB name', { body: { service_name: 'n'.repeat(10_000) } }, 'VALIDATION_ERROR', 400],
    [
      'a __proto__ key',
      { payload: '{"service_id":"x","__proto__":{"admin":true}}', headers: { 'content-type': 'application/json' } },
      'VALIDATION_ERROR',
      400,
    ],
    ['a body over the limit', { body: { service_name: 'x'.repeat(20_000) } }, 'PAYLOAD_TOO_LARGE', 413],
    [
      'form encoding',
      { payload: 'service_id=sentiment-analysis', headers: { 'content-type': 'application/x-www-form-urlencoded' } },
      'UNSUPPORTED_MEDIA_TYPE',
      415,
    ],
    [
      'text/plain',
      { payload: '{"service_id":"sentiment-analysis"}', headers: { 'content-type': 'text/plain' } },
      'UNSUPPORTED_MEDIA_TYPE',
      415,
    ],
    [
      'no content type with a body',
      { payload: '{"service_id":"sentiment-analysis"}', headers: { 'content-type': '' } },
      'UNSUPPORTED_MEDIA_TYPE',
      415,
    ],
  ];

  for (const [name, options, code, status] of cases) {
    it(`refuses ${name} with ${status} ${code} and writes nothing`, async () => {
      const before = rowCounts(h);
      const response = await init(options);
      assert.equal(response.status, status, response.text);
      assert.equal(response.json.status, 'error');
      assert.equal(response.json.error.code, code);
      assert.equal(typeof response.json.error.message, 'string');
      assert.doesNotMatch(response.text, /at .*\.(ts|js):\d+/, 'no stack trace');
      assert.deepEqual(rowCounts(h), before);
    });
  }

  it('names each bad field in details without echoing control characters', async () => {
    const response = await init({ body: { service_id: 'ok', 'evil\u0007field': 1 } });
    assert.equal(response.status, 400);
    const fields = response.json.error.details.map((d: { field: string }) => d.field);
    assert.ok(fields.includes('body/evil?field'), JSON.stringify(fields));
  });

  it('answers unknown routes and methods with 404/405 envelopes', async () => {
    for (const [method, url, status] of [
      ['GET', '/no-such-page', 404],
      ['GET', '/api/services/init', 405],
      ['PATCH', '/api/services', 405],
      ['GET', `/api/${'x'.repeat(5000)}`, 404],
      ['GET', '/api/%00%ff', 400],
      ['OPTIONS', '/api/services', 405],
    ] as const) {
      const response = await api.call(method, url, { token });
      assert.equal(response.status, status, `${method} ${url.slice(0, 40)}`);
      assert.equal(response.json.status, 'error');
    }
  });

  it('answers an oversized header block with 431 and the envelope', async () => {
    const url = await h.helper.app.listen({ port: 0, host: '127.0.0.1' });
    const { status, body } = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = httpRequest(
        `${url}/api/services`,
        { headers: { authorization: `Bearer ${'a'.repeat(20_000)}` } },
        (res) => {
          let text = '';
          res.on('data', (chunk) => (text += chunk));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
        },
      );
      req.on('error', reject);
      req.end();
    });
    assert.equal(status, 431);
    assert.equal(JSON.parse(body).error.code, 'REQUEST_HEADER_TOO_LARGE');
  });
});
