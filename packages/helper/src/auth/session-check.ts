/**
 * @module auth/session-check
 * Asks the issuer whether the session behind an access token is still active. A signed token stays valid
 * until it expires, even after the user signed out or the issuer revoked the session (a replayed refresh
 * token); the requests that create or reveal a key ask once more, so they stop at revocation rather than
 * at expiry. Other requests rely on the token alone.
 */
import { HelperError } from '../errors/helper-error.js';

/** Longest discovery document read, in bytes. */
const MAX_DOCUMENT_BYTES = 512 * 1024;

/** Resolves when the session is active; throws INVALID_TOKEN when it ended, UPSTREAM_* when unknown. */
export type SessionCheck = (token: string) => Promise<void>;

/** What a user is told when the session behind their token has ended. */
export const SESSION_ENDED_MESSAGE = 'Your session at the sign-in service has ended; sign in again.';

/**
 * A check through the issuer's userinfo endpoint (OpenID Connect Core §5.3): Keycloak answers 401 there
 * once the token's session is gone. The endpoint comes from discovery and must be on the issuer's origin.
 * @example const check = createUserinfoSessionCheck({ issuer, timeoutMs: 5_000 }); await check(token);
 */
export function createUserinfoSessionCheck(options: {
  issuer: string;
  timeoutMs: number;
  fetch?: typeof globalThis.fetch;
}): SessionCheck {
  const fetchImpl = options.fetch ?? globalThis.fetch;
  const issuerOrigin = new URL(options.issuer).origin;
  let userinfo: string | null = null;

  async function call(url: string, init: RequestInit): Promise<Response> {
    try {
      return await fetchImpl(url, { ...init, redirect: 'error', signal: AbortSignal.timeout(options.timeoutMs) });
    } catch (error) {
      const timedOut = (error as Error).name === 'TimeoutError';
      throw new HelperError(
        timedOut ? 'UPSTREAM_TIMEOUT' : 'UPSTREAM_UNAVAILABLE',
        'The sign-in service did not answer whether your session is active; try again shortly.',
        { cause: error, retryAfterSeconds: 5 },
      );
    }
  }

  async function userinfoEndpoint(): Promise<string> {
    if (userinfo !== null) return userinfo;
    const response = await call(`${options.issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`, {
      headers: { accept: 'application/json' },
    });
    const text = await response.text();
    let endpoint: unknown;
    try {
      endpoint = response.ok && text.length <= MAX_DOCUMENT_BYTES ? JSON.parse(text).userinfo_endpoint : undefined;
    } catch {
      endpoint = undefined;
    }
    if (typeof endpoint !== 'string' || !URL.canParse(endpoint) || new URL(endpoint).origin !== issuerOrigin) {
      throw new HelperError(
        'CONFIG_ERROR',
        'The token issuer publishes no userinfo endpoint on its own origin, which the session check needs (or set OIDC_SESSION_CHECK=false).',
      );
    }
    userinfo = endpoint;
    return endpoint;
  }

  // Requests carrying the same token while its check is in flight share that check: a burst of key requests
  // asks the issuer once, and each answer still comes from a check that ended after its request arrived.
  const inFlight = new Map<string, Promise<void>>();
  return (token) => {
    let check = inFlight.get(token);
    if (check === undefined) {
      check = ask(token).finally(() => inFlight.delete(token));
      inFlight.set(token, check);
    }
    return check;
  };

  async function ask(token: string): Promise<void> {
    const response = await call(await userinfoEndpoint(), {
      headers: { accept: 'application/json', authorization: `Bearer ${token}` },
    });
    await response.arrayBuffer();
    if (response.ok) return;
    if (response.status === 401) throw new HelperError('INVALID_TOKEN', SESSION_ENDED_MESSAGE);
    if (response.status === 403) {
      throw new HelperError(
        'INVALID_TOKEN',
        'The sign-in service would not say whether your session is active (the token lacks the "openid" scope); sign in again.',
      );
    }
    throw new HelperError(
      'UPSTREAM_UNAVAILABLE',
      `The sign-in service could not say whether your session is active (HTTP ${response.status}); try again shortly.`,
      { retryAfterSeconds: 5 },
    );
  }
}
