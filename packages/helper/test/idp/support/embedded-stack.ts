/**
 * @module test/idp/support/embedded-stack
 * A real helper with the embedded issuer and the embedded store, listening on a free loopback port with its
 * data in a temp directory, plus small clients for the token endpoint and for browser-like form posting.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHelper, type Helper } from '../../../src/app/create-helper.js';
import { embeddedStackEnv, loadConfig } from '../../../src/config/load-config.js';
import { createLogger } from '../../../src/log/logger.js';
import { captureLines } from '../../support/capture-log.js';

export const CLIENT_ID = 'mlaas-cli';
export const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

export interface Discovery {
  issuer: string;
  token_endpoint: string;
  authorization_endpoint: string;
  device_authorization_endpoint: string;
  jwks_uri: string;
  end_session_endpoint: string;
  revocation_endpoint: string;
  userinfo_endpoint: string;
  [key: string]: unknown;
}

export interface TokenResponse {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
}

export interface Stack {
  helper: Helper;
  /** The helper's base URL. */
  url: string;
  issuer: string;
  dataDir: string;
  discovery: Discovery;
  logs: string[];
  /** POSTs a form to the token endpoint. */
  token(params: Record<string, string>): Promise<TokenResponse>;
  /** Password grant for a user; throws unless it succeeds. */
  passwordLogin(username: string, password: string, scope?: string): Promise<Record<string, string>>;
  /** GET /api/services with a bearer token. */
  listServices(accessToken: string): Promise<{ status: number; body: Record<string, unknown> }>;
  close(options?: { keepData?: boolean }): Promise<void>;
}

/**
 * Starts the embedded stack (`mlaas-helper --embedded` settings) on a free port.
 * @param env extra settings; `dataDir` reuses a data directory (to test restarts).
 */
