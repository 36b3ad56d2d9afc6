/**
 * @module auth/issuer-keys
 * The token issuer's signing keys: found through OpenID discovery, cached, refreshed in the background when
 * old, refetched (at most once per cooldown) when a token names an unknown `kid`, and kept while the issuer
 * is unreachable so a short outage does not sign everybody out.
 */
import {
  compactVerify,
  createLocalJWKSet,
  errors as joseErrors,
  type FlattenedJWSInput,
  type JWSHeaderParameters,
} from 'jose';
import { HelperError } from '../errors/helper-error.js';
import type { LogSink } from '../log/logger.js';

/** Longest discovery document or key set accepted, in bytes. */
const MAX_DOCUMENT_BYTES = 512 * 1024;
/** While no keys were ever loaded, the issuer is asked at most this often. */
const NO_KEYS_RETRY_MS = 1_000;

export interface IssuerKeysOptions {
  issuer: string;
  cacheMaxAgeMs: number;
  cooldownMs: number;
  timeoutMs: number;
  /** Origins besides the issuer's own that may serve its keys. */
  allowedJwksOrigins?: readonly string[];
  fetch?: typeof globalThis.fetch;
  now?: () => number;
  log?: LogSink;
  /** Called after each attempt to fetch the keys. */
  onFetch?: (outcome: 'ok' | 'error') => void;
}

/** The issuer's keys, in the shape `jose.jwtVerify` takes as a key resolver. */
export interface IssuerKeys {
  getKey(header: JWSHeaderParameters, token: FlattenedJWSInput): Promise<VerificationKey>;
  /** Resolves when keys are available, loading them if there are none; rejects with UPSTREAM_*. */
  checkReady(): Promise<void>;
}

type KeySet = ReturnType<typeof createLocalJWKSet>;
type VerificationKey = Awaited<ReturnType<KeySet>>;

/**
 * Creates the key source for one issuer.
 * @example const keys = createIssuerKeys({ issuer, cacheMaxAgeMs: 600_000, cooldownMs: 30_000, timeoutMs: 5_000 });
 *          await jwtVerify(token, keys.getKey, { issuer });
 */
