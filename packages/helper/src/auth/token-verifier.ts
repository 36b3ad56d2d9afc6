/**
 * @module auth/token-verifier
 * Verifies bearer access tokens: signature with an asymmetric allow-list, exact issuer, audience (or `azp`),
 * expiry with a small tolerance. Verified tokens are cached until they expire, so a client that repeats its
 * token does not repeat the RSA verification.
 */
import { errors as joseErrors, jwtVerify, type JWTPayload } from 'jose';
import { LRUCache } from 'lru-cache';
import type { Identity } from '../apim/api-manager.js';
import { HelperError, isHelperError } from '../errors/helper-error.js';
import { identityFromClaims } from './identity.js';
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
  | 'claims';

export interface TokenVerifierOptions {
  keys: IssuerKeys;
  issuer: string;
  audience: string;
  clientId: string;
  acceptAzp: boolean;
  algorithms: readonly string[];
  clockToleranceSeconds: number;
  userIdClaims: readonly string[];
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

  async function verifyUncached(token: string): Promise<CachedIdentity> {
    let claims: JWTPayload;
    try {
      ({ payload: claims } = await jwtVerify(token, options.keys.getKey, {
        issuer: options.issuer,
        algorithms: [...options.algorithms],
        clockTolerance: options.clockToleranceSeconds,
        currentDate: new Date(now()),
        requiredClaims: ['exp'],
      }));
    } catch (error) {
      if (isHelperError(error)) throw error;
      throw mapJoseError(error);
    }
    checkAudience(claims);
    const identity = identityFromClaims(claims, options.userIdClaims);
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
