/**
 * @module test/sdk/client
 * MlaasClient against a scripted transport: success data returned unchanged, error envelopes turned into
 * typed errors, off-contract answers refused, retries only for GET, one refresh after a refused token.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { MlaasClient, type MlaasClientOptions } from '../../src/sdk/client.js';
import { MlaasError } from '../../src/lib/errors.js';
import type { HttpRequest, HttpResponse, HttpTransport } from '../../src/lib/transport.js';
import type { StoredTokens } from '../../src/store/token-set.js';
import type { TokenStore } from '../../src/store/token-store.js';

const configDir = mkdtempSync(join(tmpdir(), 'mlaas-client-'));
after(() => rmSync(configDir, { recursive: true, force: true }));

const SERVICES = {
  services: [
    {
      id: 's1',
      name: 'One',
      description: 'd',
      proxy_endpoint: null,
      authentication_method: 'api_key',
      credentials: { location: 'query', key_parameter: 'user_key', app_id_parameter: null },
      has_api_key: false,
      api_key_preview: null,
    },
  ],
  user: { soeid: 'AL1', email: 'a@example.org' },
  account_id: null,
};

function reply(status: number, body: unknown, headers: Record<string, string> = {}): HttpResponse {
  return {
    status,
    headers: { 'content-type': 'application/json', ...headers },
    body: Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)),
  };
}

/** A transport answering from a script, recording the requests. */
function scripted(...answers: HttpResponse[]): { transport: HttpTransport; requests: HttpRequest[] } {
  const requests: HttpRequest[] = [];
  return {
    requests,
    transport: async (request) => {
      requests.push(request);
      const answer = answers.shift();
      if (answer === undefined) throw new Error(`unexpected request ${request.method} ${request.url}`);
      return answer;
    },
  };
}

function client(transport: HttpTransport, extra: MlaasClientOptions = {}): MlaasClient {
  return new MlaasClient({
    env: {},
    configDir,
    helperUrl: 'http://127.0.0.1:5999',
    accessToken: 'token-1',
    transport,
    ...extra,
  });
}

const errorCode = (code: string) => (error: unknown) => error instanceof MlaasError && error.code === code;