export function createIssuerKeys(options: IssuerKeysOptions): IssuerKeys {
  const fetchImpl = options.fetch ?? globalThis.fetch;
  const now = options.now ?? Date.now;
  const issuer = options.issuer;
  let keySet: KeySet | null = null;
  let jwksUri: string | null = null;
  let loadedAt = 0;
  let attemptedAt = Number.NEGATIVE_INFINITY;
  let inflight: Promise<void> | null = null;

  async function getJson(url: string, what: string): Promise<unknown> {
    let response: Response;
    try {
      response = await fetchImpl(url, {
        headers: { accept: 'application/json' },
        redirect: 'error',
        signal: AbortSignal.timeout(options.timeoutMs),
      });
    } catch (error) {
      const timedOut = (error as Error).name === 'TimeoutError';
      throw new HelperError(
        timedOut ? 'UPSTREAM_TIMEOUT' : 'UPSTREAM_UNAVAILABLE',
        `The token issuer did not answer for its ${what}.`,
        { cause: error },
      );
    }
    const body = await response.text();
    if (!response.ok || body.length > MAX_DOCUMENT_BYTES) {
      throw new HelperError(
        'UPSTREAM_UNAVAILABLE',
        `The token issuer's ${what} could not be read (HTTP ${response.status}).`,
      );
    }
    try {
      return JSON.parse(body);
    } catch (error) {
      throw new HelperError('UPSTREAM_ERROR', `The token issuer's ${what} is not JSON.`, { cause: error });
    }
  }

  async function discoverJwksUri(): Promise<string> {
    const document = await getJson(
      `${issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`,
      'discovery document',
    );
    const meta = document as { issuer?: unknown; jwks_uri?: unknown };
    // OpenID Connect Discovery §4.3: the document's issuer must be exactly the one we expect.
    if (meta.issuer !== issuer) {
      throw new HelperError(
        'CONFIG_ERROR',
        `The discovery document names a different issuer than the configured ${issuer}.`,
      );
    }
    if (typeof meta.jwks_uri !== 'string') {
      throw new HelperError('UPSTREAM_ERROR', 'The discovery document has no jwks_uri.');
    }
    const uri = new URL(meta.jwks_uri);
    if (uri.protocol !== 'https:' && uri.protocol !== new URL(issuer).protocol) {
      throw new HelperError('CONFIG_ERROR', 'The issuer publishes its keys over plain HTTP.');
    }
    // Whoever serves the keys decides which tokens are valid: only the issuer's own origin, unless the
    // operator named another (OIDC_JWKS_ALLOWED_ORIGINS).
    if (uri.origin !== new URL(issuer).origin && !(options.allowedJwksOrigins ?? []).includes(uri.origin)) {
      throw new HelperError(
        'CONFIG_ERROR',
        `The discovery document puts the signing keys at ${uri.origin}, not on the issuer's origin; add it to OIDC_JWKS_ALLOWED_ORIGINS if that is intended.`,
      );
    }
    return uri.href;
  }

  async function load(): Promise<void> {
    attemptedAt = now();
    try {
      jwksUri ??= await discoverJwksUri();
      const jwks = (await getJson(jwksUri, 'signing keys')) as { keys?: unknown };
      if (!Array.isArray(jwks.keys)) throw new HelperError('UPSTREAM_ERROR', "The issuer's key set has no keys.");
      keySet = createLocalJWKSet(jwks as Parameters<typeof createLocalJWKSet>[0]);
      loadedAt = now();
      warm(keySet, jwks.keys);
      options.onFetch?.('ok');
    } catch (error) {
      options.onFetch?.('error');
      options.log?.warn({ err: error, issuer }, 'could not refresh the token issuer keys; keeping the cached ones');
      throw error instanceof HelperError
        ? error
        : new HelperError('UPSTREAM_ERROR', "The token issuer's keys could not be used.", { cause: error });
    }
  }

  /**
   * Imports each signing key now (the key set imports a key on its first use and keeps it) and checks one
   * throwaway signature with it, so the first request pays neither for the import nor for the first run of
   * the verification code. A key that cannot be imported is left for that request to report.
   */
  function warm(keys: KeySet, jwks: readonly unknown[]): void {
    for (const jwk of jwks) {
      const { alg, kid, kty, use, n } = (jwk ?? {}) as Record<string, unknown>;
      if (use === 'enc') continue;
      const algorithm = typeof alg === 'string' ? alg : kty === 'RSA' ? 'RS256' : kty === 'EC' ? 'ES256' : null;
      if (algorithm === null) continue;
      const header = { alg: algorithm, ...(typeof kid === 'string' ? { kid } : {}) };
      keys(header)
        .then(() => compactVerify(throwawayJws(header, typeof n === 'string' ? n : null), keys))
        .catch(() => {
          // The throwaway signature is refused, as it must be.
        });
    }
  }

  /** One load at a time; concurrent callers share it. */
  function refresh(): Promise<void> {
    inflight ??= load().finally(() => {
      inflight = null;
    });
    return inflight;
  }

  async function currentKeySet(): Promise<KeySet> {
    if (keySet === null) {
      if (inflight === null && now() - attemptedAt < NO_KEYS_RETRY_MS) {
        throw new HelperError('UPSTREAM_UNAVAILABLE', 'The token issuer is unreachable; try again shortly.', {
          retryAfterSeconds: 1,
        });
      }
      await refresh();
    } else if (now() - loadedAt > options.cacheMaxAgeMs && now() - attemptedAt > options.cooldownMs) {
      // Stale: serve the cached keys and refresh behind the request.
      refresh().catch(() => {});
    }
    return keySet as unknown as KeySet;
  }

  return {
    async getKey(header, token) {
      const keys = await currentKeySet();
      try {
        return await keys(header, token);
      } catch (error) {
        if (!(error instanceof joseErrors.JWKSNoMatchingKey) || now() - attemptedAt < options.cooldownMs) throw error;
      }
      // An unknown kid: the issuer may have rotated its keys since the last fetch.
      await refresh().catch(() => {});
      return (keySet as unknown as KeySet)(header, token);
    },
    async checkReady() {
      if (keySet === null) await refresh();
    },
  };
}

/**
 * A compact JWS with an all-zero signature of the key's size (an RSA modulus's, or 64 bytes), which no key
 * accepts: verifying it runs the whole verification once.
 */
function throwawayJws(header: { alg: string; kid?: string }, modulus: string | null): string {
  const encode = (value: string | Buffer) => Buffer.from(value).toString('base64url');
  const signatureBytes = modulus === null ? 64 : Buffer.from(modulus, 'base64url').length;
  return `${encode(JSON.stringify(header))}.${encode('{}')}.${encode(Buffer.alloc(signatureBytes))}`;
}
