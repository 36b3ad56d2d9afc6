import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EDGE_CASES_SEED_PATH, loadSeedFile } from '../../src/index.js';
import { ids, startFake } from '../support/fake.js';

type Plans = { plans: { application_plan: Record<string, unknown> }[] };
const harness = await startFake({ seed: loadSeedFile(EDGE_CASES_SEED_PATH) });
const plansOf = (systemName: string) =>
  harness.json<Plans>(`/admin/api/services/${ids(harness.fake).service(systemName)}/application_plans.json`);

/** Field order of a JSON application plan. */
const PLAN_FIELDS = [
  'id',
  'name',
  'state',
  'setup_fee',
  'cost_per_month',
  'trial_period_days',
  'cancellation_period',
  'approval_required',
  'default',
  'created_at',
  'updated_at',
  'custom',
  'system_name',
  'links',
];

describe('GET /admin/api/services/{id}/application_plans', () => {
  it('wraps plans as {"plans":[{"application_plan":{…}}]}, the field order 3scale renders, no service_id', async () => {
    const { status, body } = await plansOf('no-default-plan');
    assert.equal(status, 200);
    assert.deepEqual(Object.keys(body), ['plans']);
    for (const { application_plan: plan } of body.plans) {
      assert.deepEqual(Object.keys(plan), PLAN_FIELDS);
      assert.equal('service_id' in plan, false);
    }
  });

  it('lists hidden and custom plans too, and shows when none is the default', async () => {
    const { body } = await plansOf('no-default-plan');
    assert.deepEqual(
      body.plans.map(({ application_plan: p }) => [p.system_name, p.state, p.custom, p.default]),
      [
        ['internal', 'hidden', false, false],
        ['starter-custom', 'published', true, false],
        ['starter', 'published', false, false],
        ['pro', 'published', false, false],
      ],
    );
  });

  it('flags approval-required plans', async () => {
    const { body } = await plansOf('approval-required');
    assert.equal(body.plans[0]?.application_plan.approval_required, true);
    assert.equal(body.plans[0]?.application_plan.default, true);
  });

  it('answers an empty list for a product without plans', async () => {
    const { body } = await plansOf('no-plans');
    assert.deepEqual(body, { plans: [] });
  });

  it('writes prices as Ruby floats (0.0), trial days as an integer', async () => {
    const response = await harness.call(
      `/admin/api/services/${ids(harness.fake).service('no-default-plan')}/application_plans.json`,
    );
    const text = await response.text();
    assert.match(text, /"setup_fee":0\.0,"cost_per_month":10\.0,"trial_period_days":0,/);
  });

  it('uses attributes for custom/default and includes service_id in XML', async () => {
    const serviceId = ids(harness.fake).service('approval-required');
    const xml = await (await harness.call(`/admin/api/services/${serviceId}/application_plans.xml`)).text();
    assert.match(
      xml,
      new RegExp(
        `^<\\?xml version="1.0" encoding="UTF-8"\\?><plans><plan custom="false" default="true"><id>\\d+</id><name>Reviewed</name><type>application_plan</type><state>published</state><approval_required>true</approval_required><setup_fee>0.0</setup_fee><cost_per_month>0.0</cost_per_month><trial_period_days>0</trial_period_days><cancellation_period>0</cancellation_period><service_id>${serviceId}</service_id></plan></plans>$`,
      ),
    );
  });

  it('answers 404 for an unknown product', async () => {
    assert.equal((await harness.call('/admin/api/services/7/application_plans.json')).status, 404);
  });
});
