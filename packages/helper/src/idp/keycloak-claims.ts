/**
 * @module idp/keycloak-claims
 * The claims the embedded issuer puts in access tokens and ID tokens, shaped like Keycloak's so the helper
 * and the CLI treat both issuers alike: `azp`, `typ`, `preferred_username`, `email`, `soeid`,
 * `realm_access.roles`, `groups`, `scope`, `sid`.
 */
import type { JWTPayload } from 'jose';
import type { IdpUser } from './users.js';

/** Claims about the user, for access tokens and (filtered by scope) ID tokens and userinfo. */
export function userClaims(user: IdpUser): JWTPayload {
  return {
    preferred_username: user.username,
    email: user.email,
    email_verified: user.emailVerified,
    ...(user.name !== null ? { name: user.name } : {}),
    ...(user.soeid !== null ? { soeid: user.soeid } : {}),
  };
}

/**
 * The top-level claims added to an access token, next to `iss`, `sub`, `aud`, `exp`, `iat`, `jti` and
 * `client_id` that oidc-provider writes itself.
 * @example accessTokenClaims(user, { clientId: 'mlaas-cli', scope: 'openid email profile', sid: undefined })
 */
export function accessTokenClaims(
  user: IdpUser,
  context: { clientId: string; scope: string | undefined; sid: string | undefined },
): JWTPayload {
  return {
    typ: 'Bearer',
    azp: context.clientId,
    ...(context.sid !== undefined ? { sid: context.sid } : {}),
    ...(context.scope ? { scope: context.scope } : {}),
    realm_access: { roles: [...user.roles] },
    // Keycloak's group membership mapper with full paths; absent for a user in no group, as there.
    ...(user.groups.length > 0 ? { groups: [...user.groups] } : {}),
    ...userClaims(user),
  };
}
