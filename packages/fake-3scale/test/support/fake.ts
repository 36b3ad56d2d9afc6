/**
 * @module test/support/fake
 * Test helpers: a fake on a free loopback port, and a small client that authenticates the way a test
 * asks (Basic by default, as the adapter does).
 */
import { request } from 'node:http';
import { after } from 'node:test';
import { type Fake3scale, type Fake3scaleOptions, createFake3scale } from '../../src/index.js';

export const TOKEN = 'test-admin-token-0123456789abcdef';

export type AuthMode = 'basic' | 'query' | 'form' | 'json' | 'none';

export interface CallOptions {
  method?: string;
  auth?: AuthMode;
  token?: string;
  /** Body parameters (sent form-encoded unless `auth` is `json` or `json` is set). */
  body?: Record<string, string | number>;
  json?: boolean;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

export interface Harness {
  fake: Fake3scale;
  url: string;
  call(path: string, options?: CallOptions): Promise<Response>;
  json<T = Record<string, unknown>>(path: string, options?: CallOptions): Promise<{ status: number; body: T }>;
}

export const basicHeader = (userPass: string): string => `Basic ${Buffer.from(userPass).toString('base64')}`;

/**
 * An HTTP request through `node:http` (fetch refuses a body on GET, which 3scale clients do send), answered
 * as a fetch `Response`.
 */
export function send(
  target: URL,
  method: string,
  headers: Record<string, string>,
  body?: string,
  signal?: AbortSignal,
): Promise<Response> {
  return new Promise((resolve, reject) => {
    // An explicit length: Node frames no body on a GET unless told its size.
    const framed = body === undefined ? headers : { ...headers, 'content-length': String(Buffer.byteLength(body)) };
    const req = request(target, { method, headers: framed, ...(signal ? { signal } : {}) }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () => {
        const responseHeaders = new Headers();
        for (const [name, value] of Object.entries(res.headers)) {
          if (typeof value === 'string') responseHeaders.set(name, value);
        }
        const payload = Buffer.concat(chunks);
        resolve(
          new Response(payload.length > 0 ? payload : null, { status: res.statusCode ?? 0, headers: responseHeaders }),
        );
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Starts a fake (closed after the test file) and returns it with a client. */
export async function startFake(options: Fake3scaleOptions = {}): Promise<Harness> {
  const fake = createFake3scale({ accessToken: TOKEN, ...options });
  const url = await fake.listen();
  after(() => fake.close());
  const call = (path: string, o: CallOptions = {}): Promise<Response> => {
    const token = o.token ?? TOKEN;
    const auth = o.auth ?? 'basic';
    const target = new URL(path, url);
    const headers: Record<string, string> = { ...o.headers };
    let params: Record<string, string | number> | undefined = o.body;
    if (auth === 'basic') headers.authorization = basicHeader(`:${token}`);
    if (auth === 'query') target.searchParams.set('access_token', token);
    if (auth === 'form' || auth === 'json') params = { ...params, access_token: token };
    let body: string | undefined;
    if (params) {
      if (auth === 'json' || o.json) {
        headers['content-type'] = 'application/json';
        body = JSON.stringify(params);
      } else {
        headers['content-type'] = 'application/x-www-form-urlencoded';
        body = new URLSearchParams(Object.entries(params).map(([k, v]): [string, string] => [k, String(v)])).toString();
      }
    }
    return send(target, o.method ?? 'GET', headers, body, o.signal);
  };
  return {
    fake,
    url,
    call,
    async json<T>(path: string, o: CallOptions = {}) {
      const response = await call(path, o);
      const text = await response.text();
      return { status: response.status, body: (text === '' ? undefined : JSON.parse(text)) as T };
    },
  };
}

/** Ids from the live tenant by system name / username, so tests do not hard-code generated ids. */
export function ids(fake: Fake3scale) {
  const state = fake.state;
  return {
    service: (systemName: string) => {
      const s = state.listServices().find((x) => x.systemName === systemName);
      if (!s) throw new Error(`no service ${systemName}`);
      return s.id;
    },
    plan: (systemName: string, planName: string) => {
      const serviceId = state.listServices().find((x) => x.systemName === systemName)?.id;
      const p = state.plansOf(serviceId).find((x) => x.systemName === planName);
      if (!p) throw new Error(`no plan ${systemName}/${planName}`);
      return p.id;
    },
    account: (username: string) => {
      const u = state.userByUsername(username);
      if (!u) throw new Error(`no user ${username}`);
      return u.accountId;
    },
  };
}
