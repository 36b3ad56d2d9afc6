/**
 * @module directory/keycloak-directory
 * The `UserDirectory` of a Keycloak realm, through its Admin REST API with a service-account client (client
 * credentials grant). A reading lists the realm's users in pages (`GET /admin/realms/{realm}/users` with
 * `first`/`max`), so existence, `enabled` and the user id of every holder come from a few calls; roles and
 * groups are then read per person only where a decision needs them: effective realm roles
 * (`role-mappings/realm/composite`, which counts composite roles and roles given through groups), effective
 * roles of the clients named in the claim paths, and group paths (`/users/{id}/groups`).
 *
 * The service account needs the `view-users` role of the realm's `realm-management` client, and `query-clients`
 * when client roles are read.
 */
import { HelperError } from '../errors/helper-error.js';
import type { ClaimPaths } from '../entitlements/policy.js';
import { userIdOf, type DirectoryUser, type LookupRequest, type UserDirectory } from './user-directory.js';
import { mapLimited } from '../lib/bounded.js';

/** Where the directory is and how it signs in: a service-account client of the realm. */
export interface KeycloakConnection {
  /** Keycloak's base URL (`https://sso.example.com`), without `/realms/…`. */
  baseUrl: string;
  realm: string;
  clientId: string;
  clientSecret: string;
  timeoutMs: number;
  /** Users read per page. */
  pageSize: number;
}

export interface KeycloakDirectoryOptions extends KeycloakConnection {
  /** Per-person role and group reads in flight at once. */
  concurrency: number;
  userIdClaims: readonly string[];
  /** Where tokens carry roles: the clients of `resource_access.<client>.roles` paths have their roles read. */
  claimPaths: ClaimPaths;
  fetch?: typeof globalThis.fetch;
}

interface UserRepresentation {
  id: string;
  username: string;
  email?: string;
  enabled?: boolean;
  attributes?: Record<string, unknown>;
}

/** Claims a token carries that come straight from the user representation, not from attributes. */
const STANDARD_CLAIMS = new Set(['sub', 'preferred_username', 'email']);
/** Seconds before expiry at which the service account's token is renewed. */
const TOKEN_RENEW_MARGIN_SECONDS = 30;
/** Groups read per person (one page). */
const MAX_GROUPS = 1_000;

/**
 * @example const directory = createKeycloakDirectory({ baseUrl: 'https://sso.example.com', realm: 'mlaas', ... });
 */
