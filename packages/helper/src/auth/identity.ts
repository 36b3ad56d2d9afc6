/**
 * @module auth/identity
 * Turns verified token claims into the `Identity` provisioning works with.
 */
import type { JWTPayload } from 'jose';
import type { Identity } from '../apim/api-manager.js';
import { HelperError } from '../errors/helper-error.js';

/** Longest user id accepted from a claim. */
const MAX_USER_ID_LENGTH = 255;
/** Printable characters only: ids end up in account names, logs and lock keys. */
const USER_ID_PATTERN = /^[^\u0000-\u001f\u007f]+$/;

/**
 * The identity a token speaks for: user id from the first present of `userIdClaims`, email, roles and groups.
 * @throws HelperError INVALID_TOKEN when no usable user id is present.
 * @example identityFromClaims({ sub: 'f1', preferred_username: 'alice' }, ['soeid', 'preferred_username', 'sub'])
 */
export function identityFromClaims(claims: JWTPayload, userIdClaims: readonly string[]): Identity {
  let userId: string | undefined;
  for (const name of userIdClaims) {
    const value = claims[name];
    if (typeof value === 'string' && value.trim() !== '') {
      userId = value.trim();
      break;
    }
  }
  if (userId === undefined || userId.length > MAX_USER_ID_LENGTH || !USER_ID_PATTERN.test(userId)) {
    throw new HelperError(
      'INVALID_TOKEN',
      `The token carries no usable user id (claims tried: ${userIdClaims.join(', ')}).`,
    );
  }
  const email = typeof claims.email === 'string' && claims.email.includes('@') ? claims.email : null;
  const realmAccess = claims.realm_access as { roles?: unknown } | undefined;
  return {
    userId,
    email,
    emailVerified: email !== null && claims.email_verified === true,
    subject: typeof claims.sub === 'string' && claims.sub !== '' ? claims.sub : userId,
    roles: stringList(realmAccess?.roles),
    groups: stringList(claims.groups),
  };
}

function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}
