/**
 * Security headers, over real sockets: every answer — success, each kind of error, answers written straight
 * to the socket, the demo gateway, the embedded issuer's pages — says nosniff and denies framing; key and
 * list answers are never cacheable; the API sends no CORS headers to any origin; and no `Server` or
 * `X-Powered-By` header names software or a version.
 */
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { startHarness, type Harness } from '../support/helper-harness.js';

interface Answer {
  status: number;
  headers: Record<string, string>;
}

/** Every answer seen, for the checks that apply to all of them. */
const seen: { label: string; answer: Answer }[] = [];

async function send(
  base: string,
  label: string,
  method: string,
  path: string,
  options: { headers?: Record<string, string>; body?: string } = {},
): Promise<Answer> {
  const response = await fetch(`${base}${path}`, {
    method,
    redirect: 'manual',
    headers: options.headers ?? {},
    ...(options.body !== undefined ? { body: options.body } : {}),
  });
  await response.arrayBuffer();
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => (headers[name] = value));
  const answer = { status: response.status, headers };
  seen.push({ label, answer });
  return answer;
}

/** Sends raw bytes and parses the status line and headers of the answer (for answers Fastify never sees). */
async function sendRaw(base: string, label: string, bytes: string): Promise<Answer> {
  const { hostname, port } = new URL(base);
  const text = await new Promise<string>((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.end(bytes));
    let received = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (received += chunk));
    socket.on('end', () => resolve(received));
    socket.on('error', reject);
  });
  const [head = ''] = text.split('\r\n\r\n');
  const [statusLine = '', ...lines] = head.split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const answer = { status: Number(statusLine.split(' ')[1]), headers };
  seen.push({ label, answer });
  return answer;
}

function assertFramingAndSniffingDenied(label: string, { headers }: Answer): void {
  assert.equal(headers['x-content-type-options'], 'nosniff', `${label}: nosniff`);
  const framesDenied =
    headers['x-frame-options'] === 'DENY' || /frame-ancestors 'none'/.test(headers['content-security-policy'] ?? '');
  assert.ok(framesDenied, `${label}: framing is denied`);
}

