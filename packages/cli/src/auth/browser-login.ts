/**
 * @module auth/browser-login
 * Sign-in in a browser: authorization code with PKCE (S256) and a `state` check, the code arriving on a
 * loopback listener at `http://127.0.0.1:<ephemeral port>/callback` (RFC 8252 §7.3). Gives up after a few
 * minutes with a clear message.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DEFAULT_SCOPE } from '../config/defaults.js';
import { MlaasError } from '../lib/errors.js';
import type { StoredTokens } from '../store/token-set.js';
import { toAuthError, toStoredTokens, type Oidc } from './oidc.js';

/** How long to wait for the browser to come back. */
export const DEFAULT_BROWSER_LOGIN_TIMEOUT_MS = 5 * 60_000;
/** Path of the loopback redirect URI. */
export const CALLBACK_PATH = '/callback';

/** Options of {@link browserLogin}. */
export interface BrowserLoginOptions {
  /** Opens the authorization URL in a browser, or shows it to the user. */
  openUrl: (url: string) => void;
  timeoutMs?: number;
}

/**
 * Runs the authorization-code flow through the user's browser.
 * @throws MlaasError LOGIN_TIMEOUT when the browser does not come back in time, AUTH_FAILED when the issuer
 * refuses (the user cancelled, the code exchange failed).
 *
 * @example
 * ```ts
 * const tokens = await browserLogin(oidc, { openUrl: (url) => console.error(`Open ${url}`) });
 * ```
 */
export async function browserLogin(oidc: Oidc, options: BrowserLoginOptions): Promise<StoredTokens> {
  const { lib, config } = oidc;
  const timeoutMs = options.timeoutMs ?? DEFAULT_BROWSER_LOGIN_TIMEOUT_MS;
  const verifier = lib.randomPKCECodeVerifier();
  const challenge = await lib.calculatePKCECodeChallenge(verifier);
  const state = lib.randomState();

  let settle: { resolve: (url: URL) => void; reject: (error: Error) => void } | undefined;
  const callback = new Promise<URL>((resolve, reject) => (settle = { resolve, reject }));
  let received = false;
  const pending: ServerResponse[] = [];

  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', redirectUri);
    if (req.method !== 'GET' || url.pathname !== CALLBACK_PATH) {
      sendPage(res, 404, 'Not found', 'This address only receives the sign-in result.');
      return;
    }
    // A request without our state is not the answer to our request (another tab, or a forged link).
    if (url.searchParams.get('state') !== state) {
      sendPage(
        res,
        400,
        'Sign-in not recognised',
        'This sign-in response does not belong to the waiting mlaas command.',
      );
      return;
    }
    pending.push(res);
    if (received) return;
    received = true;
    settle?.resolve(url);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const redirectUri = `http://127.0.0.1:${(server.address() as AddressInfo).port}${CALLBACK_PATH}`;

  const timer = setTimeout(() => {
    settle?.reject(
      new MlaasError('LOGIN_TIMEOUT', `no sign-in arrived from the browser within ${describeDuration(timeoutMs)}`, {
        hint: 'Run mlaas login again, or use mlaas login --device to sign in on another device.',
      }),
    );
  }, timeoutMs);

  try {
    const url = lib.buildAuthorizationUrl(config, {
      redirect_uri: redirectUri,
      scope: DEFAULT_SCOPE,
      code_challenge: challenge,
      code_challenge_method: 'S256',
      state,
    });
    options.openUrl(url.href);
    const answer = await callback;
    const error = answer.searchParams.get('error');
    if (error !== null) {
      const description = answer.searchParams.get('error_description');
      finish(pending, 400, 'Sign-in failed', description ?? error);
      throw new MlaasError(
        'AUTH_FAILED',
        `sign-in failed in the browser (${error}${description ? `: ${description}` : ''})`,
      );
    }
    let tokens: StoredTokens;
    try {
      const response = await lib.authorizationCodeGrant(config, answer, {
        pkceCodeVerifier: verifier,
        expectedState: state,
      });
      tokens = toStoredTokens(response, oidc);
    } catch (grantError) {
      finish(pending, 400, 'Sign-in failed', 'The sign-in could not be completed. Return to the terminal for details.');
      throw toAuthError(grantError, 'sign-in failed');
    }
    finish(
      pending,
      200,
      'Signed in',
      'You are signed in to MLaaS. You can close this window and return to the terminal.',
    );
    return tokens;
  } finally {
    clearTimeout(timer);
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

function finish(pending: ServerResponse[], status: number, title: string, text: string): void {
  for (const res of pending.splice(0)) sendPage(res, status, title, text);
}

function sendPage(res: ServerResponse, status: number, title: string, text: string): void {
  if (res.writableEnded) return;
  const escape = (value: string) => value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'",
    'cache-control': 'no-store',
    'referrer-policy': 'no-referrer',
    connection: 'close',
  });
  res.end(
    `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>${escape(title)} · MLaaS</title>` +
      '<style>body{font-family:system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem;line-height:1.5}</style></head>' +
      `<body><main><h1>${escape(title)}</h1><p>${escape(text)}</p></main></body></html>`,
  );
}

function describeDuration(ms: number): string {
  const [amount, unit] =
    ms >= 60_000 ? [Math.round(ms / 60_000), 'minute'] : [Math.max(1, Math.round(ms / 1000)), 'second'];
  return `${amount} ${unit}${amount === 1 ? '' : 's'}`;
}
