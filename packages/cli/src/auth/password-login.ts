/**
 * @module auth/password-login
 * Sign-in with a username and password (the resource-owner password grant), for automation and for
 * compatibility with the original CLI. Keycloak calls it "direct access grants".
 */
import { DEFAULT_SCOPE } from '../config/defaults.js';
import { MlaasError } from '../lib/errors.js';
import type { StoredTokens } from '../store/token-set.js';
import { oauthErrorCode, toAuthError, toStoredTokens, type Oidc } from './oidc.js';

/**
 * Exchanges a username and password for tokens.
 * @throws MlaasError AUTH_FAILED for wrong credentials or a client without the password grant.
 *
 * @example
 * ```ts
 * const tokens = await passwordLogin(oidc, { username: 'alice', password: process.env.MLAAS_PASSWORD ?? '' });
 * ```
 */
export async function passwordLogin(
  oidc: Oidc,
  credentials: { username: string; password: string },
): Promise<StoredTokens> {
  try {
    const response = await oidc.lib.genericGrantRequest(oidc.config, 'password', {
      username: credentials.username,
      password: credentials.password,
      scope: DEFAULT_SCOPE,
    });
    return toStoredTokens(response, oidc);
  } catch (error) {
    const code = oauthErrorCode(error);
    if (code === 'invalid_grant') {
      throw new MlaasError('AUTH_FAILED', 'sign-in failed: wrong username or password', { cause: error });
    }
    if (code === 'unauthorized_client' || code === 'unsupported_grant_type') {
      throw new MlaasError('AUTH_FAILED', 'the identity provider does not allow password sign-in for this client', {
        cause: error,
        hint: 'Sign in with the browser (mlaas login --browser) or a device code (mlaas login --device).',
      });
    }
    throw toAuthError(error, 'sign-in failed');
  }
}
