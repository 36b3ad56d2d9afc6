/**
 * The embedded stack's stand-in gateway: a key works only where the service's catalog says the gateway reads
 * it, only for its own service, and only while live.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startHarness, type Harness } from '../support/helper-harness.js';

describe('demo gateway', () => {
  let h: Harness;
  const keys: Record<string, string> = {};
  before(async () => {
    h = await startHarness();
    const token = await h.issuer.token();
    for (const id of ['sentiment-analysis', 'text-embedding', 'image-classification']) {
      const response = await h.helper.app.inject({
        method: 'POST',
        url: '/api/services/init',
        headers: { authorization: `Bearer ${token}` },
        payload: { service_id: id },
      });
      keys[id] = response.json().data.api_key;
    }
  });
  after(() => h.close());

  const call = (url: string, headers: Record<string, string> = {}, payload?: object) =>
    h.helper.app.inject({ method: payload ? 'POST' : 'GET', url, headers, ...(payload ? { payload } : {}) });

  it('accepts the key in the header the catalog names', async () => {
    const response = await call(
      '/gateway/sentiment-analysis/v1/predict',
      { 'x-api-key': keys['sentiment-analysis'] as string },
      { text: 'this is great and easy' },
    );
    assert.equal(response.statusCode, 200);
    assert.equal(response.json().result.label, 'positive');
  });

  it('accepts the key as the query parameter the catalog names', async () => {
    const response = await call(`/gateway/text-embedding?user_key=${keys['text-embedding']}`, {}, { text: 'hello' });
    assert.equal(response.statusCode, 200);
    assert.equal(response.json().result.vector.length, 8);
  });

  it('accepts the key as the Basic user name', async () => {
    const basic = Buffer.from(`${keys['image-classification']}:`).toString('base64');
    const response = await call('/gateway/image-classification', { authorization: `Basic ${basic}` });
    assert.equal(response.statusCode, 200);
  });

  it('refuses a missing key, a key in the wrong place, and another service key', async () => {
    assert.equal((await call('/gateway/sentiment-analysis')).body, 'Authentication parameters missing');
    const wrongPlace = await call(`/gateway/sentiment-analysis?user_key=${keys['sentiment-analysis']}`);
    assert.equal(wrongPlace.statusCode, 403);
    const otherService = await call('/gateway/sentiment-analysis', { 'x-api-key': keys['text-embedding'] as string });
    assert.equal(otherService.statusCode, 403);
    assert.equal(otherService.body, 'Authentication failed');
    const key = keys['sentiment-analysis'] as string;
    const forged = await call('/gateway/sentiment-analysis', {
      'x-api-key': `${key.slice(0, -1)}${key.endsWith('x') ? 'y' : 'x'}`,
    });
    assert.equal(forged.statusCode, 403);
  });

  it('is not part of the API document', async () => {
    const doc = (await h.helper.app.inject({ method: 'GET', url: '/api/openapi.json' })).json();
    assert.equal(
      Object.keys(doc.paths).some((path: string) => path.startsWith('/gateway')),
      false,
    );
  });
});

describe('demo gateway endpoints', () => {
  it('are listed as absolute URLs on the helper itself', async () => {
    const h = await startHarness({ MLAAS_PUBLIC_URL: 'https://mlaas.internal.test/' });
    try {
      const token = await h.issuer.token();
      const list = await h.helper.app.inject({
        method: 'GET',
        url: '/api/services',
        headers: { authorization: `Bearer ${token}` },
      });
      const sentiment = list.json().data.services.find((s: { id: string }) => s.id === 'sentiment-analysis');
      assert.equal(sentiment.proxy_endpoint, 'https://mlaas.internal.test/gateway/sentiment-analysis');
    } finally {
      await h.close();
    }
  });
});
