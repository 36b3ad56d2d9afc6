/**
 * @module store/token-set
 * The tokens kept for a profile, and when they need refreshing.
 */

/** Refresh when the access token has less than this left. */
export const REFRESH_MARGIN_SECONDS = 30;

/** What a token store keeps per profile. */
export interface StoredTokens {
  /** The issuer that minted the tokens; tokens are never sent to another. */
  issuer: string;
  clientId: string;
  accessToken: string;
  refreshToken: string | null;
  idToken: string | null;
  tokenType: string;
  scope: string | null;
  /** Access-token expiry, in seconds since the epoch. */
  expiresAt: number;
  /** When the tokens were obtained, in seconds since the epoch. */
  obtainedAt: number;
}

/**
 * Whether the access token is still good for at least `marginSeconds`.
 *
 * @example
 * ```ts
 * isFresh(tokens, Date.now() / 1000); // false when less than 30 s are left
 * ```
 */
export function isFresh(tokens: StoredTokens, nowSeconds: number, marginSeconds = REFRESH_MARGIN_SECONDS): boolean {
  return tokens.expiresAt - nowSeconds > marginSeconds;
}

/**
 * Checks a parsed value has the shape of {@link StoredTokens} (a store written by another version).
 *
 * @example
 * ```ts
 * const tokens = isStoredTokens(parsed) ? parsed : null;
 * ```
 */
export function isStoredTokens(value: unknown): value is StoredTokens {
  if (typeof value !== 'object' || value === null) return false;
  const t = value as Record<string, unknown>;
  const optionalText = (v: unknown) => v === null || typeof v === 'string';
  return (
    typeof t.issuer === 'string' &&
    typeof t.clientId === 'string' &&
    typeof t.accessToken === 'string' &&
    t.accessToken !== '' &&
    optionalText(t.refreshToken) &&
    optionalText(t.idToken) &&
    typeof t.tokenType === 'string' &&
    optionalText(t.scope) &&
    typeof t.expiresAt === 'number' &&
    typeof t.obtainedAt === 'number'
  );
}

/**
 * The claims of a JWT, without verifying it (for display only: the helper verifies tokens).
 *
 * @example
 * ```ts
 * decodeJwtClaims(tokens.accessToken).preferred_username; // 'alice'
 * ```
 */
export function decodeJwtClaims(token: string): Record<string, unknown> {
  const payload = token.split('.')[1];
  if (payload === undefined) return {};
  try {
    const claims: unknown = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    return typeof claims === 'object' && claims !== null ? (claims as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}