export async function startStack(env: Record<string, string> = {}, given: { dataDir?: string } = {}): Promise<Stack> {
  const dataDir = given.dataDir ?? mkdtempSync(join(tmpdir(), 'mlaas-idp-'));
  const { stream: sink, lines: logs } = captureLines();
  const config = loadConfig(
    embeddedStackEnv({
      PORT: '0',
      MLAAS_DATA_DIR: dataDir,
      LOG_LEVEL: 'info',
      RATE_LIMIT_IP_PER_MINUTE: '100000',
      ...env,
    }),
  );
  const helper = await createHelper(config, {
    logger: createLogger({ level: 'info', destination: sink }),
    defaultMetrics: false,
  });
  const url = await helper.listen();
  const issuer = helper.embeddedIdp?.issuer ?? '';
  const discovery = (await (await fetch(`${issuer}/.well-known/openid-configuration`)).json()) as Discovery;

  async function token(params: Record<string, string>): Promise<TokenResponse> {
    const response = await fetch(discovery.token_endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: new URLSearchParams(params),
    });
    return {
      status: response.status,
      headers: response.headers,
      body: (await response.json()) as Record<string, unknown>,
    };
  }

  return {
    helper,
    url,
    issuer,
    dataDir,
    discovery,
    logs,
    token,
    async passwordLogin(username, password, scope = 'openid profile email') {
      const response = await token({ grant_type: 'password', client_id: CLIENT_ID, username, password, scope });
      if (response.status !== 200)
        throw new Error(`password login failed: ${response.status} ${JSON.stringify(response.body)}`);
      return response.body as Record<string, string>;
    },
    async listServices(accessToken) {
      const response = await fetch(`${url}/api/services`, { headers: { authorization: `Bearer ${accessToken}` } });
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    },
    async close(options = {}) {
      await helper.close();
      if (!options.keepData && given.dataDir === undefined) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** The claims of a JWT, without verifying it (the tests verify through the helper). */
export function decodeJwt(token: string): Record<string, unknown> {
  const [, payload] = token.split('.');
  return JSON.parse(Buffer.from(payload ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
}

/** A PKCE verifier and its S256 challenge (RFC 7636 §4). */
export function pkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

/**
 * A minimal browser for form-based flows: keeps cookies per origin, follows redirects within the issuer,
 * and stops at a redirect that leaves it (the client's loopback callback).
 */
export class FormBrowser {
  private readonly cookies = new Map<string, string>();
  lastStatus = 0;
  lastHtml = '';
  lastUrl = '';

  constructor(private readonly origin: string) {}

  private cookieHeader(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }

  private remember(headers: Headers): void {
    for (const line of headers.getSetCookie()) {
      const [pair] = line.split(';');
      const index = (pair ?? '').indexOf('=');
      if (index <= 0) continue;
      const name = (pair as string).slice(0, index).trim();
      const value = (pair as string).slice(index + 1).trim();
      if (value === '' || /expires=Thu, 01 Jan 1970/i.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  /** Requests a URL and follows same-origin redirects; returns the first foreign redirect target, if any. */
  async go(url: string, init: { method?: string; form?: Record<string, string> } = {}): Promise<string | null> {
    let next: string | null = url;
    let method = init.method ?? 'GET';
    let body: URLSearchParams | undefined = init.form ? new URLSearchParams(init.form) : undefined;
    for (let hops = 0; hops < 20 && next !== null; hops += 1) {
      if (!next.startsWith(this.origin)) return next;
      const response: Response = await fetch(next, {
        method,
        redirect: 'manual',
        headers: {
          accept: 'text/html',
          cookie: this.cookieHeader(),
          ...(body ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
        },
        ...(body ? { body } : {}),
      });
      this.remember(response.headers);
      this.lastStatus = response.status;
      this.lastUrl = next;
      const location = response.headers.get('location');
      if (response.status >= 300 && response.status < 400 && location !== null) {
        next = new URL(location, next).href;
        method = 'GET';
        body = undefined;
        await response.arrayBuffer();
        continue;
      }
      this.lastHtml = await response.text();
      return null;
    }
    return next;
  }

  /** A form action on the page (of a form or a submit button): the first one, or the first that matches. */
  formAction(match?: RegExp): string {
    const actions = [...this.lastHtml.matchAll(/(?:<form[^>]*\saction|formaction)="([^"]*)"/g)].map((m) =>
      decodeEntities(m[1] ?? ''),
    );
    const action = match ? actions.find((a) => match.test(a)) : actions[0];
    if (action === undefined) throw new Error(`no form on the page: ${this.lastHtml.slice(0, 500)}`);
    return new URL(action, this.lastUrl).href;
  }

  /** The value of a hidden input on the page. */
  hidden(name: string): string {
    const match = new RegExp(`name="${name}" value="([^"]*)"`).exec(this.lastHtml);
    if (match === null) throw new Error(`no hidden input ${name} on the page`);
    return decodeEntities(match[1] ?? '');
  }
}

function decodeEntities(text: string): string {
  return text.replace(/&#(\d+);/g, (_m, code: string) => String.fromCharCode(Number(code))).replace(/&amp;/g, '&');
}

/** Starts an authorization request in a form browser; returns the browser on the sign-in page. */
export async function startAuthorization(
  stack: Stack,
  params: Record<string, string>,
): Promise<{ browser: FormBrowser; redirect: string | null }> {
  const browser = new FormBrowser(new URL(stack.issuer).origin);
  const url = `${stack.discovery.authorization_endpoint}?${new URLSearchParams(params)}`;
  const redirect = await browser.go(url);
  return { browser, redirect };
}

/** Signs in on the current sign-in page; returns the foreign redirect (the callback) if the flow ends there. */
export async function submitLogin(browser: FormBrowser, username: string, password: string): Promise<string | null> {
  return browser.go(browser.formAction(/\/login$/), {
    method: 'POST',
    form: { csrf: browser.hidden('csrf'), username, password },
  });
}
