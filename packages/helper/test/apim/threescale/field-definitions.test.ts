/**
 * The application fields that key deadlines live in are defined on 3scale as the helper starts, so the
 * first key does not wait for them; a token that may not define them is reported at start and again by the
 * first key, which still fails with a clear CONFIG_ERROR.
 */
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, it } from 'node:test';
import { FIELD } from '../../../src/apim/threescale/lifecycle-fields.js';
import { startThreescaleHarness, type ThreescaleHarness } from '../../support/threescale-harness.js';

const MLAAS_FIELDS = Object.values(FIELD).sort();

async function init(h: ThreescaleHarness, username: string) {
  const response = await h.helper.app.inject({
    method: 'POST',
    url: '/api/services/init',
    headers: { authorization: `Bearer ${await h.token(username)}` },
    payload: { service_name: 'Speech to Text' },
  });
  return { status: response.statusCode, json: response.json() };
}

const definedFields = (h: ThreescaleHarness) =>
  h.fake.state
    .listFieldsDefinitions()
    .filter((d) => d.target === 'Cinstance' && d.name.startsWith('mlaas_'))
    .map((d) => d.name)
    .sort();

const fieldRequests = (h: ThreescaleHarness) =>
  h.fake.requests().filter((r) => r.endpoint?.startsWith('fields_definitions.')).length;

async function until(condition: () => boolean, what: string): Promise<void> {
  for (let waited = 0; !condition(); waited += 20) {
    if (waited > 5_000) assert.fail(`timed out waiting until ${what}`);
    await sleep(20);
  }
}

describe('3scale application fields defined at start', () => {
  let h: ThreescaleHarness;
  afterEach(() => h.close());

  it('defines every field once the helper listens, and the first key then asks for none', async () => {
    h = await startThreescaleHarness();
    assert.deepEqual(definedFields(h), []);
    await h.helper.listen();
    await until(() => definedFields(h).length === MLAAS_FIELDS.length, 'the fields are defined');
    assert.deepEqual(definedFields(h), MLAAS_FIELDS);
    const before = fieldRequests(h);
    const first = await init(h, 'alice');
    assert.equal(first.status, 200);
    assert.equal(first.json.data.is_new, true);
    assert.equal(fieldRequests(h), before, 'the first key makes no fields request');
    h.assertSpecConformance();
  });

  it('when the token may not define them, the start goes on and the first key says what an operator must do', async () => {
    h = await startThreescaleHarness();
    h.fake.setFault('fields_definitions.create', { kind: 'status', status: 403 });
    await h.helper.listen();
    await until(() => h.logs.some((line) => /could not define the 3scale application fields/.test(line)), 'a warning');
    const first = await init(h, 'alice');
    assert.equal(first.status, 500);
    assert.equal(first.json.error.code, 'CONFIG_ERROR');
    assert.match(first.json.error.message, /may not define the application fields/);
    h.fake.setFault('fields_definitions.create', null);
    const again = await init(h, 'alice');
    assert.equal(again.status, 200, 'once permitted, the next key defines them and succeeds');
    assert.deepEqual(definedFields(h), MLAAS_FIELDS);
  });
});