describe('security headers', () => {
  let h: Harness;
  let base: string;
  let token: string;
  let key: string;

  before(async () => {
    h = await startHarness({
      EMBEDDED_IDP: 'true',
      RATE_LIMIT_IP_PER_MINUTE: '0',
      RATE_LIMIT_USER_PER_MINUTE: '0',
      RATE_LIMIT_INIT_PER_MINUTE: '6',
      BODY_LIMIT_BYTES: '1024',
      HEADER_LIMIT_BYTES: '4096',
    });
    base = await h.helper.listen();
    token = await h.issuer.token({ claims: { sub: 'sub-headers', preferred_username: 'headers' } });
  });
  after(() => h.close());

  it('every API answer, success or error, denies sniffing and framing and is not cached', async () => {
    const bearer = { authorization: `Bearer ${token}` };
    const json = { ...bearer, 'content-type': 'application/json' };
    const cases: [string, number, string, string, { headers?: Record<string, string>; body?: string }?][] = [
      ['health', 200, 'GET', '/api/health'],
      ['readiness', 200, 'GET', '/api/ready'],
      ['OpenAPI document', 200, 'GET', '/api/openapi.json'],
      ['metrics', 200, 'GET', '/metrics'],
      ['list', 200, 'GET', '/api/services', { headers: bearer }],
      ['init', 200, 'POST', '/api/services/init', { headers: json, body: '{"service_id":"sentiment-analysis"}' }],
      ['no token', 401, 'GET', '/api/services'],
      ['bad token', 401, 'GET', '/api/services', { headers: { authorization: 'Bearer a.b.c' } }],
      ['invalid body', 400, 'POST', '/api/services/init', { headers: json, body: '{"service_id":""}' }],
      ['malformed JSON', 400, 'POST', '/api/services/init', { headers: json, body: '{"service_id":' }],
      [
        'unknown service',
        404,
        'POST',
        '/api/services/init',
        { headers: json, body: '{"service_id":"no-such-service"}' },
      ],
      ['unknown path', 404, 'GET', '/api/nothing'],
      ['wrong method', 405, 'DELETE', '/api/services'],
      [
        'body too large',
        413,
        'POST',
        '/api/services/init',
        { headers: json, body: JSON.stringify({ service_name: 'x'.repeat(2_000) }) },
      ],
      [
        'not JSON',
        415,
        'POST',
        '/api/services/init',
        { headers: { ...bearer, 'content-type': 'text/xml' }, body: '<x/>' },
      ],
    ];
    for (const [label, status, method, path, options] of cases) {
      const answer = await send(base, label, method, path, options);
      assert.equal(answer.status, status, label);
      assertFramingAndSniffingDenied(label, answer);
      assert.equal(answer.headers['cache-control'], 'no-store', `${label}: not cached`);
      assert.equal(answer.headers['referrer-policy'], 'no-referrer', label);
    }
    // Past the init limit: 429 with Retry-After, and the same headers.
    let limited: Answer | undefined;
    for (let i = 0; i < 8 && limited === undefined; i += 1) {
      const answer = await send(base, 'init over its limit', 'POST', '/api/services/init', {
        headers: json,
        body: '{"service_id":"text-embedding"}',
      });
      if (answer.status === 429) limited = answer;
    }
    assert.ok(limited, 'the init limit was reached');
    assert.ok(Number(limited.headers['retry-after']) >= 1);
    assertFramingAndSniffingDenied('429', limited);
    assert.equal(limited.headers['cache-control'], 'no-store');
  });

  it('answers written straight to the socket (431, malformed HTTP) carry the same headers', async () => {
    const oversized = await sendRaw(
      base,
      'oversized headers',
      `GET /api/health HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(8_000)}\r\n\r\n`,
    );
    assert.equal(oversized.status, 431);
    const garbage = await sendRaw(base, 'malformed request', 'NOT HTTP AT ALL\r\n\r\n');
    assert.equal(garbage.status, 400);
    for (const [label, answer] of [
      ['431', oversized],
      ['400', garbage],
    ] as const) {
      assertFramingAndSniffingDenied(label, answer);
      assert.equal(answer.headers['cache-control'], 'no-store', label);
    }
  });

  it('key answers are never cacheable, by any cache', async () => {
    const init = await send(base, 'init again', 'POST', '/api/services/init', {
      headers: {
        authorization: `Bearer ${await h.issuer.token({ claims: { sub: 'sub-cache', preferred_username: 'cache' } })}`,
        'content-type': 'application/json',
      },
      body: '{"service_id":"sentiment-analysis"}',
    });
    assert.equal(init.status, 200);
    assert.equal(init.headers['cache-control'], 'no-store');
    assert.equal(init.headers.etag, undefined, 'no validator for a cache to keep the key under');
    assert.equal(init.headers['last-modified'], undefined);
  });

  it('the demo gateway denies sniffing and framing too', async () => {
    const init = await h.helper.app.inject({
      method: 'POST',
      url: '/api/services/init',
      headers: {
        authorization: `Bearer ${await h.issuer.token({ claims: { sub: 'sub-gw', preferred_username: 'gw' } })}`,
      },
      payload: { service_id: 'sentiment-analysis' },
    });
    key = init.json().data.api_key;
    for (const [label, headers, status] of [
      ['gateway with key', { 'x-api-key': key }, 200],
      ['gateway without key', {}, 403],
    ] as const) {
      const answer = await send(base, label, 'POST', '/gateway/sentiment-analysis/v1/predict', {
        headers: { ...headers, 'content-type': 'application/json' },
        body: '{"text":"fine"}',
      });
      assert.equal(answer.status, status, label);
      assertFramingAndSniffingDenied(label, answer);
    }
  });

  it('the API sends no CORS headers to any origin, for simple or preflight requests', async () => {
    const origins = ['https://evil.example', 'null', base, 'http://127.0.0.1:1'];
    for (const origin of origins) {
      const answers = [
        await send(base, `list from ${origin}`, 'GET', '/api/services', {
          headers: { origin, authorization: `Bearer ${token}` },
        }),
        await send(base, `health from ${origin}`, 'GET', '/api/health', { headers: { origin } }),
        await send(base, `preflight from ${origin}`, 'OPTIONS', '/api/services/init', {
          headers: {
            origin,
            'access-control-request-method': 'POST',
            'access-control-request-headers': 'authorization, content-type',
          },
        }),
      ];
      for (const answer of answers) {
        const cors = Object.keys(answer.headers).filter((name) => name.startsWith('access-control-'));
        assert.deepEqual(cors, [], `no CORS for ${origin}`);
      }
      assert.notEqual(answers[2]?.status, 204, 'a preflight is not approved');
    }
  });

  it("the embedded issuer's pages deny framing; only its public metadata is readable cross-origin, without credentials", async () => {
    const realm = '/realms/mlaas';
    const origin = { origin: 'https://evil.example' };
    const metadata = [`${realm}/.well-known/openid-configuration`, `${realm}/protocol/openid-connect/certs`];
    for (const path of metadata) {
      const answer = await send(base, path, 'GET', path, { headers: origin });
      assert.equal(answer.status, 200, path);
      assertFramingAndSniffingDenied(path, answer);
      assert.equal(answer.headers['access-control-allow-credentials'], undefined, `${path}: no credentialed CORS`);
    }
    const pages: [string, string, string, Record<string, string>?, string?][] = [
      ['device page', 'GET', `${realm}/device`],
      [
        'authorization request',
        'GET',
        `${realm}/protocol/openid-connect/auth?client_id=mlaas-cli&response_type=code&scope=openid`,
      ],
      [
        'token endpoint',
        'POST',
        `${realm}/protocol/openid-connect/token`,
        { 'content-type': 'application/x-www-form-urlencoded' },
        'grant_type=password&client_id=mlaas-cli&username=x&password=y',
      ],
      [
        'device authorization',
        'POST',
        `${realm}/protocol/openid-connect/auth/device`,
        { 'content-type': 'application/x-www-form-urlencoded' },
        'client_id=mlaas-cli',
      ],
    ];
    for (const [label, method, path, headers, body] of pages) {
      const answer = await send(base, label, method, path, {
        headers: { ...origin, ...headers },
        ...(body !== undefined ? { body } : {}),
      });
      assertFramingAndSniffingDenied(label, answer);
      assert.equal(answer.headers['access-control-allow-origin'], undefined, `${label}: no cross-origin callers`);
    }
  });

  it('no Server or X-Powered-By header names software or a version, on any answer above', () => {
    assert.ok(seen.length >= 30, `${seen.length} answers were checked`);
    for (const { label, answer } of seen) {
      assert.equal(answer.headers['x-powered-by'], undefined, `${label}: X-Powered-By`);
      const server = answer.headers.server;
      assert.ok(server === undefined || !/\d|node|fastify|koa|express/i.test(server), `${label}: Server: ${server}`);
      assert.equal(answer.headers['x-aspnet-version'], undefined);
    }
  });
});
