/**
 * @module auth/token-verifier
 * Verifies bearer access tokens: signature with an asymmetric allow-list, exact issuer, audience (or `azp`),
 * expiry with a small tolerance. Verified tokens are cached until they expire, so a client that repeats its
 * token does not repeat the RSA verification.
 */
import { errors as joseErrors, jwtVerify, type JWTHeaderParameters, type JWTPayload } from 'jose';
import { LRUCache } from 'lru-cache';
import type { Identity } from '../apim/api-manager.js';
import { HelperError, isHelperError } from '../errors/helper-error.js';
import { identityFromClaims } from './identity.js';
import type { ClaimPaths } from '../entitlements/policy.js';
import type { IssuerKeys } from './issuer-keys.js';

/** Longest token accepted before any parsing, in characters. */
export const MAX_TOKEN_LENGTH = 8_192;
/** A compact JWS: three base64url segments. */
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

/** Why a token was refused, for metrics. */
export type TokenFailureReason =
  | 'malformed'
  | 'expired'
  | 'not_yet_valid'
  | 'issuer'
  | 'audience'
  | 'algorithm'
  | 'signature'
  | 'unknown_key'
  | 'claims'
  | 'token_type'
  | 'lifetime';

/** Header `typ` values of an access token (RFC 9068 §2.1 `at+jwt`; plain `JWT` from issuers that predate it). */
const ACCESS_TOKEN_HEADER_TYPES = new Set(['at+jwt', 'application/at+jwt', 'jwt', 'application/jwt']);
/** Claims only an ID token carries (OpenID Connect Core §2, §3.3.2.11): their presence marks an ID token. */
const ID_TOKEN_ONLY_CLAIMS = ['nonce', 'at_hash', 'c_hash', 's_hash'] as const;

export interface TokenVerifierOptions {
  keys: IssuerKeys;
  issuer: string;
  audience: string;
  clientId: string;
  acceptAzp: boolean;
  algorithms: readonly string[];
  clockToleranceSeconds: number;
  userIdClaims: readonly string[];
  /** Where roles and groups are read (the entitlements policy's `claims`); Keycloak's places when absent. */
  claimPaths?: ClaimPaths;
  /** Longest lifetime (`exp - iat`) a token may have, in seconds; longer-lived tokens are refused. */
  maxLifetimeSeconds: number;
  /** Accept only header `typ: at+jwt` (RFC 9068), for issuers known to mark every access token so. */
  requireAtJwt: boolean;
  /** Verified tokens remembered; 0 disables the cache. */
  cacheSize: number;
  now?: () => number;
  onFailure?: (reason: TokenFailureReason) => void;
  onCache?: (event: 'hit' | 'miss') => void;
}

export interface TokenVerifier {
  /** Verifies a token and returns whom it speaks for. @throws HelperError INVALID_TOKEN or UPSTREAM_* */
  verify(token: string): Promise<Identity>;
  /** Whom a token speaks for when it was verified before and has not expired; null otherwise (then `verify`). */
  known(token: string): Identity | null;
}

interface CachedIdentity {
  identity: Identity;
  expiresAtMs: number;
}

/**
 * Creates a verifier for one issuer and audience.
 * @example const verifier = createTokenVerifier({ keys, issuer, audience: 'mlaas-cli', ... });
 *          const identity = await verifier.verify(token);
 */
