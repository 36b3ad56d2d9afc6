/**
 * Secrets stay where they belong: after a full journey — list, keys for every kind of service, bad tokens,
 * an issuer outage, upstream failures, a refused admin token — no access token, API key, client secret,
 * 3scale admin token or store encryption key appears in any log line, error body, response header, metric
 * or URL the helper sends; the full key is only ever in init's own answer, and a user's token never leaves
 * the helper.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { createFake3scale } from '@mlaas/fake-3scale';
import { createApiClient, type ApiResponse } from '../support/api-client.js';
import { startHarness } from '../support/helper-harness.js';
import { findLeaks, headerText, type Captured } from '../support/secret-scan.js';
import { startThreescaleHarness } from '../support/threescale-harness.js';

/** Collects what a client could see of each response: bodies (except init's success) and headers. */
function recordResponses() {
  const captured: Captured[] = [];
  return {
    captured,
    add(label: string, response: ApiResponse) {
      captured.push({ where: `${label} headers`, text: headerText(response.headers) });
      const isKeyAnswer = label.startsWith('POST /api/services/init') && response.status === 200;
      if (!isKeyAnswer) captured.push({ where: `${label} body (${response.status})`, text: response.text });
    },
  };
}

interface Recorded {
  url: string;
  headers: string;
  body: string;
}

/**
 * A reverse proxy in front of the fake 3scale that records every request exactly as the helper sent it
 * (the fake's own log keeps parameter names only).
 */
