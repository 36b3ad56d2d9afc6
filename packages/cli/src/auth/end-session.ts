/**
 * @module auth/end-session
 * Ends the session at the issuer on sign-out: revokes the refresh token (RFC 7009) when a revocation
 * endpoint is offered, else uses Keycloak's back-channel logout (POST to the end-session endpoint with the
 * refresh token). Best effort: local tokens are removed either way.
 */
import type { StoredTokens } from '../store/token-set.js';
import type { HttpTransport } from '../lib/transport.js';
import type { Oidc } from './oidc.js';

/** What happened at the issuer. */
export type EndSessionResult = 'revoked' | 'logged-out' | 'not-offered';

/**
 * Ends the issuer session of these tokens.
 * @throws the transport's or the issuer's error; callers report it as a warning.
 *
 * @example
 * ```ts
 * const result = await endSession(oidc, tokens, send); // 'revoked'
 * ```
 */
export async function endSession(oidc: Oidc, tokens: StoredTokens, send: HttpTransport): Promise<EndSessionResult> {
  const metadata = oidc.config.serverMetadata();
  if (metadata.revocation_endpoint !== undefined) {
    if (tokens.refreshToken !== null)
      await oidc.lib.tokenRevocation(oidc.config, tokens.refreshToken, { token_type_hint: 'refresh_token' });
    await oidc.lib.tokenRevocation(oidc.config, tokens.accessToken, { token_type_hint: 'access_token' });
    return 'revoked';
  }
  const endSessionEndpoint = metadata.end_session_endpoint;
  if (endSessionEndpoint !== undefined && tokens.refreshToken !== null) {
    const response = await send({
      method: 'POST',
      url: endSessionEndpoint,
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: new URLSearchParams({ client_id: oidc.clientId, refresh_token: tokens.refreshToken }).toString(),
    });
    if (response.status >= 400) throw new Error(`the end-session endpoint answered HTTP ${response.status}`);
    return 'logged-out';
  }
  return 'not-offered';
}