export function createTokenVerifier(options: TokenVerifierOptions): TokenVerifier {
  const now = options.now ?? Date.now;
  const cache = options.cacheSize > 0 ? new LRUCache<string, CachedIdentity>({ max: options.cacheSize }) : null;

  function fail(reason: TokenFailureReason, message: string, cause?: unknown): never {
    options.onFailure?.(reason);
    throw new HelperError('INVALID_TOKEN', message, { cause });
  }

  function checkAudience(claims: JWTPayload): void {
    const aud = claims.aud;
    const audiences = Array.isArray(aud) ? aud : typeof aud === 'string' ? [aud] : [];
    if (audiences.includes(options.audience)) return;
    if (options.acceptAzp && claims.azp === options.clientId) return;
    fail('audience', 'The token is not meant for this service (audience).');
  }

  /**
   * Only access tokens open the API. An ID token is signed by the same keys and often has the client as its
   * audience, so it would pass every other check: refuse it by its markings.
   */
  function checkTokenType(header: JWTHeaderParameters, claims: JWTPayload): void {
    const headerType = typeof header.typ === 'string' ? header.typ.toLowerCase() : undefined;
    if (headerType !== undefined && !ACCESS_TOKEN_HEADER_TYPES.has(headerType)) {
      fail('token_type', 'The token is not an access token.');
    }
    const isAtJwt = headerType === 'at+jwt' || headerType === 'application/at+jwt';
    if (options.requireAtJwt && !isAtJwt) fail('token_type', 'The token is not an access token.');
    // Keycloak marks each token in its payload: "Bearer" for access tokens, "ID", "Refresh", "Logout" otherwise.
    if (claims.typ !== undefined && (typeof claims.typ !== 'string' || claims.typ.toLowerCase() !== 'bearer')) {
      fail('token_type', 'The token is not an access token.');
    }
    // Unmarked either way: claims only an ID token carries give it away. (Keycloak copies `nonce` into its
    // access tokens, but marks them "Bearer".)
    if (!isAtJwt && claims.typ === undefined && ID_TOKEN_ONLY_CLAIMS.some((name) => claims[name] !== undefined)) {
      fail('token_type', 'The token is not an access token.');
    }
  }

  /** A token meant to live longer than allowed is refused, even while it is unexpired. */
  function checkLifetime(claims: JWTPayload): void {
    const lifetime = (claims.exp as number) - (claims.iat as number);
    if (lifetime > options.maxLifetimeSeconds) {
      fail('lifetime', `The token lives longer than this service accepts (${options.maxLifetimeSeconds} seconds).`);
    }
  }

  async function verifyUncached(token: string): Promise<CachedIdentity> {
    let claims: JWTPayload;
    let header: JWTHeaderParameters;
    try {
      ({ payload: claims, protectedHeader: header } = await jwtVerify(token, options.keys.getKey, {
        issuer: options.issuer,
        algorithms: [...options.algorithms],
        clockTolerance: options.clockToleranceSeconds,
        currentDate: new Date(now()),
        requiredClaims: ['exp', 'iat'],
      }));
    } catch (error) {
      if (isHelperError(error)) throw error;
      throw mapJoseError(error);
    }
    checkTokenType(header, claims);
    checkLifetime(claims);
    checkAudience(claims);
    const identity = identityFromClaims(claims, options.userIdClaims, options.claimPaths);
    // Never cached past `exp`: a token inside the clock tolerance is verified afresh each time.
    return { identity, expiresAtMs: (claims.exp as number) * 1000 };
  }

  function mapJoseError(error: unknown): never {
    if (error instanceof joseErrors.JWTExpired) fail('expired', 'The token has expired; sign in again.', error);
    if (error instanceof joseErrors.JWTClaimValidationFailed) {
      if (error.claim === 'iss') fail('issuer', 'The token comes from a different issuer.', error);
      if (error.claim === 'nbf') fail('not_yet_valid', 'The token is not valid yet.', error);
      fail('claims', `The token's "${error.claim}" claim is not acceptable.`, error);
    }
    if (error instanceof joseErrors.JOSEAlgNotAllowed)
      fail('algorithm', 'The token is signed with an algorithm that is not allowed.', error);
    if (error instanceof joseErrors.JWKSNoMatchingKey)
      fail('unknown_key', "The token's signing key is not one of the issuer's keys.", error);
    if (error instanceof joseErrors.JWSSignatureVerificationFailed)
      fail('signature', 'The token signature is invalid.', error);
    fail('malformed', 'The token is malformed.', error);
  }

  function known(token: string): Identity | null {
    const cached = cache?.get(token);
    if (cached === undefined || cached.expiresAtMs <= now()) return null;
    options.onCache?.('hit');
    return cached.identity;
  }

  return {
    known,
    async verify(token) {
      // A cached token was verified already: look it up before spending anything else on it.
      const identity = known(token);
      if (identity !== null) return identity;
      if (token.length > MAX_TOKEN_LENGTH || !COMPACT_JWS.test(token)) {
        fail('malformed', 'The token is malformed.');
      }
      options.onCache?.('miss');
      const fresh = await verifyUncached(token);
      cache?.set(token, fresh);
      return fresh.identity;
    },
  };
}
