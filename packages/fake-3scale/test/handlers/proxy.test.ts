import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EDGE_CASES_SEED_PATH, loadSeedFile } from '../../src/index.js';
import { ids, startFake } from '../support/fake.js';

type Proxy = { proxy: Record<string, unknown> };
const harness = await startFake({ seed: loadSeedFile(EDGE_CASES_SEED_PATH) });
const defaults = await startFake();
const proxyOf = (h: typeof harness, systemName: string) =>
  h.json<Proxy>(`/admin/api/services/${ids(h.fake).service(systemName)}/proxy.json`);

/** Field order of a JSON proxy for a hosted, non-OIDC product. */
const PROXY_FIELDS = [
  'service_id',
  'endpoint',
  'api_backend',
  'credentials_location',
  'auth_app_key',
  'auth_app_id',
  'auth_user_key',
  'error_auth_failed',
  'error_auth_missing',
  'error_status_auth_failed',
  'error_headers_auth_failed',
  'error_status_auth_missing',
  'error_headers_auth_missing',
  'error_no_match',
  'error_status_no_match',
  'error_headers_no_match',
  'error_limits_exceeded',
  'error_status_limits_exceeded',
  'error_headers_limits_exceeded',
  'secret_token',
  'sandbox_endpoint',
  'api_test_path',
  'policies_config',
  'created_at',
  'updated_at',
  'deployment_option',
  'lock_version',
  'links',
];

describe('GET /admin/api/services/{id}/proxy', () => {
  it('has the field set and order 3scale renders, api_backend rendered as null', async () => {
    const { status, body } = await proxyOf(defaults, 'image-classifier');
    assert.equal(status, 200);
    assert.deepEqual(Object.keys(body.proxy), PROXY_FIELDS);
    assert.equal(body.proxy.api_backend, null);
    assert.equal(body.proxy.service_id, ids(defaults.fake).service('image-classifier'));
    assert.match(
      body.proxy.endpoint as string,
      /^https:\/\/image-classifier-mlaas-apicast-production\.apps\.example\.test:443$/,
    );
    assert.deepEqual(body.proxy.links, [
      { rel: 'mapping_rules', href: `/admin/api/services/${body.proxy.service_id}/proxy/mapping_rules` },
      { rel: 'self', href: `/admin/api/services/${body.proxy.service_id}/proxy` },
      { rel: 'service', href: `/admin/api/services/${body.proxy.service_id}` },
    ]);
  });

  it('omits endpoint for a self-managed product without a production URL', async () => {
    const { body } = await proxyOf(harness, 'self-managed-no-endpoint');
    assert.equal('endpoint' in body.proxy, false);
    assert.equal('sandbox_endpoint' in body.proxy, false);
    assert.equal(body.proxy.deployment_option, 'self_managed');
  });

  it('reports each credentials location and custom parameter names', async () => {
    const cases: [string, Record<string, string>][] = [
      ['no-default-plan', { credentials_location: 'query', auth_user_key: 'api_key' }],
      ['approval-required', { credentials_location: 'headers', auth_user_key: 'X-Edge-Key' }],
      ['app-id-basic', { credentials_location: 'authorization', auth_app_id: 'app_id', auth_app_key: 'app_key' }],
      ['app-id-custom-names', { credentials_location: 'headers', auth_app_id: 'X-App-Id', auth_app_key: 'X-App-Key' }],
      ['optional-app-key', { credentials_location: 'query', auth_app_id: 'id', auth_app_key: 'key' }],
    ];
    for (const [systemName, expected] of cases) {
      const { body } = await proxyOf(harness, systemName);
      for (const [field, value] of Object.entries(expected))
        assert.equal(body.proxy[field], value, `${systemName}.${field}`);
    }
  });

  it('adds the OIDC fields for OIDC products only', async () => {
    const oidc = (await proxyOf(harness, 'oidc-basic')).body.proxy;
    assert.equal(oidc.oidc_issuer_endpoint, 'https://keycloak.example.test/realms/edge');
    assert.equal(oidc.oidc_issuer_type, 'keycloak');
    assert.equal(oidc.jwt_claim_with_client_id, 'azp');
    const plain = (await proxyOf(harness, 'no-plans')).body.proxy;
    assert.equal('oidc_issuer_endpoint' in plain, false);
  });

  it('renders policies_config as a JSON array in JSON and a JSON string in XML', async () => {
    const { body } = await proxyOf(defaults, 'llm-chat');
    assert.ok(Array.isArray(body.proxy.policies_config));
    const xml = await (
      await defaults.call(`/admin/api/services/${ids(defaults.fake).service('llm-chat')}/proxy.xml`)
    ).text();
    assert.match(xml, /<policies_config>\[\{&quot;name&quot;:&quot;apicast&quot;/);
    assert.match(xml, /<api_backend\/>/);
    assert.doesNotMatch(xml, /<links>/);
  });

  it('answers 404 for an unknown product', async () => {
    assert.equal((await defaults.call('/admin/api/services/42/proxy.json')).status, 404);
  });
});
