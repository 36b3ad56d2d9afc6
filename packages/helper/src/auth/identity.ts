/**
 * @module auth/identity
 * Turns verified token claims into the `Identity` provisioning works with.
 *
 * An account belongs to the claim its id came from. The first claim of USER_ID_CLAIMS (the primary one)
 * gives the account name as it is; a later claim, used only when the earlier ones are absent, gives
 * `<claim>.<value>`. So a token without `soeid` whose `preferred_username` equals somebody's soeid names a
 * different account than that person's, and ids are compared exactly as sent: an id with whitespace (of
 * any kind, NBSP and zero-width characters included) around it is refused, never trimmed into a match.
 */
import type { JWTPayload } from 'jose';
import type { Identity } from '../apim/api-manager.js';
import { HelperError } from '../errors/helper-error.js';
import { stringsAt } from '../entitlements/claims.js';
import type { ClaimPaths } from '../entitlements/policy.js';

/** Roles and groups where Keycloak puts them for a client named `mlaas-cli`. */
const DEFAULT_CLAIM_PATHS: ClaimPaths = {
  roles: ['realm_access.roles', 'resource_access.mlaas-cli.roles'],
  groups: ['groups'],
};

/** Longest user id accepted from a claim. */
const MAX_USER_ID_LENGTH = 255;
/** Printable characters only: ids end up in account names, logs and lock keys. */
const USER_ID_PATTERN = /^[^\u0000-\u001f\u007f]+$/;
/** Whitespace or invisible formatting characters at either end. */
const SURROUNDING_SPACE = /^[\s\p{White_Space}\p{Cf}]|[\s\p{White_Space}\p{Cf}]$/u;

/**
 * The identity a token speaks for: user id from the first present of `userIdClaims`, email, and the roles and
 * groups found at `claimPaths` (a claim of the wrong type gives none).
 * @throws HelperError INVALID_TOKEN when no usable user id is present.
 * @example identityFromClaims({ sub: 'f1', preferred_username: 'alice' }, ['soeid', 'preferred_username', 'sub'])
 */
export function identityFromClaims(
  claims: JWTPayload,
  userIdClaims: readonly string[],
  claimPaths: ClaimPaths = DEFAULT_CLAIM_PATHS,
): Identity {
  const noUsableId = () =>
    new HelperError('INVALID_TOKEN', `The token carries no usable user id (claims tried: ${userIdClaims.join(', ')}).`);
  let userId: string | undefined;
  let userIdClaim: string | undefined;
  for (const [index, name] of userIdClaims.entries()) {
    const value = Object.hasOwn(claims, name) ? claims[name] : undefined;
    if (typeof value !== 'string' || value === '') continue;
    if (SURROUNDING_SPACE.test(value)) throw noUsableId();
    const qualified = index === 0 ? value : `${name}.${value}`;
    // A primary id shaped like a qualified one could reach the account of a later claim's user.
    if (index === 0 && userIdClaims.slice(1).some((other) => value.startsWith(`${other}.`))) throw noUsableId();
    userId = qualified;
    userIdClaim = name;
    break;
  }
  if (
    userId === undefined ||
    userId.length > MAX_USER_ID_LENGTH ||
    !USER_ID_PATTERN.test(userId) ||
    SURROUNDING_SPACE.test(userId)
  ) {
    throw noUsableId();
  }
  const email = typeof claims.email === 'string' && claims.email.includes('@') ? claims.email : null;
  return {
    userId,
    userIdClaim,
    email,
    emailVerified: email !== null && claims.email_verified === true,
    subject: typeof claims.sub === 'string' && claims.sub !== '' ? claims.sub : userId,
    roles: stringsAt(claims, claimPaths.roles),
    groups: stringsAt(claims, claimPaths.groups),
  };
}
