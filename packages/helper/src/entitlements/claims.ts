/**
 * @module entitlements/claims
 * Reads roles and groups from an access token's claims at configured dotted paths (`realm_access.roles`,
 * `resource_access.<client>.roles`, `groups`). A claim of the wrong type (a string or an object where a list
 * is expected) contributes nothing, so a malformed token never grants more than a well-formed one.
 */
import type { JWTPayload } from 'jose';

/**
 * The strings found at `paths`, in order, without duplicates.
 * @example stringsAt({ realm_access: { roles: ['ml-user'] } }, ['realm_access.roles']) // ['ml-user']
 */
export function stringsAt(claims: JWTPayload, paths: readonly string[]): string[] {
  const found: string[] = [];
  for (const path of paths) {
    const value = valueAt(claims, path);
    if (!Array.isArray(value)) continue;
    for (const item of value) if (typeof item === 'string' && item !== '' && !found.includes(item)) found.push(item);
  }
  return found;
}

function valueAt(claims: JWTPayload, path: string): unknown {
  let value: unknown = claims;
  for (const part of path.split('.')) {
    if (typeof value !== 'object' || value === null || Array.isArray(value) || !Object.hasOwn(value, part)) {
      return undefined;
    }
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}
