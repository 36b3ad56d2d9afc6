import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { seedWithServices } from '../../src/index.js';
import { ids, startFake } from '../support/fake.js';

type Services = { services: { service: Record<string, unknown> }[]; metadata?: Record<string, number> };

/** Field order of a JSON service, all present. */
const SERVICE_FIELDS = [
  'id',
  'name',
  'state',
  'system_name',
  'backend_version',
  'deployment_option',
  'support_email',
  'description',
  'intentions_required',
  'buyers_manage_apps',
  'buyers_manage_keys',
  'referrer_filters_required',
  'custom_keys_enabled',
  'buyer_key_regenerate_enabled',
  'mandatory_app_key',
  'buyer_can_select_plan',
  'buyer_plan_change_permission',
  'annotations',
  'created_at',
  'updated_at',
  'links',
];

describe('GET /admin/api/services', () => {
  it('wraps each product: {"services":[{"service":{…}}]}, the field order 3scale renders', async () => {
    const harness = await startFake();
    const { status, body } = await harness.json<Services>('/admin/api/services.json');
    assert.equal(status, 200);
    assert.deepEqual(Object.keys(body), ['services']);
    const first = body.services[0]?.service ?? {};
    assert.deepEqual(Object.keys(first), SERVICE_FIELDS);
    assert.deepEqual(
      (first.links as { rel: string }[]).map((l) => l.rel),
      ['metrics', 'self', 'service_plans', 'application_plans', 'features'],
    );
  });

  it('shows backend_version as a string: "1", "2" and "oidc"', async () => {
    const harness = await startFake();
    const { body } = await harness.json<Services>('/admin/api/services.json');
    assert.deepEqual(
      body.services.map((s) => s.service.backend_version),
      ['1', '2', 'oidc', '1'],
    );
  });

  it('omits nil properties instead of sending null', async () => {
    const harness = await startFake({ seed: { services: [{ name: 'Bare', backend_version: '1' }] } });
    const { body } = await harness.json<Services>('/admin/api/services.json');
    const service = body.services[0]?.service ?? {};
    assert.equal('description' in service, false);
    assert.equal('support_email' in service, false);
    assert.equal(service.state, 'incomplete');
  });

  it('orders products by id', async () => {
    const harness = await startFake({ seed: seedWithServices(30) });
    const { body } = await harness.json<Services>('/admin/api/services.json');
    const list = body.services.map((s) => s.service.id as number);
    assert.deepEqual(
      list,
      [...list].sort((a, b) => a - b),
    );
  });

  it('answers 404 JSON for a missing service and reads a present one', async () => {
    const harness = await startFake();
    const id = ids(harness.fake).service('image-classifier');
    const { status, body } = await harness.json<{ service: Record<string, unknown> }>(`/admin/api/services/${id}.json`);
    assert.equal(status, 200);
    assert.deepEqual(
      Object.keys(body.service),
      SERVICE_FIELDS.filter((f) => f !== 'support_email'),
    );
  });

  it('carries account_id and the hits metric in XML', async () => {
    const harness = await startFake();
    const id = ids(harness.fake).service('llm-chat');
    const xml = await (await harness.call(`/admin/api/services/${id}.xml`)).text();
    assert.match(
      xml,
      /^<\?xml version="1.0" encoding="UTF-8"\?><service><id>\d+<\/id><account_id>\d+<\/account_id><name>LLM Chat Completions<\/name>/,
    );
    assert.match(xml, /<metrics><metric><id>\d+<\/id><name>hits<\/name>/);
  });
});

describe('services pagination over 1,200 products', async () => {
  const harness = await startFake({ seed: seedWithServices(1200) });
  const page = (query: string) => harness.json<Services>(`/admin/api/services.json${query}`);

  it('gives 500 per page by default, then 500, then 200', async () => {
    const sizes = [];
    for (const n of [1, 2, 3, 4]) sizes.push((await page(`?page=${n}`)).body.services.length);
    assert.deepEqual(sizes, [500, 500, 200, 0]);
  });

  it('pages through every product exactly once with per_page=500', async () => {
    const seen = new Set<number>();
    for (let n = 1; ; n += 1) {
      const { body } = await page(`?page=${n}&per_page=500`);
      for (const s of body.services) seen.add(s.service.id as number);
      if (body.services.length < 500) break;
    }
    assert.equal(seen.size, 1200);
  });

  it('adds metadata when a page does not hold everything', async () => {
    const { body } = await page('?page=2');
    assert.deepEqual(body.metadata, { per_page: 500, total_entries: 1200, total_pages: 3, current_page: 2 });
  });

  it('puts the metadata on the XML root as attributes', async () => {
    const xml = await (await harness.call('/admin/api/services.xml?page=3&per_page=500')).text();
    assert.match(
      xml,
      /^<\?xml version="1.0" encoding="UTF-8"\?><services per_page="500" total_entries="1200" total_pages="3" current_page="3">/,
    );
  });

  for (const perPage of ['1000', '0', '-5', 'abc', '']) {
    it(`silently uses 500 for per_page=${JSON.stringify(perPage)}`, async () => {
      const { status, body } = await page(`?per_page=${perPage}`);
      assert.equal(status, 200);
      assert.equal(body.services.length, 500);
    });
  }

  it('silently uses page 1 for page=0 and page=x', async () => {
    const first = (await page('')).body.services[0]?.service.id;
    assert.equal((await page('?page=0')).body.services[0]?.service.id, first);
    assert.equal((await page('?page=x')).body.services[0]?.service.id, first);
  });

  it('honours a small per_page', async () => {
    const { body } = await page('?page=3&per_page=7');
    assert.equal(body.services.length, 7);
    assert.equal(body.metadata?.total_pages, Math.ceil(1200 / 7));
  });
});

describe('a tenant that fits on one page', () => {
  it('sends no metadata', async () => {
    const harness = await startFake();
    const { body } = await harness.json<Services>('/admin/api/services.json?per_page=500');
    assert.equal(body.metadata, undefined);
  });
});
