/**
 * @module test/support/keycloak-admin
 * What the tests do to Keycloak the way an administrator would, through its Admin REST API (realms,
 * clients, key providers, sessions), and the token requests a client makes, plus the shipped realm file
 * to derive test realms from.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { REALM_FILE, type Keycloak } from '../../src/index.js';

/** The CLI's client in the shipped realm. */
export const CLIENT_ID = 'mlaas-cli';
export const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

/** A realm representation (only the fields the tests touch are typed). */
export interface RealmRepresentation {
  realm: string;
  accessTokenLifespan?: number;
  clients?: Record<string, unknown>[];
  [field: string]: unknown;
}

/** A token endpoint answer. */
export interface TokenAnswer {
  status: number;
  body: {
    access_token?: string;
    refresh_token?: string;
    expires_in?: number;
    error?: string;
    error_description?: string;
    [field: string]: unknown;
  };
}

/**
 * The shipped realm file as a representation, renamed and changed.
 *
 * @example
 * ```ts
 * await admin.createRealm(shippedRealm('mlaas-short', { accessTokenLifespan: 5 }));
 * ```
 */
export function shippedRealm(name: string, changes: Partial<RealmRepresentation> = {}): RealmRepresentation {
  const realm = JSON.parse(readFileSync(REALM_FILE, 'utf8')) as RealmRepresentation;
  const renamed = JSON.parse(
    JSON.stringify(realm).replaceAll('default-roles-mlaas', `default-roles-${name}`),
  ) as RealmRepresentation;
  return { ...renamed, ...changes, realm: name };
}

/** Decodes a JWT's header and payload (no verification: the helper does that). */
export function decodeJwt(token: string): { header: Record<string, unknown>; claims: Record<string, unknown> } {
  const [header, payload] = token.split('.');
  const decode = (part: string | undefined) =>
    JSON.parse(Buffer.from(part ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
  return { header: decode(header), claims: decode(payload) };
}

/** POSTs a form to a realm's token endpoint. */
export async function tokenRequest(
  keycloak: Keycloak,
  realm: string,
  form: Record<string, string>,
): Promise<TokenAnswer> {
  const response = await fetch(`${keycloak.issuer(realm)}/protocol/openid-connect/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form),
  });
  return { status: response.status, body: (await response.json()) as TokenAnswer['body'] };
}

/**
 * An access token for a user, by the password grant; throws unless Keycloak issues one.
 *
 * @example
 * ```ts
 * const token = await passwordToken(keycloak, { username: 'alice' });
 * ```
 */
export async function passwordToken(
  keycloak: Keycloak,
  options: { username: string; password?: string; realm?: string; clientId?: string },
): Promise<string> {
  const answer = await tokenRequest(keycloak, options.realm ?? keycloak.realm, {
    grant_type: 'password',
    client_id: options.clientId ?? CLIENT_ID,
    username: options.username,
    password: options.password ?? options.username,
    scope: 'openid',
  });
  assert.equal(answer.status, 200, JSON.stringify(answer.body));
  return answer.body.access_token as string;
}

/** The Admin REST API of one Keycloak, signed in as its bootstrap admin. */
export class KeycloakAdmin {
  private readonly keycloak: Keycloak;
  private token: { value: string; expiresAt: number } | null = null;

  constructor(keycloak: Keycloak) {
    this.keycloak = keycloak;
  }

  /** Calls `/admin/realms/<path>`; returns the status and the parsed body (if any). */
  async request(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; body: unknown; location: string | null }> {
    const response = await fetch(`${this.keycloak.url}/admin/realms${path}`, {
      method,
      headers: {
        authorization: `Bearer ${await this.accessToken()}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return {
      status: response.status,
      body: text === '' ? null : (JSON.parse(text) as unknown),
      location: response.headers.get('location'),
    };
  }

  /** Same as {@link request}, asserting a 2xx answer. */
  async ok(method: string, path: string, body?: unknown): Promise<{ body: unknown; location: string | null }> {
    const answer = await this.request(method, path, body);
    assert.ok(
      answer.status >= 200 && answer.status < 300,
      `${method} ${path}: HTTP ${answer.status} ${JSON.stringify(answer.body)}`,
    );
    return answer;
  }

  /** Creates a realm (replacing one of that name). */
  async createRealm(realm: RealmRepresentation): Promise<void> {
    await this.request('DELETE', `/${encodeURIComponent(realm.realm)}`);
    await this.ok('POST', '', realm);
  }

  async deleteRealm(name: string): Promise<void> {
    await this.request('DELETE', `/${encodeURIComponent(name)}`);
  }

  /** The id of a user found by exact username. */
  async userId(realm: string, username: string): Promise<string> {
    const { body } = await this.ok('GET', `/${realm}/users?exact=true&username=${encodeURIComponent(username)}`);
    const id = (body as { id: string }[])[0]?.id;
    assert.ok(id, `no user ${username} in ${realm}`);
    return id;
  }

  /** The kid of the realm's active RS256 signing key. */
  async activeSigningKid(realm: string): Promise<string> {
    const { body } = await this.ok('GET', `/${realm}/keys`);
    const kid = (body as { active?: Record<string, string> }).active?.RS256;
    assert.ok(kid, `no active RS256 key in ${realm}`);
    return kid;
  }

  /**
   * Rotates the realm's signing key as an administrator does: a new `rsa-generated` key provider with a
   * higher priority than the existing ones; the old key stays published (passive) for tokens already out.
   */
  async rotateSigningKey(realm: string, priority: number): Promise<void> {
    const { body } = await this.ok('GET', `/${realm}`);
    const realmId = (body as { id: string }).id;
    await this.ok('POST', `/${realm}/components`, {
      name: `rsa-rotated-${priority}`,
      providerId: 'rsa-generated',
      providerType: 'org.keycloak.keys.KeyProvider',
      parentId: realmId,
      config: {
        priority: [String(priority)],
        enabled: ['true'],
        active: ['true'],
        algorithm: ['RS256'],
        keySize: ['2048'],
      },
    });
  }

  private async accessToken(): Promise<string> {
    if (this.token !== null && this.token.expiresAt > Date.now() + 10_000) return this.token.value;
    const answer = await tokenRequest(this.keycloak, 'master', {
      grant_type: 'password',
      client_id: 'admin-cli',
      username: this.keycloak.admin.username,
      password: this.keycloak.admin.password,
    });
    assert.equal(answer.status, 200, `admin sign-in: ${JSON.stringify(answer.body)}`);
    this.token = {
      value: answer.body.access_token as string,
      expiresAt: Date.now() + (answer.body.expires_in ?? 60) * 1000,
    };
    return this.token.value;
  }
}
