/**
 * @module auth/device-login
 * Sign-in with a device code (RFC 8628): the user opens a URL on any device and confirms a short code while
 * the CLI polls the token endpoint, honouring the issuer's `interval` and `slow_down` answers. The request
 * carries a PKCE challenge (S256) and the polls its verifier: Keycloak demands PKCE on the device grant too
 * when the client is configured for it (`pkce.code.challenge.method`), and issuers without that extension
 * ignore both parameters.
 */
import { DEFAULT_SCOPE } from '../config/defaults.js';
import { MlaasError } from '../lib/errors.js';
import type { StoredTokens } from '../store/token-set.js';
import { oauthErrorCode, toAuthError, toStoredTokens, type Oidc } from './oidc.js';

/** What the user needs to confirm the sign-in. */
export interface DeviceCode {
  userCode: string;
  verificationUri: string;
  /** The URL with the code filled in, when the issuer offers one. */
  verificationUriComplete: string | null;
  expiresInSeconds: number;
}

/** Options of {@link deviceLogin}. */
export interface DeviceLoginOptions {
  /** Shows the code and URL to the user (on stderr). */
  onCode: (code: DeviceCode) => void;
}

/**
 * Runs the device flow to completion.
 * @throws MlaasError AUTH_FAILED when the user denies access or the code expires.
 *
 * @example
 * ```ts
 * const tokens = await deviceLogin(oidc, { onCode: (c) => console.error(`Open ${c.verificationUri} and enter ${c.userCode}`) });
 * ```
 */
export async function deviceLogin(oidc: Oidc, options: DeviceLoginOptions): Promise<StoredTokens> {
  if (oidc.config.serverMetadata().device_authorization_endpoint === undefined) {
    throw new MlaasError('AUTH_FAILED', 'the identity provider does not offer device sign-in', {
      hint: 'Use mlaas login --browser, or --password where allowed.',
    });
  }
  const verifier = oidc.lib.randomPKCECodeVerifier();
  const challenge = await oidc.lib.calculatePKCECodeChallenge(verifier);
  let authorization;
  try {
    authorization = await oidc.lib.initiateDeviceAuthorization(oidc.config, {
      scope: DEFAULT_SCOPE,
      code_challenge: challenge,
      code_challenge_method: 'S256',
    });
  } catch (error) {
    throw toAuthError(error, 'cannot start device sign-in');
  }
  options.onCode({
    userCode: authorization.user_code,
    verificationUri: authorization.verification_uri,
    verificationUriComplete: authorization.verification_uri_complete ?? null,
    expiresInSeconds: authorization.expires_in,
  });
  try {
    const response = await oidc.lib.pollDeviceAuthorizationGrant(oidc.config, authorization, {
      code_verifier: verifier,
    });
    return toStoredTokens(response, oidc);
  } catch (error) {
    const code = oauthErrorCode(error);
    if (code === 'access_denied')
      throw new MlaasError('AUTH_FAILED', 'sign-in was denied in the browser', { cause: error });
    if (code === 'expired_token') {
      throw new MlaasError('AUTH_FAILED', 'the device code expired before sign-in was confirmed', {
        cause: error,
        hint: 'Run mlaas login --device again.',
      });
    }
    if ((error as Error)?.name === 'AbortError' || (error as Error)?.name === 'TimeoutError') {
      throw new MlaasError('LOGIN_TIMEOUT', 'the device code expired before sign-in was confirmed', {
        cause: error,
        hint: 'Run mlaas login --device again.',
      });
    }
    throw toAuthError(error, 'device sign-in failed');
  }
}
