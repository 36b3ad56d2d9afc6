/**
 * @module http/access-tokens
 * The admin access tokens a tenant accepts, and what each may do, as porta decides it: a token's scopes
 * count only where its owner holds the matching permission (an admin holds all; a member only the sections
 * given), the Admin API endpoints served here need `account_management`, a read-only token may not change
 * anything, and a member sees only the products they were allowed. Every refusal past authentication is the
 * same 403, `Your access token does not have the correct permissions`.
 */
import { timingSafeEqual } from 'node:crypto';
import type { MemberSection, SeedAccessToken, TokenScope, UserRole } from '../seed/seed-types.js';
import type { Tenant } from '../tenant/tenant.js';

export interface AccessTokenRecord {
  value: string;
  scopes: readonly TokenScope[];
  permission: 'ro' | 'rw';
  ownerRole: UserRole;
  memberPermissions: readonly MemberSection[];
  /** System names of the products a member may see; null: all of them. */
  allowedServices: readonly string[] | null;
}

/** The scopes the endpoints of this fake accept (porta `access_token_scopes` of the Admin API controllers). */
const ADMIN_API_SCOPES: readonly TokenScope[] = ['account_management'];

/** The member section each scope needs (porta `AccessToken::Scope#permission_name`). */
const SECTION_OF_SCOPE: Record<TokenScope, MemberSection> = {
  account_management: 'partners',
  stats: 'monitoring',
  cms: 'portal',
  finance: 'finance',
  policy_registry: 'policy_registry',
};

/** Sections that give a member access to products at all (porta `AdminSection::SERVICE_PERMISSIONS`). */
const SERVICE_SECTIONS: readonly MemberSection[] = ['partners', 'plans', 'monitoring', 'policy_registry'];

/** The token the fake is created with: an admin's read-write Account Management and Analytics token. */
export function primaryToken(value: string): AccessTokenRecord {
  return {
    value,
    scopes: ['account_management', 'stats'],
    permission: 'rw',
    ownerRole: 'admin',
    memberPermissions: [],
    allowedServices: null,
  };
}

/** A seeded token with porta's defaults filled in. */
export function seededToken(seed: SeedAccessToken): AccessTokenRecord {
  return {
    value: seed.value,
    scopes: seed.scopes ?? ['account_management'],
    permission: seed.permission ?? 'rw',
    ownerRole: seed.owner_role ?? 'admin',
    memberPermissions: seed.member_permissions ?? [],
    allowedServices: seed.allowed_services ?? null,
  };
}

/** The token whose value was given, compared in constant time; undefined when none matches. */
export function findToken(
  tokens: readonly AccessTokenRecord[],
  given: string | undefined,
): AccessTokenRecord | undefined {
  if (given === undefined) return undefined;
  const givenBytes = Buffer.from(given);
  let found: AccessTokenRecord | undefined;
  for (const token of tokens) {
    const expected = Buffer.from(token.value);
    if (givenBytes.length === expected.length && timingSafeEqual(givenBytes, expected)) found ??= token;
  }
  return found;
}

/**
 * Whether the token may call an endpoint at all: it has the scope the endpoint needs (`account_management`
 * unless said otherwise; `stats` for the Analytics API) and its owner may use that scope.
 */
export function mayUseAdminApi(token: AccessTokenRecord, scope?: TokenScope): boolean {
  const ownerScopes = (scope === undefined ? ADMIN_API_SCOPES : [scope]).filter(
    (scope) => token.ownerRole === 'admin' || token.memberPermissions.includes(SECTION_OF_SCOPE[scope]),
  );
  return ownerScopes.some((scope) => token.scopes.includes(scope));
}

/** Whether the token may change data (reads are always allowed to a token that passed {@link mayUseAdminApi}). */
export function mayWrite(token: AccessTokenRecord): boolean {
  return token.permission === 'rw';
}

/** Ids of the products the token's owner may see; null: every product. */
export function visibleServiceIds(token: AccessTokenRecord, tenant: Tenant): ReadonlySet<number> | null {
  if (token.ownerRole === 'admin') return null;
  if (!token.memberPermissions.some((section) => SERVICE_SECTIONS.includes(section))) return new Set();
  if (token.allowedServices === null) return null;
  const allowed = new Set(token.allowedServices);
  return new Set(
    tenant
      .listServices()
      .filter((s) => allowed.has(s.systemName))
      .map((s) => s.id),
  );
}
