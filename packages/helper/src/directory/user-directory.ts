/**
 * @module directory/user-directory
 * The `UserDirectory` port: what offboarding asks of the identity provider about the people holding keys —
 * whether each still exists, is enabled, and which roles and groups they have now. Adapters: the embedded
 * issuer's users file, and Keycloak's Admin REST API.
 */
import type { JWTPayload } from 'jose';
import { identityFromClaims } from '../auth/identity.js';

/** A person as the directory knows them now. */
export interface DirectoryUser {
  /** The user's id in the identity provider: the `sub` of their tokens. */
  subject: string;
  /** The user id MLaaS knows them by (their account name), derived as from their tokens. */
  userId: string;
  enabled: boolean;
  /** Effective roles (realm roles and, where asked for, client roles); empty unless membership was asked. */
  roles: readonly string[];
  /** Group paths (`/parent/child`); empty unless membership was asked. */
  groups: readonly string[];
}

/** One person to look up, and whether their roles and groups are needed (they cost calls). */
export interface LookupRequest {
  userId: string;
  membership: boolean;
}

/** One reading of the directory, for one reconcile run. */
export interface DirectoryReading {
  /**
   * The users with these user ids now; an id the directory does not know is absent from the map. Rejects when
   * the directory cannot answer — the caller then changes nothing for these people.
   */
  lookup(requests: readonly LookupRequest[]): Promise<Map<string, DirectoryUser>>;
}

export interface UserDirectory {
  /** What the directory is, for reports and logs (`keycloak https://sso…/realms/x`, `embedded users file`). */
  readonly name: string;
  /** Starts a reading: users may be read here in pages, once per run. Rejects when the directory is unreachable. */
  open(): Promise<DirectoryReading>;
}

/**
 * The user id a token of this user would give, or null when it would give none: the same derivation as
 * sign-in's, so directory users and accounts meet on the same names.
 * @example userIdOf({ sub: 'f1', preferred_username: 'alice' }, ['soeid', 'preferred_username']) // 'preferred_username.alice'
 */
export function userIdOf(claims: JWTPayload, userIdClaims: readonly string[]): string | null {
  try {
    return identityFromClaims(claims, userIdClaims, { roles: [], groups: [] }).userId;
  } catch {
    return null;
  }
}
