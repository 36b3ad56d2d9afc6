import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DEMO_CATALOG_PATH, loadCatalog } from '../../../src/apim/embedded/catalog.js';
import { isHelperError } from '../../../src/errors/helper-error.js';

describe('loadCatalog', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'mlaas-catalog-'));
  });
  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  function write(name: string, text: string): string {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  }

  /** Runs `load` and returns the CONFIG_ERROR message it throws. */
  function configErrorOf(load: () => unknown): string {
    try {
      load();
    } catch (error) {
      assert.ok(isHelperError(error, 'CONFIG_ERROR'), `expected CONFIG_ERROR, got ${String(error)}`);
      return error.message;
    }
    assert.fail('expected a CONFIG_ERROR');
  }

  it('loads the demo catalog when no path is given', () => {
    const catalog = loadCatalog();
    assert.equal(catalog.source, DEMO_CATALOG_PATH);
    assert.ok(catalog.services.length >= 3);
  });

  it('gives every demo service a default plan except the preview, which offers none', () => {
    const catalog = loadCatalog();
    for (const service of catalog.services) {
      const plans = catalog.plans.get(service.id) ?? [];
      assert.ok(plans.length >= 2, `${service.id} has at least two plans`);
      if (service.name.includes('(preview)')) {
        assert.ok(plans.every((plan) => plan.state === 'hidden' || plan.isCustom));
        assert.ok(plans.every((plan) => !plan.isDefault));
      } else {
        assert.equal(plans.filter((plan) => plan.isDefault).length, 1, `${service.id} has one default plan`);
      }
    }
  });

  it('maps the demo credentials locations: header, query and basic', () => {
    const byId = new Map(loadCatalog().services.map((service) => [service.id, service]));
    assert.deepEqual(byId.get('sentiment-analysis')?.credentials, {
      location: 'header',
      keyParameter: 'X-API-Key',
      appIdParameter: null,
    });
    assert.deepEqual(byId.get('text-embedding')?.credentials, {
      location: 'query',
      keyParameter: 'user_key',
      appIdParameter: null,
    });
    assert.equal(byId.get('image-classification')?.credentials.location, 'basic');
    assert.equal(
      byId.get('sentiment-analysis')?.endpoint,
      '/gateway/sentiment-analysis',
      'a path on the helper itself',
    );
  });

  it('fills plan defaults: published, not custom, no approval', () => {
    const path = write(
      'defaults.yaml',
      `services:
  - id: ocr
    name: OCR
    endpoint: null
    authentication: api_key
    credentials: { location: header, key_parameter: X-API-Key }
    plans:
      - { id: ocr-basic, name: Basic }
`,
    );
    const catalog = loadCatalog(path);
    assert.deepEqual(catalog.plans.get('ocr'), [
      {
        id: 'ocr-basic',
        name: 'Basic',
        serviceId: 'ocr',
        isDefault: false,
        state: 'published',
        isCustom: false,
        approvalRequired: false,
      },
    ]);
    assert.equal(catalog.services[0]?.endpoint, null);
    assert.equal(catalog.services[0]?.systemName, 'ocr');
  });

  it('reads entitlements written next to a service, and names a malformed one', () => {
    const service = (entitlements: string) => `
services:
  - id: vision
    name: Vision
    authentication: api_key
    credentials: { location: header, key_parameter: X-API-Key }
    plans: [{ id: vision-basic, name: Basic, default: true }]
    entitlements: ${entitlements}
`;
    const catalog = loadCatalog(
      write('entitled.yaml', service('{ allow: [group:/vision], plans: { role:vip: Basic } }')),
    );
    assert.deepEqual(
      catalog.entitlements.get('vision')?.allow?.map((grant) => grant.text),
      ['group:/vision'],
    );
    assert.equal(catalog.entitlements.get('vision')?.plans[0]?.plan, 'Basic');
    const message = configErrorOf(() => loadCatalog(write('bad-entitled.yaml', service('{ allow: [admins] }'))));
    assert.match(message, /services\[0\]\.entitlements\.allow\[0\]: "admins" must be role:NAME or group:\/PATH/);
  });

  it('reads a JSON catalog', () => {
    const path = write(
      'catalog.json',
      JSON.stringify({
        services: [
          {
            id: 'translate',
            name: 'Translation',
            description: 'Translates text.',
            endpoint: 'https://gateway.example.com/translate',
            authentication: 'app_id_app_key',
            credentials: { location: 'header', key_parameter: 'X-App-Key', app_id_parameter: 'X-App-Id' },
            plans: [{ id: 'translate-basic', name: 'Basic', default: true }],
          },
        ],
      }),
    );
    const catalog = loadCatalog(path);
    assert.equal(catalog.services[0]?.authenticationMethod, 'app_id_app_key');
    assert.equal(catalog.services[0]?.credentials.appIdParameter, 'X-App-Id');
    assert.equal(catalog.plans.get('translate')?.[0]?.isDefault, true);
  });

  it('lists every problem of a catalog in one CONFIG_ERROR naming the file', () => {
    const path = write(
      'three-problems.yaml',
      `services:
  - id: Bad_Id
    name: First
    authentication: api_key
    credentials: { location: header, key_parameter: X-API-Key }
    plans:
      - { id: plan-a, name: A, default: true }
  - id: second
    name: Second
    authentication: password
    credentials: { location: header, key_parameter: X-API-Key }
    plans:
      - { id: plan-a, name: A again }
`,
    );
    const message = configErrorOf(() => loadCatalog(path));
    assert.ok(message.includes(path), 'names the file');
    assert.match(message, /services\[0\]\.id: must be a lowercase slug/);
    assert.match(message, /services\[1\]\.authentication: must be one of "api_key", "app_id_app_key", "oidc"/);
    assert.match(message, /services\[1\]\.plans\[0\]\.id: duplicate plan id "plan-a"/);
    assert.match(message, /3 problems/);
  });

  it('reports all problems of a catalog with more than eight', () => {
    const services = Array.from(
      { length: 12 },
      (_, i) => `  - { id: S${i}, name: S, authentication: api_key, credentials: { location: basic }, plans: [] }\n`,
    );
    const message = configErrorOf(() => loadCatalog(write('twelve-problems.yaml', `services:\n${services.join('')}`)));
    assert.match(message, /12 problems/);
    assert.match(message, /services\[11\]\.id: must be a lowercase slug/);
  });

  it('refuses duplicate service ids', () => {
    const service = `  - id: same
    name: Same
    authentication: api_key
    credentials: { location: basic }
    plans: []
`;
    const path = write('duplicate-services.yaml', `services:\n${service}${service}`);
    const message = configErrorOf(() => loadCatalog(path));
    assert.match(message, /services\[1\]\.id: duplicate service id "same" \(already used at services\[0\]\.id\)/);
  });

  it('accepts a service with no plans', () => {
    const path = write(
      'no-plans.yaml',
      `services:
  - { id: lonely, name: Lonely, authentication: oidc, credentials: { location: header }, plans: [] }
`,
    );
    assert.deepEqual(loadCatalog(path).plans.get('lonely'), []);
  });

  it('reports unknown and missing properties, and a credentials location that needs a parameter', () => {
    const path = write(
      'shape.yaml',
      `services:
  - { id: x, name: X, authentication: api_key, credentials: { location: query }, plans: [], colour: red }
  - { id: y }
`,
    );
    const message = configErrorOf(() => loadCatalog(path));
    assert.match(message, /services\[0\]: unknown property "colour"/);
    assert.match(message, /services\[1\]: missing "name", "authentication", "credentials", "plans"/);
    assert.match(message, /services\[0\]\.credentials\.key_parameter: required/);
  });

  it('reports a missing file, a YAML syntax error, invalid JSON and an unknown extension', () => {
    assert.match(
      configErrorOf(() => loadCatalog(join(dir, 'absent.yaml'))),
      /absent\.yaml: no such file/,
    );
    const brokenYaml = write('broken.yaml', 'services:\n  - id: a\n  id: b\n  [\n');
    assert.match(
      configErrorOf(() => loadCatalog(brokenYaml)),
      /not valid YAML/,
    );
    assert.match(
      configErrorOf(() => loadCatalog(write('broken.json', '{"services": ['))),
      /not valid JSON/,
    );
    assert.match(
      configErrorOf(() => loadCatalog(write('catalog.toml', ''))),
      /\.yaml, \.yml or \.json/,
    );
  });
});
