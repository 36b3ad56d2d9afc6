/**
 * Authorization: a token for one user can never return, create or reveal another user's keys — whatever the
 * request names: the other's account id, application ids or keys as a service id, service names in other
 * cases or with look-alike characters, extra fields, query parameters or identity headers. And the other
 * user's keys are unchanged afterwards. Run against both backends.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createApiClient, type ApiClient, type ApiResponse } from '../support/api-client.js';
import { startHarness, type Harness } from '../support/helper-harness.js';
import { startThreescaleHarness } from '../support/threescale-harness.js';

interface Holdings {
  accountId: string;
  keys: Set<string>;
  appIds: Set<string>;
  /** service id → key, as init returned it. */
  byService: Map<string, string>;
}

/** Characters that look like Latin letters (Cyrillic, Greek, fullwidth), for look-alike service names. */
const LOOK_ALIKES: Record<string, string> = {
  a: 'а',
  e: 'е',
  o: 'о',
  p: 'р',
  c: 'с',
  x: 'х',
  S: 'Ѕ',
  I: 'І',
  T: 'Τ',
  i: 'і',
  n: 'ｎ',
};

/** Names close to `name` that are not `name`: case, spacing, look-alikes, invisible and direction marks. */
function variantsOf(name: string): string[] {
  const swapFirst = (from: string) => {
    const at = name.indexOf(from);
    return at < 0 ? null : name.slice(0, at) + LOOK_ALIKES[from] + name.slice(at + 1);
  };
  const lookAlikes = Object.keys(LOOK_ALIKES)
    .map(swapFirst)
    .filter((v): v is string => v !== null);
  return [
    name.toLowerCase(),
    name.toUpperCase(),
    ` ${name}`,
    `${name} `,
    name.replace(' ', '  '),
    `${name.slice(0, 2)}\u200b${name.slice(2)}`,
    `\u202e${name}`,
    name.normalize('NFD'),
    `${name.slice(0, -1)}${name.slice(-1)}\u0301`,
    ...lookAlikes,
  ];
}

async function holdingsOf(api: ApiClient, token: string, services: { id: string }[]): Promise<Holdings> {
  const holdings: Holdings = { accountId: '', keys: new Set(), appIds: new Set(), byService: new Map() };
  for (const service of services) {
    const init = await api.call('POST', '/api/services/init', { token, body: { service_id: service.id } });
    if (init.status !== 200) continue;
    holdings.accountId = init.json.data.account_id;
    holdings.keys.add(init.json.data.api_key);
    if (init.json.data.app_id !== null) holdings.appIds.add(init.json.data.app_id);
    holdings.byService.set(service.id, init.json.data.api_key);
  }
  assert.notEqual(holdings.accountId, '', 'the victim holds keys');
  return holdings;
}

/**
 * Fails when an answer to the attacker carries anything of the victim's. A key the attacker sent in the
 * request itself may be quoted back in an error ("no service has the id …"): that reveals nothing new.
 */
function assertNothingOf(victim: Holdings, response: ApiResponse, label: string, sent = ''): void {
  const text = response.text;
  for (const key of victim.keys) {
    if (!sent.includes(key)) assert.equal(text.includes(key), false, `${label}: the victim's key was returned`);
  }
  if (response.status !== 200) return;
  const data = response.json.data;
  assert.notEqual(data.account_id, victim.accountId, `${label}: the victim's account was used`);
  if (data.app_id !== undefined)
    assert.equal(victim.appIds.has(data.app_id), false, `${label}: the victim's application was returned`);
}

