/**
 * @module auth/refresh
 * Trades a refresh token for new tokens. The caller holds the config directory's lock: issuers rotate
 * refresh tokens, and two processes spending the same one would sign the user out.
 */
import { MlaasError } from '../lib/errors.js';
import type { StoredTokens } from '../store/token-set.js';
import { oauthErrorCode, toAuthError, toStoredTokens, type Oidc } from './oidc.js';

/**
 * Refreshes stored tokens; keeps the refresh token when the issuer does not rotate it.
 * @throws MlaasError AUTH_REQUIRED when the refresh token is expired or revoked (`invalid_grant`).
 *
 * @example
 * ```ts
 * const fresh = await refreshTokens(oidc, stored);
 * ```
 */
export async function refreshTokens(oidc: Oidc, tokens: StoredTokens): Promise<StoredTokens> {
  if (tokens.refreshToken === null)
    throw new MlaasError('AUTH_REQUIRED', 'your session has expired and cannot be renewed');
  try {
    const response = await oidc.lib.refreshTokenGrant(oidc.config, tokens.refreshToken);
    return toStoredTokens(response, oidc, undefined, tokens);
  } catch (error) {
    if (oauthErrorCode(error) === 'invalid_grant') {
      throw new MlaasError('AUTH_REQUIRED', 'your session has expired or was ended', { cause: error });
    }
    throw toAuthError(error, 'cannot renew the session');
  }
}
