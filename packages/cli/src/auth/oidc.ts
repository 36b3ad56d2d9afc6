/**
 * @module auth/oidc
 * The OpenID Connect client (openid-client 6): discovery of the issuer, loaded only by commands that talk to
 * the issuer, with every request going through the CLI's transport (CA file, timeouts, verbose lines).
 * Plain HTTP is allowed for an issuer on this machine, or when the user allowed it explicitly.
 */
import type * as OpenIdClient from 'openid-client';
import { assertSecureUrl, isLoopbackUrl } from '../config/secure-url.js';
import { MlaasError } from '../lib/errors.js';
import { toFetch, type HttpTransport } from '../lib/transport.js';
import type { StoredTokens } from '../store/token-set.js';

/** The openid-client module, loaded on first use. */
export type OidcLibrary = typeof OpenIdClient;

/** Where and how to reach the issuer. */
export interface OidcTarget {
  issuer: string;
  clientId: string;
  allowInsecureHttp: boolean;
  send: HttpTransport;
}

/** A discovered issuer, ready for grants. */
export interface Oidc {
  lib: OidcLibrary;
  config: OpenIdClient.Configuration;
  issuer: string;
  clientId: string;
}

/** Seconds an access token is assumed to live when the issuer does not say. */
const FALLBACK_EXPIRES_IN_SECONDS = 60;

/**
 * Discovers the issuer (`/.well-known/openid-configuration`).
 * @throws MlaasError NETWORK_ERROR/TIMEOUT when the issuer is unreachable, INVALID_RESPONSE for a bad document.
 *
 * @example
 * ```ts
 * const oidc = await discoverIssuer({ issuer: 'http://127.0.0.1:5000/realms/mlaas', clientId: 'mlaas-cli', allowInsecureHttp: false, send });
 * ```
 */
export async function discoverIssuer(target: OidcTarget): Promise<Oidc> {
  assertSecureUrl(target.issuer, 'The identity provider', target.allowInsecureHttp);
  const lib = await import('openid-client');
  const insecure =
    new URL(target.issuer).protocol === 'http:' && (target.allowInsecureHttp || isLoopbackUrl(target.issuer));
  try {
    const config = await lib.discovery(new URL(target.issuer), target.clientId, undefined, lib.None(), {
      [lib.customFetch]: toFetch(target.send),
      ...(insecure ? { execute: [lib.allowInsecureRequests] } : {}),
    });
    return { lib, config, issuer: target.issuer, clientId: target.clientId };
  } catch (error) {
    throw toAuthError(error, `cannot use the identity provider at ${target.issuer}`);
  }
}

/** A token endpoint response, as openid-client returns it. */
export interface TokenResponse {
  access_token: string;
  refresh_token?: string;
  id_token?: string;
  token_type: string;
  scope?: string;
  expires_in?: number;
}

/**
 * Turns a token response into what the store keeps.
 *
 * @example
 * ```ts
 * const tokens = toStoredTokens(await lib.refreshTokenGrant(config, refreshToken), oidc);
 * ```
 */
export function toStoredTokens(
  response: TokenResponse,
  oidc: Pick<Oidc, 'issuer' | 'clientId'>,
  nowSeconds = Math.floor(Date.now() / 1000),
  previous?: StoredTokens | null,
): StoredTokens {
  return {
    issuer: oidc.issuer,
    clientId: oidc.clientId,
    accessToken: response.access_token,
    // An issuer that does not rotate refresh tokens keeps the old one valid (RFC 6749 §6).
    refreshToken: response.refresh_token ?? previous?.refreshToken ?? null,
    idToken: response.id_token ?? previous?.idToken ?? null,
    tokenType: response.token_type,
    scope: response.scope ?? null,
    expiresAt:
      nowSeconds + (typeof response.expires_in === 'number' ? response.expires_in : FALLBACK_EXPIRES_IN_SECONDS),
    obtainedAt: nowSeconds,
  };
}

/**
 * Translates an openid-client failure into an {@link MlaasError}: an OAuth error answer (`invalid_grant`,
 * `access_denied`, `expired_token`) becomes AUTH_FAILED with the issuer's description; transport errors
 * keep their code.
 *
 * @example
 * ```ts
 * try { await lib.genericGrantRequest(config, 'password', params); } catch (e) { throw toAuthError(e, 'sign-in failed'); }
 * ```
 */
export function toAuthError(error: unknown, context: string): MlaasError {
  const own = findMlaasError(error);
  if (own !== undefined) return own;
  const e = error as {
    name?: string;
    error?: string;
    error_description?: string;
    status?: number;
    code?: string;
    message?: string;
  };
  if (e?.name === 'ResponseBodyError' || e?.name === 'AuthorizationResponseError') {
    const description = e.error_description ? `: ${e.error_description}` : '';
    return new MlaasError('AUTH_FAILED', `${context} (${e.error ?? 'error'}${description})`, { cause: error });
  }
  if (e?.code === 'OAUTH_TIMEOUT' || e?.name === 'TimeoutError') {
    return new MlaasError('TIMEOUT', `${context}: the identity provider did not answer in time`, { cause: error });
  }
  return new MlaasError('INVALID_RESPONSE', `${context}: ${e?.message ?? String(error)}`, { cause: error });
}

/** The OAuth error code of an openid-client failure (`invalid_grant`, ...), if it is one. */
export function oauthErrorCode(error: unknown): string | undefined {
  const e = error as { name?: string; error?: string; cause?: unknown };
  if (e?.name === 'ResponseBodyError' || e?.name === 'AuthorizationResponseError') return e.error;
  return undefined;
}

function findMlaasError(error: unknown): MlaasError | undefined {
  for (let current = error, depth = 0; current !== undefined && current !== null && depth < 5; depth += 1) {
    if (current instanceof MlaasError) return current;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}