/** Every request an attacker can make naming the victim's things; returns how many were tried. */
async function attack(
  api: ApiClient,
  attacker: string,
  victim: Holdings,
  victimUser: { name: string; email: string },
  services: { id: string; name: string }[],
): Promise<number> {
  const bodies: unknown[] = [];
  for (const id of [victim.accountId, ...victim.appIds]) {
    bodies.push({ service_id: id }, { service_name: id });
    if (/^\d+$/.test(id)) bodies.push({ service_id: Number(id) });
  }
  for (const key of victim.keys) bodies.push({ service_id: key }, { service_name: key });
  for (const service of services) {
    bodies.push(
      { service_id: service.id.toUpperCase() },
      { service_id: `${service.id}:${victim.accountId}` },
      { service_id: `${victim.accountId}:${service.id}` },
      { service_id: service.id, account_id: victim.accountId },
      { service_id: service.id, user: victimUser.name },
      { service_name: service.name, soeid: victimUser.name },
      { service_id: service.id, service_name: service.name },
      ...variantsOf(service.name).map((name) => ({ service_name: name })),
    );
  }
  const identityHeaders = {
    'x-user': victimUser.name,
    'x-forwarded-user': victimUser.name,
    'x-remote-user': victimUser.name,
    'x-auth-request-user': victimUser.name,
    'x-forwarded-email': victimUser.email,
    'x-soeid': victimUser.name,
    'x-account-id': victim.accountId,
  };
  const query = `?account_id=${encodeURIComponent(victim.accountId)}&user=${encodeURIComponent(victimUser.name)}&soeid=${encodeURIComponent(victimUser.name)}`;
  let tried = 0;
  for (const body of bodies) {
    for (const [url, headers] of [
      ['/api/services/init', {}],
      [`/api/services/init${query}`, identityHeaders],
    ] as const) {
      const response = await api.call('POST', url, { token: attacker, body, headers });
      assertNothingOf(victim, response, `POST ${url} ${JSON.stringify(body)}`, JSON.stringify(body));
      assert.ok(
        [200, 400, 403, 404, 409].includes(response.status),
        `POST ${JSON.stringify(body)} answered ${response.status}`,
      );
      tried += 1;
    }
  }
  for (const [url, headers] of [
    ['/api/services', identityHeaders],
    [`/api/services${query}`, {}],
  ] as const) {
    const list = await api.call('GET', url, { token: attacker, headers });
    assertNothingOf(victim, list, `GET ${url}`);
    assert.notEqual(list.json.data.user.soeid, victimUser.name);
    tried += 1;
  }
  return tried;
}

/** The victim gets exactly the same keys as before, none new. */
async function assertUnchanged(api: ApiClient, token: string, before: Holdings): Promise<void> {
  for (const [serviceId, key] of before.byService) {
    const again = await api.call('POST', '/api/services/init', { token, body: { service_id: serviceId } });
    assert.equal(again.status, 200);
    assert.equal(again.json.data.api_key, key, 'the victim keeps the same key');
    assert.equal(again.json.data.is_new, false);
    assert.equal(again.json.data.account_id, before.accountId);
  }
}

