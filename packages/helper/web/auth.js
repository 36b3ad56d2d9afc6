/**
 * @module web/auth
 * Browser sign-in as a public OpenID Connect client: authorization code with PKCE (S256), tokens kept in this
 * module's memory only (never in any storage), renewed with the refresh token before the access token
 * expires, and sign-out through the issuer's end-session endpoint. Only the PKCE verifier, state and nonce of
 * a sign-in under way sit in sessionStorage across the redirect, and are removed as soon as it comes back.
 */

const PENDING = 'mlaas.pending-sign-in';
/** Renew this long before the access token expires, in seconds. */
const RENEW_BEFORE_SECONDS = 30;

function base64url(bytes) {
  let text = '';
  for (const byte of bytes) text += String.fromCharCode(byte);
  return btoa(text).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function randomString() {
  return base64url(crypto.getRandomValues(new Uint8Array(32)));
}

async function challengeOf(verifier) {
  return base64url(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier))));
}

/** An error of the sign-in itself, in words, with what to do. */
export class SignInError extends Error {}

/**
 * The sign-in state of this page.
 * @param {{ issuer: string, clientId: string, redirectUri: string, onChange: () => void }} options
 */
export function createAuth({ issuer, clientId, redirectUri, onChange }) {
  let discovery = null; // Promise of the discovery document
  let tokens = null; // { access, refresh, idToken, expiresAt, claims }
  let timer = null;
  let renewing = null;

  /** The issuer's discovery document, fetched once (a failed fetch is tried again next time). */
  function discover() {
    discovery ??= fetchDiscovery().catch((error) => {
      discovery = null;
      throw error;
    });
    return discovery;
  }

  async function fetchDiscovery() {
    let response;
    try {
      response = await fetch(`${issuer}/.well-known/openid-configuration`);
    } catch {
      throw new SignInError(
        `The sign-in service at ${new URL(issuer).origin} cannot be reached. Try again in a minute.`,
      );
    }
    if (!response.ok) throw new SignInError(`The sign-in service answered ${response.status}. Try again in a minute.`);
    return response.json();
  }

  function decodeClaims(jwt) {
    try {
      const payload = jwt.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
      return JSON.parse(new TextDecoder().decode(Uint8Array.from(atob(payload), (c) => c.charCodeAt(0))));
    } catch {
      return {};
    }
  }

  async function tokenRequest(params) {
    const { token_endpoint: endpoint } = await discover();
    let response;
    try {
      response = await fetch(endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ client_id: clientId, ...params }),
      });
    } catch {
      throw new SignInError('The sign-in service cannot be reached. Check your connection and sign in again.');
    }
    const body = await response.json().catch(() => ({}));
    if (!response.ok) {
      throw new SignInError(
        `Sign-in was refused (${body.error_description ?? body.error ?? response.status}). Sign in again.`,
      );
    }
    return body;
  }

  function keep(body) {
    const previous = tokens;
    tokens = {
      access: body.access_token,
      refresh: body.refresh_token ?? previous?.refresh ?? null,
      idToken: body.id_token ?? previous?.idToken ?? null,
      expiresAt: Date.now() + (Number(body.expires_in) || 300) * 1000,
      claims: body.id_token ? decodeClaims(body.id_token) : (previous?.claims ?? decodeClaims(body.access_token)),
    };
    clearTimeout(timer);
    if (tokens.refresh !== null) {
      const wait = Math.max(5_000, tokens.expiresAt - Date.now() - RENEW_BEFORE_SECONDS * 1000);
      timer = setTimeout(() => renew().catch(() => {}), wait);
    }
  }

  /** Renews the access token with the refresh token; on failure the page is signed out. */
  function renew() {
    renewing ??= (async () => {
      try {
        if (tokens?.refresh == null) throw new SignInError('Your session has ended. Sign in again.');
        keep(await tokenRequest({ grant_type: 'refresh_token', refresh_token: tokens.refresh }));
      } catch (error) {
        forget();
        onChange();
        throw error instanceof SignInError ? error : new SignInError('Your session has ended. Sign in again.');
      } finally {
        renewing = null;
      }
    })();
    return renewing;
  }

  function forget() {
    clearTimeout(timer);
    tokens = null;
  }

  return {
    /** True while signed in. */
    get signedIn() {
      return tokens !== null;
    },
    /** The signed-in person's name, from the ID token. */
    get userName() {
      const claims = tokens?.claims ?? {};
      return claims.name ?? claims.preferred_username ?? claims.email ?? 'signed in';
    },

    /** Reads the issuer's discovery document now (the page preloads it), so signing in waits for nothing. */
    prepare() {
      discover().catch(() => {});
    },

    /** Sends the browser to the issuer's sign-in page. */
    async signIn() {
      const { authorization_endpoint: endpoint } = await discover();
      const pending = { verifier: randomString(), state: randomString(), nonce: randomString() };
      sessionStorage.setItem(PENDING, JSON.stringify(pending));
      const url = new URL(endpoint);
      url.search = new URLSearchParams({
        response_type: 'code',
        client_id: clientId,
        redirect_uri: redirectUri,
        scope: 'openid profile email',
        state: pending.state,
        nonce: pending.nonce,
        code_challenge: await challengeOf(pending.verifier),
        code_challenge_method: 'S256',
      }).toString();
      location.assign(url.href);
    },

    /**
     * Completes a sign-in when the issuer has just redirected back here; removes the code from the address.
     * @returns true when it did.
     * @throws SignInError when the issuer refused or the answer does not belong to this browser's sign-in.
     */
    async completeSignIn() {
      const params = new URLSearchParams(location.search);
      if (!params.has('code') && !params.has('error')) return false;
      const pending = JSON.parse(sessionStorage.getItem(PENDING) ?? 'null');
      sessionStorage.removeItem(PENDING);
      history.replaceState(null, '', location.pathname);
      if (params.has('error')) {
        const reason = params.get('error_description') ?? params.get('error');
        throw new SignInError(`Sign-in did not complete (${reason}). Sign in again.`);
      }
      if (pending === null || params.get('state') !== pending.state) {
        throw new SignInError('This sign-in was not started from this page (or was started twice). Sign in again.');
      }
      const body = await tokenRequest({
        grant_type: 'authorization_code',
        code: params.get('code'),
        redirect_uri: redirectUri,
        code_verifier: pending.verifier,
      });
      if (body.id_token && decodeClaims(body.id_token).nonce !== pending.nonce) {
        throw new SignInError('The sign-in answer does not match this sign-in. Sign in again.');
      }
      keep(body);
      return true;
    },

    /** A valid access token, renewed first when it is about to expire. @throws SignInError when signed out. */
    async accessToken() {
      if (tokens === null) throw new SignInError('You are signed out. Sign in again.');
      if (Date.now() > tokens.expiresAt - RENEW_BEFORE_SECONDS * 1000) await renew();
      return tokens.access;
    },

    /** Called when the API refused the token: try one renewal, else the page is signed out. */
    async tokenRefused() {
      await renew();
    },

    /** Ends the session at the issuer and comes back here signed out. */
    async signOut() {
      const idToken = tokens?.idToken ?? null;
      forget();
      const config = await discover().catch(() => null);
      if (config?.end_session_endpoint) {
        const url = new URL(config.end_session_endpoint);
        url.search = new URLSearchParams({
          client_id: clientId,
          post_logout_redirect_uri: redirectUri,
          ...(idToken !== null ? { id_token_hint: idToken } : {}),
        }).toString();
        location.assign(url.href);
      } else {
        onChange();
      }
    },
  };
}
