import { ServicesResponse } from '@mlaas/contract';
import { Ajv2020 } from 'ajv/dist/2020.js';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { frozenService, type ApiService, type Application, type Identity } from '../../src/apim/api-manager.js';
import { createServicesRenderer } from '../../src/http/render-services.js';
import type { ServiceListing } from '../../src/provisioning/provisioning.js';

const validate = new Ajv2020({ strict: false }).compile(ServicesResponse);

const sentiment = frozenService({
  id: 'sentiment',
  name: 'Sentiment "analysis" \\ v2',
  systemName: 'sentiment',
  description: 'Line one\nline two — ünïcödé, \u2028 and </script>',
  endpoint: 'https://gw.example.com/sentiment',
  authenticationMethod: 'api_key',
  credentials: { location: 'header', keyParameter: 'X-API-Key', appIdParameter: null },
});
const vision = frozenService({
  id: '42',
  name: 'Vision',
  systemName: 'vision',
  description: '',
  endpoint: null,
  authenticationMethod: 'app_id_app_key',
  credentials: { location: 'query', keyParameter: 'app_key', appIdParameter: 'app_id' },
});

const identity: Identity = {
  userId: 'alice',
  email: 'alice@example.com',
  emailVerified: true,
  subject: 's-1',
  roles: [],
  groups: [],
};

function application(serviceId: string, key: string): Application {
  return {
    id: `app-${serviceId}`,
    accountId: '7',
    serviceId,
    planId: 'p1',
    planName: 'Basic',
    state: 'live',
    apiKey: key,
    keyPreview: `${key.slice(0, 4)}…`,
    appId: null,
  };
}

/** What the list's body must be, built field by field from the contract. */
function expected(listing: ServiceListing, who: Identity, exposeKeys: boolean) {
  return {
    status: 'success',
    data: {
      services: listing.services.map(({ service, application: app }) => ({
        id: service.id,
        name: service.name,
        description: service.description,
        proxy_endpoint: service.endpoint,
        authentication_method: service.authenticationMethod,
        credentials: {
          location: service.credentials.location,
          key_parameter: service.credentials.keyParameter,
          app_id_parameter: service.credentials.appIdParameter,
        },
        has_api_key: app !== null,
        api_key_preview: app === null ? null : app.keyPreview,
        ...(exposeKeys && app !== null ? { api_key: app.apiKey } : {}),
      })),
      user: { soeid: who.userId, email: who.email },
      account_id: listing.account?.id ?? null,
    },
  };
}

const withKey: ServiceListing = {
  account: { id: '7', username: 'alice', email: null, state: 'approved' },
  services: [
    { service: sentiment, application: application('sentiment', 'mlaas_"quoted"\\key') },
    { service: vision, application: null },
  ],
};

describe('list body rendering', () => {
  for (const exposeKeys of [false, true]) {
    it(`writes the contract's body with keys ${exposeKeys ? 'exposed' : 'hidden'}, escaping every string`, () => {
      const text = createServicesRenderer(exposeKeys)(withKey, identity);
      const body: unknown = JSON.parse(text);
      assert.deepEqual(body, expected(withKey, identity, exposeKeys));
      assert.ok(validate(body), JSON.stringify(validate.errors));
      assert.equal(text.includes('mlaas_'), exposeKeys);
    });
  }

  it('renders a user without an account or email, and an empty catalog', () => {
    const render = createServicesRenderer(false);
    const nobody: Identity = {
      userId: 'new\u0001user',
      email: null,
      emailVerified: false,
      subject: 's-2',
      roles: [],
      groups: [],
    };
    for (const listing of [
      { account: null, services: [{ service: vision, application: null }] },
      { account: null, services: [] },
    ]) {
      const body: unknown = JSON.parse(String(render(listing, nobody)));
      assert.deepEqual(body, expected(listing, nobody, false));
      assert.ok(validate(body), JSON.stringify(validate.errors));
    }
  });

  it('shows the same user different keys from one request to the next, and a reloaded catalog at once', () => {
    const render = createServicesRenderer(false);
    const before = JSON.parse(
      String(render({ account: null, services: [{ service: vision, application: null }] }, identity)),
    );
    const after = JSON.parse(
      String(
        render(
          {
            account: { id: '7', username: 'alice', email: null, state: 'approved' },
            services: [{ service: vision, application: application('42', 'abcdefgh') }],
          },
          identity,
        ),
      ),
    );
    assert.equal(before.data.services[0].has_api_key, false);
    assert.equal(after.data.services[0].api_key_preview, 'abcd…');

    const reloaded: ApiService = frozenService({
      ...vision,
      name: 'Vision 2',
      endpoint: 'https://gw.example.com/vision',
    });
    const fresh = JSON.parse(
      String(render({ account: null, services: [{ service: reloaded, application: null }] }, identity)),
    );
    assert.equal(fresh.data.services[0].name, 'Vision 2');
    assert.equal(fresh.data.services[0].proxy_endpoint, 'https://gw.example.com/vision');
  });

  it('renders every listing from its own inputs: applications, account, email and user', () => {
    const render = createServicesRenderer(false);
    const app = application('42', 'abcdefgh');
    const account = { id: '7', username: 'alice', email: null, state: 'approved' as const };
    const listing = (a: Application | null, acc = account): ServiceListing => ({
      account: acc,
      services: [{ service: vision, application: a }],
    });
    const first = render(listing(app), identity);
    assert.deepEqual(render(listing(app), identity), first, 'the same inputs: the same bytes');

    const parse = (body: string) => JSON.parse(body).data;
    assert.equal(parse(render(listing(application('42', 'zyxwvuts')), identity)).services[0].api_key_preview, 'zyxw…');
    assert.equal(parse(render(listing(null), identity)).services[0].has_api_key, false);
    assert.equal(parse(render(listing(null, { ...account, id: '8' }), identity)).account_id, '8');
    assert.equal(parse(render(listing(null), { ...identity, email: 'new@example.com' })).user.email, 'new@example.com');
    const bob = parse(render(listing(null), { ...identity, userId: 'bob', email: null }));
    assert.deepEqual(bob.user, { soeid: 'bob', email: null });
    assert.deepEqual(parse(render(listing(app), identity)), parse(first));
  });

  it('hands out services that cannot be changed behind the renderer', () => {
    assert.ok(Object.isFrozen(sentiment) && Object.isFrozen(sentiment.credentials));
    assert.throws(() => {
      (sentiment as { name: string }).name = 'changed';
    }, TypeError);
  });
});