describe('authorization: one user never reaches another user’s keys', () => {
  it('embedded store: whatever ids or names are sent', async () => {
    const h: Harness = await startHarness({
      RATE_LIMIT_USER_PER_MINUTE: '0',
      RATE_LIMIT_IP_PER_MINUTE: '0',
      RATE_LIMIT_INIT_PER_MINUTE: '0',
    });
    try {
      const api = await createApiClient(h);
      const alice = await h.issuer.token({
        claims: { sub: 'sub-alice', preferred_username: 'alice', email: 'alice@example.org' },
      });
      const mallory = await h.issuer.token({
        claims: { sub: 'sub-mallory', preferred_username: 'mallory', email: 'mallory@example.org' },
      });
      const services = (await api.call('GET', '/api/services', { token: alice })).json.data.services as {
        id: string;
        name: string;
      }[];
      const victim = await holdingsOf(api, alice, services);
      const tried = await attack(api, mallory, victim, { name: 'alice', email: 'alice@example.org' }, services);
      assert.ok(tried > 150, `${tried} requests tried`);
      await assertUnchanged(api, alice, victim);
      const { json } = await api.call('GET', '/api/services', { token: alice });
      assert.equal(json.data.account_id, victim.accountId);
      assert.equal(
        json.data.services.filter((s: { has_api_key: boolean }) => s.has_api_key).length,
        victim.byService.size,
        'no key was added to the victim',
      );
    } finally {
      await h.close();
    }
  });

  it('embedded store: users whose ids differ only by case or look-alike characters are different users', async () => {
    const h: Harness = await startHarness({
      RATE_LIMIT_USER_PER_MINUTE: '0',
      RATE_LIMIT_IP_PER_MINUTE: '0',
      RATE_LIMIT_INIT_PER_MINUTE: '0',
    });
    try {
      const api = await createApiClient(h);
      const alice = await h.issuer.token({
        claims: { sub: 'sub-alice', preferred_username: 'alice', email: null as unknown as string },
      });
      const services = (await api.call('GET', '/api/services', { token: alice })).json.data.services as {
        id: string;
        name: string;
      }[];
      const victim = await holdingsOf(api, alice, services);
      for (const name of [
        'Alice',
        'ALICE',
        'аlice',
        'alicе',
        'ａlice',
        'alice\u200b',
        'al\u00adice',
        'alic\u0065\u0301',
      ]) {
        const token = await h.issuer.token({
          claims: { sub: `sub-${name}`, preferred_username: name, email: null as unknown as string },
        });
        const list = await api.call('GET', '/api/services', { token });
        if (/[\u200b]$/.test(name)) {
          // An id with an invisible character at its end is refused outright, never trimmed into a match.
          assert.equal(list.status, 401, JSON.stringify(name));
          continue;
        }
        assert.equal(list.json.data.account_id, null, `${JSON.stringify(name)} has no account of its own yet`);
        const init = await api.call('POST', '/api/services/init', { token, body: { service_id: services[0]?.id } });
        assertNothingOf(victim, init, JSON.stringify(name));
      }
      await assertUnchanged(api, alice, victim);
    } finally {
      await h.close();
    }
  });

  it('3scale adapter: whatever ids or names are sent', async () => {
    const h = await startThreescaleHarness();
    try {
      const api = await createApiClient(h);
      // alice has an account in the tenant; mallory signs up on her first key request.
      const alice = await h.token('alice');
      const mallory = await h.token('mallory');
      const services = (await api.call('GET', '/api/services', { token: alice })).json.data.services as {
        id: string;
        name: string;
      }[];
      const victim = await holdingsOf(api, alice, services);
      const appsBefore = h.fake.state.applicationsOf(Number(victim.accountId)).length;
      const tried = await attack(api, mallory, victim, { name: 'alice', email: 'alice@example.test' }, services);
      assert.ok(tried > 150, `${tried} requests tried`);
      await assertUnchanged(api, alice, victim);
      assert.equal(
        h.fake.state.applicationsOf(Number(victim.accountId)).length,
        appsBefore,
        'no application was added to the victim',
      );
      h.assertSpecConformance();
    } finally {
      await h.close();
    }
  });

  it('a token whose email is another user’s does not reach that user’s account when the email is unverified', async () => {
    const h: Harness = await startHarness({
      RATE_LIMIT_USER_PER_MINUTE: '0',
      RATE_LIMIT_IP_PER_MINUTE: '0',
      RATE_LIMIT_INIT_PER_MINUTE: '0',
    });
    try {
      const api = await createApiClient(h);
      const alice = await h.issuer.token({
        claims: { sub: 'sub-alice', preferred_username: 'alice', email: 'alice@example.org', email_verified: true },
      });
      const victim = await holdingsOf(api, alice, [{ id: 'sentiment-analysis' }]);
      const impostor = await h.issuer.token({
        claims: { sub: 'sub-imp', preferred_username: 'impostor', email: 'alice@example.org', email_verified: false },
      });
      assertNothingOf(
        victim,
        await api.call('POST', '/api/services/init', { token: impostor, body: { service_id: 'sentiment-analysis' } }),
        'unverified email',
      );
    } finally {
      await h.close();
    }
  });
});