export function createKeycloakDirectory(options: KeycloakDirectoryOptions): UserDirectory {
  const fetchImpl = options.fetch ?? globalThis.fetch;
  const base = options.baseUrl.replace(/\/+$/, '');
  const admin = `${base}/admin/realms/${encodeURIComponent(options.realm)}`;
  const clientsOfRoles = options.claimPaths.roles
    .map((path) => /^resource_access\.(.+)\.roles$/.exec(path)?.[1])
    .filter((client): client is string => client !== undefined);
  const realmRoles = options.claimPaths.roles.includes('realm_access.roles');
  let token: { value: string; renewAt: number } | null = null;

  async function call(url: string, init: RequestInit = {}): Promise<Response> {
    try {
      return await fetchImpl(url, { ...init, signal: AbortSignal.timeout(options.timeoutMs) });
    } catch (error) {
      throw new HelperError('UPSTREAM_UNAVAILABLE', 'Keycloak did not answer', { cause: error });
    }
  }

  async function accessToken(): Promise<string> {
    if (token !== null && Date.now() < token.renewAt) return token.value;
    const response = await call(`${base}/realms/${encodeURIComponent(options.realm)}/protocol/openid-connect/token`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from(`${encodeURIComponent(options.clientId)}:${encodeURIComponent(options.clientSecret)}`).toString('base64')}`,
      },
      body: 'grant_type=client_credentials',
    });
    if (!response.ok) {
      await response.body?.cancel();
      throw new HelperError(
        response.status >= 500 ? 'UPSTREAM_UNAVAILABLE' : 'CONFIG_ERROR',
        `Keycloak refused the directory client's credentials (HTTP ${response.status}); check KEYCLOAK_ADMIN_CLIENT_ID and its secret`,
      );
    }
    const body = (await response.json()) as { access_token?: unknown; expires_in?: unknown };
    if (typeof body.access_token !== 'string') throw new HelperError('UPSTREAM_ERROR', 'Keycloak sent no access token');
    const lifetime = typeof body.expires_in === 'number' ? body.expires_in : 60;
    token = {
      value: body.access_token,
      renewAt: Date.now() + Math.max(lifetime - TOKEN_RENEW_MARGIN_SECONDS, 5) * 1000,
    };
    return token.value;
  }

  async function getJson<T>(path: string): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      const response = await call(`${admin}${path}`, { headers: { authorization: `Bearer ${await accessToken()}` } });
      if (response.status === 401 && attempt === 0) {
        // The token was revoked or the server restarted: one fresh token, then give up.
        await response.body?.cancel();
        token = null;
        continue;
      }
      if (!response.ok) {
        await response.body?.cancel();
        throw new HelperError(
          response.status === 403 ? 'CONFIG_ERROR' : response.status >= 500 ? 'UPSTREAM_UNAVAILABLE' : 'UPSTREAM_ERROR',
          response.status === 403
            ? 'the directory client lacks a role it needs (view-users of realm-management; query-clients for client roles)'
            : `Keycloak's admin API answered HTTP ${response.status}`,
        );
      }
      return (await response.json()) as T;
    }
  }

  async function listAllUsers(): Promise<UserRepresentation[]> {
    const users: UserRepresentation[] = [];
    for (let first = 0; ; first += options.pageSize) {
      const page = await getJson<UserRepresentation[]>(
        `/users?briefRepresentation=false&first=${first}&max=${options.pageSize}`,
      );
      users.push(...page);
      if (page.length < options.pageSize) return users;
    }
  }

  /** The internal ids of the clients whose roles tokens carry (null for a client not found: no roles). */
  async function clientIds(): Promise<Map<string, string | null>> {
    const ids = new Map<string, string | null>();
    for (const clientId of clientsOfRoles) {
      const found = await getJson<{ id: string; clientId: string }[]>(
        `/clients?clientId=${encodeURIComponent(clientId)}&first=0&max=1`,
      );
      ids.set(clientId, found.find((client) => client.clientId === clientId)?.id ?? null);
    }
    return ids;
  }

  async function membership(id: string, clients: Map<string, string | null>) {
    const user = `/users/${encodeURIComponent(id)}`;
    const reads: Promise<string[]>[] = [
      realmRoles
        ? getJson<{ name: string }[]>(`${user}/role-mappings/realm/composite`).then(names)
        : Promise.resolve([]),
      ...[...clients.values()].map((uuid) =>
        uuid === null
          ? Promise.resolve([])
          : getJson<{ name: string }[]>(`${user}/role-mappings/clients/${encodeURIComponent(uuid)}/composite`).then(
              names,
            ),
      ),
    ];
    const groups = getJson<{ path?: string; name: string }[]>(
      `${user}/groups?briefRepresentation=true&first=0&max=${MAX_GROUPS}`,
    ).then((list) => list.map((group) => group.path ?? `/${group.name}`));
    const roleLists = await Promise.all(reads);
    return { roles: [...new Set(roleLists.flat())], groups: await groups };
  }

  return {
    name: `keycloak ${base}/realms/${options.realm}`,
    async open() {
      const users = await listAllUsers();
      const byUserId = new Map<string, UserRepresentation>();
      for (const user of users) {
        const userId = userIdOf(claimsOf(user, options.userIdClaims), options.userIdClaims);
        if (userId !== null) byUserId.set(userId, user);
      }
      let clients: Promise<Map<string, string | null>> | null = null;
      return {
        async lookup(requests: readonly LookupRequest[]) {
          const found = new Map<string, DirectoryUser>();
          const needed: { request: LookupRequest; user: UserRepresentation }[] = [];
          for (const request of requests) {
            const user = byUserId.get(request.userId);
            if (user === undefined) continue;
            const enabled = user.enabled !== false;
            found.set(request.userId, { subject: user.id, userId: request.userId, enabled, roles: [], groups: [] });
            // A disabled person is offboarded whatever their roles: no need to read them.
            if (request.membership && enabled) needed.push({ request, user });
          }
          if (needed.length === 0) return found;
          clients ??= clientIds();
          const clientMap = await clients;
          await mapLimited(needed, options.concurrency, async ({ request, user }) => {
            const { roles, groups } = await membership(user.id, clientMap);
            found.set(request.userId, { subject: user.id, userId: request.userId, enabled: true, roles, groups });
          });
          return found;
        },
      };
    },
  };
}

/** The claims a token of this user would carry, as far as user ids go: standard ones and attributes. */
function claimsOf(user: UserRepresentation, userIdClaims: readonly string[]): Record<string, unknown> {
  const claims: Record<string, unknown> = { sub: user.id, preferred_username: user.username };
  if (user.email !== undefined) claims.email = user.email;
  for (const name of userIdClaims) {
    if (STANDARD_CLAIMS.has(name)) continue;
    const value = user.attributes?.[name];
    const first = Array.isArray(value) ? value[0] : value;
    if (typeof first === 'string' && first !== '') claims[name] = first;
  }
  return claims;
}

function names(list: { name: string }[]): string[] {
  return list.map((role) => role.name);
}
