/**
 * The Keycloak directory against a scripted Admin REST API (injected fetch): users read in pages, user ids
 * derived as from tokens (soeid attribute first), roles and groups read only where asked, and failures
 * rejected so that offboarding changes nothing.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createKeycloakDirectory } from '../../src/directory/keycloak-directory.js';
import { isHelperError } from '../../src/errors/helper-error.js';

const BASE = 'https://sso.example.com';
const USERS = [
  { id: 'u1', username: 'alice', enabled: true, attributes: { soeid: ['AL1'] } },
  { id: 'u2', username: 'bob', enabled: false, attributes: {} },
  { id: 'u3', username: 'carol', enabled: true },
  { id: 'u4', username: 'dave', enabled: true, attributes: { soeid: ['DA4'] } },
  { id: 'u5', username: 'erin', enabled: true },
];

function fakeKeycloak(options: { failUsers?: number; forbid?: boolean } = {}) {
  const calls: string[] = [];
  let tokens = 0;
  const json = (body: unknown, status = 200) =>
    new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
  const fetch = (async (input: string | URL | Request, init?: RequestInit) => {
    const url = new URL(String(input));
    if (url.pathname.endsWith('/protocol/openid-connect/token')) {
      assert.match(String(new Headers(init?.headers).get('authorization')), /^Basic /);
      tokens += 1;
      return json({ access_token: `t${tokens}`, expires_in: 300 });
    }
    calls.push(`${url.pathname.replace('/admin/realms/mlaas', '')}${url.search}`);
    if (options.forbid === true) return json({ error: 'forbidden' }, 403);
    const path = url.pathname.replace('/admin/realms/mlaas', '');
    if (path === '/users') {
      if (options.failUsers !== undefined && Number(url.searchParams.get('first')) >= options.failUsers) {
        return json({}, 503);
      }
      const first = Number(url.searchParams.get('first'));
      const max = Number(url.searchParams.get('max'));
      return json(USERS.slice(first, first + max));
    }
    if (path === '/clients') return json([{ id: 'client-uuid', clientId: 'mlaas-cli' }]);
    const roles = /^\/users\/(u\d)\/role-mappings\/realm\/composite$/.exec(path);
    if (roles) return json(roles[1] === 'u1' ? [{ name: 'ml-user' }, { name: 'offline_access' }] : []);
    if (/\/role-mappings\/clients\/client-uuid\/composite$/.test(path)) return json([{ name: 'tester' }]);
    if (/\/groups$/.test(path)) return json([{ name: 'ds', path: '/data-science' }]);
    return json({}, 404);
  }) as typeof globalThis.fetch;
  return { fetch, calls, tokens: () => tokens };
}

const directoryWith = (fetch: typeof globalThis.fetch) =>
  createKeycloakDirectory({
    baseUrl: BASE,
    realm: 'mlaas',
    clientId: 'mlaas-offboarding',
    clientSecret: 's3cret',
    timeoutMs: 1_000,
    pageSize: 2,
    concurrency: 2,
    userIdClaims: ['soeid', 'preferred_username', 'sub'],
    claimPaths: { roles: ['realm_access.roles', 'resource_access.mlaas-cli.roles'], groups: ['groups'] },
    fetch,
  });

describe('Keycloak directory', () => {
  it('reads users in pages and finds holders by the user id their tokens give', async () => {
    const kc = fakeKeycloak();
    const reading = await directoryWith(kc.fetch).open();
    assert.deepEqual(
      kc.calls.filter((c) => c.startsWith('/users?')),
      [
        '/users?briefRepresentation=false&first=0&max=2',
        '/users?briefRepresentation=false&first=2&max=2',
        '/users?briefRepresentation=false&first=4&max=2',
      ],
    );
    const found = await reading.lookup([
      { userId: 'AL1', membership: false },
      { userId: 'preferred_username.bob', membership: false },
      { userId: 'preferred_username.carol', membership: false },
      { userId: 'preferred_username.gone', membership: false },
      // dave has a soeid, so his account is DA4: a token could never give this id.
      { userId: 'preferred_username.dave', membership: false },
    ]);
    assert.deepEqual(
      [...found.values()].map((u) => [u.userId, u.subject, u.enabled]),
      [
        ['AL1', 'u1', true],
        ['preferred_username.bob', 'u2', false],
        ['preferred_username.carol', 'u3', true],
      ],
    );
    assert.equal(kc.calls.filter((c) => c.includes('role-mappings')).length, 0, 'no membership asked, none read');
  });

  it('reads effective realm and client roles and group paths only for enabled people who need them', async () => {
    const kc = fakeKeycloak();
    const reading = await directoryWith(kc.fetch).open();
    const found = await reading.lookup([
      { userId: 'AL1', membership: true },
      { userId: 'preferred_username.bob', membership: true },
    ]);
    assert.deepEqual(found.get('AL1')?.roles, ['ml-user', 'offline_access', 'tester']);
    assert.deepEqual(found.get('AL1')?.groups, ['/data-science']);
    assert.equal(found.get('preferred_username.bob')?.enabled, false);
    assert.ok(!kc.calls.some((c) => c.startsWith('/users/u2/')), 'a disabled person needs no role reads');
    assert.equal(kc.tokens(), 1, 'one service-account token for the whole reading');
  });

  it('rejects when Keycloak fails while reading users, and names a missing role on 403', async () => {
    await assert.rejects(directoryWith(fakeKeycloak({ failUsers: 2 }).fetch).open(), (error: unknown) =>
      isHelperError(error, 'UPSTREAM_UNAVAILABLE'),
    );
    await assert.rejects(
      directoryWith(fakeKeycloak({ forbid: true }).fetch).open(),
      (error: unknown) => isHelperError(error, 'CONFIG_ERROR') && /view-users/.test(error.message),
    );
    const unreachable = (async () => {
      throw new TypeError('fetch failed');
    }) as typeof globalThis.fetch;
    await assert.rejects(directoryWith(unreachable).open(), (error: unknown) =>
      isHelperError(error, 'UPSTREAM_UNAVAILABLE'),
    );
  });
});