describe('MlaasClient', () => {
  it('returns the data of a success envelope and sends the bearer token', async () => {
    const { transport, requests } = scripted(reply(200, { status: 'success', data: SERVICES }));
    assert.deepEqual(await client(transport).listServices(), SERVICES);
    assert.equal(requests[0]?.url, 'http://127.0.0.1:5999/api/services');
    assert.equal(requests[0]?.headers?.authorization, 'Bearer token-1');
  });

  it('health needs no token', async () => {
    const { transport, requests } = scripted(reply(200, { status: 'success', data: { status: 'healthy' } }));
    assert.deepEqual(await client(transport).health(), { status: 'healthy' });
    assert.equal(requests[0]?.headers?.authorization, undefined);
  });

  it('initService sends service_id or service_name', async () => {
    const data = {
      api_key: 'k',
      app_id: null,
      service: {
        id: 's1',
        name: 'One',
        proxy_endpoint: null,
        authentication_method: 'api_key',
        credentials: SERVICES.services[0]?.credentials,
      },
      plan: { id: 'p', name: 'P' },
      is_new: false,
      account_id: '7',
    };
    const { transport, requests } = scripted(
      reply(200, { status: 'success', data }),
      reply(200, { status: 'success', data }),
    );
    const c = client(transport);
    await c.initService({ id: 's1' });
    await c.initService({ name: 'One' });
    assert.equal(requests[0]?.body, '{"service_id":"s1"}');
    assert.equal(requests[1]?.body, '{"service_name":"One"}');
    assert.equal(requests[0]?.headers?.['content-type'], 'application/json');
    assert.throws(() => c.initService({ id: '' }), TypeError);
  });

  it("turns an error envelope into an MlaasError with the helper's code, status and request id", async () => {
    const { transport } = scripted(
      reply(404, {
        status: 'error',
        error: { code: 'SERVICE_NOT_FOUND', message: 'No such service', request_id: 'req-1' },
      }),
    );
    await assert.rejects(client(transport).initService({ id: 'x' }), (error: unknown) => {
      assert.ok(error instanceof MlaasError);
      assert.equal(error.code, 'SERVICE_NOT_FOUND');
      assert.equal(error.status, 404);
      assert.equal(error.requestId, 'req-1');
      assert.equal(error.message, 'No such service');
      return true;
    });
  });

  it('refuses a success answer that breaks the contract', async () => {
    const { transport } = scripted(reply(200, { status: 'success', data: { ...SERVICES, services: [{ id: 1 }] } }));
    await assert.rejects(
      client(transport).listServices(),
      (error: unknown) => errorCode('INVALID_RESPONSE')(error) && /\/data\/services\/0/.test((error as Error).message),
    );
  });

  it('refuses a body that is not JSON (a proxy page, another server)', async () => {
    const { transport } = scripted(
      reply(502, '<html>Bad gateway</html>'),
      reply(502, '<html>Bad gateway</html>'),
      reply(502, '<html>Bad gateway</html>'),
    );
    await assert.rejects(
      client(transport).listServices(),
      (error: unknown) => errorCode('INVALID_RESPONSE')(error) && /without a JSON body/.test((error as Error).message),
    );
  });

  it('retries a GET on 503, but never a POST', async () => {
    const unavailable = reply(503, { status: 'error', error: { code: 'UPSTREAM_UNAVAILABLE', message: 'down' } });
    const get = scripted(unavailable, reply(200, { status: 'success', data: SERVICES }));
    assert.deepEqual(await client(get.transport).listServices(), SERVICES);
    assert.equal(get.requests.length, 2);
    const post = scripted(unavailable);
    await assert.rejects(client(post.transport).initService({ id: 's1' }), errorCode('UPSTREAM_UNAVAILABLE'));
    assert.equal(post.requests.length, 1);
  });

  it('a refused token is refreshed once and the call retried with the new one', async () => {
    const stored: StoredTokens = {
      issuer: 'http://127.0.0.1:5999/realms/mlaas',
      clientId: 'mlaas-cli',
      accessToken: 'old',
      refreshToken: 'r',
      idToken: null,
      tokenType: 'Bearer',
      scope: null,
      expiresAt: Math.floor(Date.now() / 1000) + 3600,
      obtainedAt: 0,
    };
    let current = stored;
    const store: TokenStore = {
      kind: 'memory',
      location: 'memory',
      read: async () => current,
      write: async (_p, t) => void (current = t),
      delete: async () => true,
    };
    const { transport, requests } = scripted(
      reply(401, { status: 'error', error: { code: 'INVALID_TOKEN', message: 'expired' } }),
      reply(200, { status: 'success', data: SERVICES }),
    );
    const c = new MlaasClient({
      env: {},
      configDir,
      keycloakUrl: 'http://127.0.0.1:5999',
      helperUrl: 'http://127.0.0.1:5999',
      tokenStore: store,
      transport,
    });
    // Another process "refreshes" between the two calls: the client must pick up the new token from the store.
    const original = c.session.accessToken.bind(c.session);
    c.session.accessToken = async (options) => {
      if (options?.rejected === 'old') current = { ...stored, accessToken: 'new' };
      return original(options);
    };
    assert.deepEqual(await c.listServices(), SERVICES);
    assert.equal(requests[0]?.headers?.authorization, 'Bearer old');
    assert.equal(requests[1]?.headers?.authorization, 'Bearer new');
  });

  it('without tokens or a way to sign in: AUTH_REQUIRED before any request', async () => {
    const { transport, requests } = scripted();
    const empty: TokenStore = {
      kind: 'memory',
      location: 'memory',
      read: async () => null,
      write: async () => undefined,
      delete: async () => false,
    };
    const c = new MlaasClient({ env: {}, configDir, helperUrl: 'http://127.0.0.1:5999', tokenStore: empty, transport });
    await assert.rejects(c.listServices(), errorCode('AUTH_REQUIRED'));
    assert.equal(requests.length, 0);
  });

  it('refuses to send a token over plain HTTP to another host', async () => {
    const { transport, requests } = scripted();
    await assert.rejects(
      client(transport, { helperUrl: 'http://mlaas.example.org' }).listServices(),
      errorCode('INVALID_SETTING'),
    );
    assert.equal(requests.length, 0);
  });
});