async function startRecordingProxy(
  target: string,
): Promise<{ url: string; recorded: Recorded[]; close(): Promise<void> }> {
  const recorded: Recorded[] = [];
  const upstream = new URL(target);
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      recorded.push({ url: req.url ?? '', headers: headerText(req.headers), body: body.toString('utf8') });
      const forward = httpRequest(
        {
          host: upstream.hostname,
          port: upstream.port,
          method: req.method,
          path: req.url,
          headers: { ...req.headers, host: upstream.host },
        },
        (answer: IncomingMessage) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      forward.on('error', () => res.destroy());
      forward.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    recorded,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe('secrets', () => {
  it('embedded store: none in any log line (at trace level), error body, header, metric or logged path', async () => {
    const h = await startHarness({ LOG_LEVEL: 'trace', JWKS_COOLDOWN_SECONDS: '0', JWKS_CACHE_MAX_AGE_SECONDS: '1' });
    const secrets: string[] = [];
    const responses = recordResponses();
    const keys: string[] = [];
    try {
      const api = await createApiClient(h);
      const call = async (method: string, url: string, options: Parameters<typeof api.call>[2] = {}) => {
        const response = await api.call(method, url, options);
        responses.add(`${method} ${url.split('?')[0]}`, response);
        return response;
      };
      const token = await h.issuer.token();
      secrets.push(token);
      await call('GET', '/api/services', { token });
      for (const id of ['sentiment-analysis', 'text-embedding', 'image-classification']) {
        const init = await call('POST', '/api/services/init', { token, body: { service_id: id } });
        keys.push(init.json.data.api_key);
      }
      secrets.push(...keys);
      const listed = await call('GET', '/api/services', { token });
      assert.ok(
        listed.json.data.services.some((s: { has_api_key: boolean }) => s.has_api_key),
        'the list shows keys by preview',
      );
      const expired = await h.issuer.token({ expiresIn: -300 });
      const foreign = await h.issuer.token({ unpublishedKey: true });
      secrets.push(expired, foreign);
      await call('GET', '/api/services', { token: expired });
      await call('GET', '/api/services', { token: foreign });
      await call('GET', '/api/services', { token: `${token}tampered` });
      await call('POST', '/api/services/init', {
        token,
        payload: `{"service_id":"${token}"`,
        headers: { 'content-type': 'application/json' },
      });
      await call('POST', '/api/services/init', { token, body: { service_name: token } });
      await call('GET', `/api/services?access_token=${token}`, { token });
      await call('GET', `/api/${token}`, { token });
      await call('GET', '/api/services', { headers: { authorization: `Basic ${token}` } });
      h.issuer.setDown(true);
      await new Promise((resolve) => setTimeout(resolve, 1_100));
      const during = await h.issuer.token({ claims: { preferred_username: 'outage' } });
      secrets.push(during);
      await call('GET', '/api/services', { token: during });
      // An unknown kid while the issuer is down: the refetch is awaited, fails, and is logged.
      await call('GET', '/api/services', { token: foreign });
      await call('GET', '/api/ready');
      h.issuer.setDown(false);
      const metrics = await call('GET', '/metrics');
      responses.captured.push({ where: 'metrics', text: metrics.text });
      secrets.push(readFileSync(join(h.dataDir, 'store.key'), 'utf8').trim());
    } finally {
      h.issuer.setDown(false);
      await h.close();
    }

    const logs = h.logs.join('');
    assert.ok(logs.includes('request completed'), 'the run produced request logs');
    assert.ok(logs.includes('could not refresh the token issuer keys'), 'the outage was logged');
    assert.deepEqual(findLeaks([{ where: 'the logs', text: logs }, ...responses.captured], secrets), []);
  });

  it('3scale adapter: none in any log line, error body, header, metric or URL sent to 3scale; user tokens never leave', async () => {
    const fake = createFake3scale();
    await fake.listen();
    const proxy = await startRecordingProxy(fake.url);
    const h = await startThreescaleHarness({
      fake,
      env: { LOG_LEVEL: 'trace', THREESCALE_ADMIN_API_URL: proxy.url, THREESCALE_RETRIES: '0' },
    });
    const responses = recordResponses();
    const userTokens: string[] = [];
    const issued: string[] = [];
    let refused: Awaited<ReturnType<typeof startThreescaleHarness>> | null = null;
    try {
      const api = await createApiClient(h);
      const call = async (method: string, url: string, options: Parameters<typeof api.call>[2] = {}) => {
        const response = await api.call(method, url, options);
        responses.add(`${method} ${url.split('?')[0]}`, response);
        return response;
      };
      const alice = await h.token('alice');
      const newcomer = await h.token('newcomer');
      userTokens.push(alice, newcomer);
      await call('GET', '/api/services', { token: alice });
      await call('GET', '/api/services', { token: newcomer });
      for (const token of [alice, newcomer]) {
        for (const name of ['LLM Chat Completions', 'Image Classification', 'Text Embeddings', 'Speech to Text']) {
          const init = await call('POST', '/api/services/init', { token, body: { service_name: name } });
          assert.equal(init.status, 200, `${name}: ${init.text}`);
          issued.push(init.json.data.api_key);
        }
      }
      await call('GET', '/api/services', { token: newcomer });
      await call('POST', '/api/services/init', { token: alice, body: { service_id: '999999' } });
      // Upstream failures of every kind, on the reads a key request makes.
      for (const fault of [
        { kind: 'status', status: 500 },
        { kind: 'malformed' },
        { kind: 'reset' },
        { kind: 'rate_limited' },
      ] as const) {
        h.fake.setFault('applications.list', { ...fault, times: 1 });
        await call('POST', '/api/services/init', { token: alice, body: { service_name: 'LLM Chat Completions' } });
      }
      h.fake.setFault('applications.list', null);
      const metrics = await call('GET', '/metrics');
      responses.captured.push({ where: 'metrics', text: metrics.text });

      // A helper whose admin token 3scale refuses: CONFIG_ERROR, logged loudly — without the token.
      refused = await startThreescaleHarness({
        fake,
        issuer: h.issuer,
        env: {
          LOG_LEVEL: 'trace',
          THREESCALE_ADMIN_API_URL: proxy.url,
          THREESCALE_ADMIN_API_KEY: 'refused-admin-token-0123456789',
        },
      });
      const refusedApi = await createApiClient(refused);
      const answer = await refusedApi.call('GET', '/api/services', { token: alice });
      assert.equal(answer.json.error.code, 'CONFIG_ERROR');
      responses.add('GET /api/services (refused admin token)', answer);
    } finally {
      await refused?.close();
      await h.close();
      await proxy.close();
      await fake.close();
    }

    const adminTokens = [fake.accessToken, 'refused-admin-token-0123456789'];
    const everything = [...userTokens, ...issued.filter((key) => key.length >= 12), ...adminTokens];
    const logs = [...h.logs, ...(refused?.logs ?? [])].join('');
    assert.ok(logs.includes('3scale refused the admin access token'), 'the refused token was logged loudly');
    assert.ok(proxy.recorded.length > 0);
    assert.deepEqual(
      findLeaks(
        [
          { where: 'the logs', text: logs },
          ...responses.captured,
          ...proxy.recorded.map((r) => ({ where: `the URL ${r.url.split('?')[0]} sent to 3scale`, text: r.url })),
        ],
        everything,
      ),
      [],
    );
    // What goes to 3scale: the admin token only in the Basic header; the users' tokens never.
    assert.deepEqual(
      findLeaks(
        proxy.recorded.map((r) => ({
          where: `a request to 3scale (${r.url.split('?')[0]})`,
          text: `${r.url}\n${r.headers}\n${r.body}`,
        })),
        userTokens,
      ),
      [],
    );
  });
});
