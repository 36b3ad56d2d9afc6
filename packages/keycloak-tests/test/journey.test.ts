/**
 * @module test/journey
 * The whole journey with Keycloak as the identity server and the helper running as its own process,
 * configured as deployed (KEYCLOAK_URL, KEYCLOAK_REALM, KEYCLOAK_CLIENT_ID): sign in → list → get a key →
 * the same key on a second request; once on the embedded store and once on the 3scale adapter against the
 * fake 3scale. On the embedded store also rotate and revoke through the CLI, checked at the demo gateway.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createFake3scale, type Fake3scale } from '@mlaas/fake-3scale';
import { startHelperProcess, type HelperProcess } from '../../helper/test/support/helper-process.js';
import { keyWorks } from '../../helper/test/support/threescale-harness.js';
import type { Keycloak } from '../src/index.js';
import { cliUser, type CliUser } from './support/clients.js';
import { SKIP, useKeycloak } from './support/keycloak.js';
import { CLIENT_ID } from './support/keycloak-admin.js';

interface ListData {
  services: { id: string; name: string; has_api_key: boolean; api_key_preview: string | null }[];
  user: { soeid: string; email: string };
  account_id: string | null;
}
interface InitData {
  api_key: string;
  is_new: boolean;
  account_id: string;
  service: { id: string; name: string };
}

/** Runs the journey for one user against a running helper; returns what it saw. */
async function journey(
  keycloak: Keycloak,
  helperUrl: string,
  serviceName: string,
  users: CliUser[],
  options: { keyMadeOnFirstInit: boolean },
): Promise<{ first: InitData; second: InitData }> {
  const user = cliUser(keycloak, { helperUrl });
  users.push(user);
  await user.login('alice');

  const list = await user.run(['services', 'list', '--json']);
  assert.equal(list.code, 0, list.stderr);
  const before = JSON.parse(list.stdout) as ListData;
  assert.deepEqual(before.user, { soeid: 'AL12345', email: 'alice@example.org' });
  const service = before.services.find((s) => s.name === serviceName);
  assert.ok(service, `${serviceName} is listed`);
  assert.equal(service.has_api_key, false);

  const init = await user.run(['services', 'init', '--name', serviceName, '--json']);
  assert.equal(init.code, 0, init.stderr);
  const first = JSON.parse(init.stdout) as InitData;
  assert.equal(first.is_new, options.keyMadeOnFirstInit);
  assert.equal(first.service.id, service.id);

  const again = await user.run(['services', 'init', service.id, '--json']);
  assert.equal(again.code, 0, again.stderr);
  const second = JSON.parse(again.stdout) as InitData;
  assert.equal(second.is_new, false);
  assert.equal(second.api_key, first.api_key);
  assert.equal(second.account_id, first.account_id);

  const human = await user.run(['services', 'init', service.id]);
  assert.equal(human.code, 0, human.stderr);
  assert.ok(human.stdout.includes(first.api_key), 'the key is printed with its example');

  const after = JSON.parse((await user.run(['services', 'list', '--json'])).stdout) as ListData;
  assert.equal(after.services.find((s) => s.id === service.id)?.has_api_key, true);
  assert.equal(after.account_id, first.account_id);
  return { first, second };
}

describe('the whole journey with Keycloak', { skip: SKIP }, () => {
  let keycloak: Keycloak;
  const users: CliUser[] = [];
  const deployed = () => ({
    KEYCLOAK_URL: keycloak.url,
    KEYCLOAK_REALM: keycloak.realm,
    KEYCLOAK_CLIENT_ID: CLIENT_ID,
  });
  before(async () => {
    keycloak = await useKeycloak();
  });
  after(() => {
    for (const user of users) user.remove();
  });

  describe('on the embedded store', () => {
    let helper: HelperProcess;
    let dataDir: string;
    before(async () => {
      dataDir = mkdtempSync(join(tmpdir(), 'mlaas-kc-journey-'));
      helper = await startHelperProcess({ ...deployed(), APIM_BACKEND: 'embedded', MLAAS_DATA_DIR: dataDir });
    });
    after(async () => {
      await helper?.stop();
      rmSync(dataDir, { recursive: true, force: true });
    });

    it('login → list → init → the same key on a second init', async () => {
      const { first } = await journey(keycloak, helper.url, 'Sentiment Analysis', users, { keyMadeOnFirstInit: true });
      assert.match(first.api_key, /^mlaas_/);
      // Nothing secret in the helper's log.
      assert.ok(!helper.output().includes(first.api_key));
    });

    it('rotate --grace 0 and revoke --yes with a Keycloak token: the old key is refused at the gateway at once', async () => {
      const user = cliUser(keycloak, { helperUrl: helper.url });
      users.push(user);
      await user.login('alice');
      const gateway = async (key: string) =>
        (
          await fetch(`${helper.url}/gateway/sentiment-analysis`, {
            method: 'POST',
            headers: { 'x-api-key': key, 'content-type': 'application/json' },
            body: '{"text":"fine"}',
          })
        ).status;
      const init = async () => {
        const result = await user.run(['services', 'init', 'sentiment-analysis', '--json']);
        assert.equal(result.code, 0, result.stderr);
        return JSON.parse(result.stdout) as InitData;
      };
      const original = (await init()).api_key;
      assert.equal(await gateway(original), 200);

      const rotate = await user.run(['keys', 'rotate', 'sentiment-analysis', '--grace', '0', '--json']);
      assert.equal(rotate.code, 0, rotate.stderr);
      const rotated = JSON.parse(rotate.stdout) as { api_key: string; rotated: boolean };
      assert.equal(rotated.rotated, true);
      assert.notEqual(rotated.api_key, original);
      assert.equal(await gateway(original), 403, 'the replaced key is refused at once');
      assert.equal(await gateway(rotated.api_key), 200, 'the new key is accepted');
      assert.equal((await init()).api_key, rotated.api_key, 'init answers the new key');

      const revoke = await user.run(['keys', 'revoke', 'sentiment-analysis', '--yes', '--json']);
      assert.equal(revoke.code, 0, revoke.stderr);
      assert.equal(await gateway(rotated.api_key), 403, 'the revoked key is refused at once');
      const fresh = await init();
      assert.equal(fresh.is_new, true);
      assert.notEqual(fresh.api_key, rotated.api_key);
      assert.notEqual(fresh.api_key, original);
      assert.equal(await gateway(fresh.api_key), 200, 'a later init gives a fresh, working key');
      const output = helper.output();
      for (const key of [original, rotated.api_key, fresh.api_key]) assert.ok(!output.includes(key));
    });
  });

  describe('on the 3scale adapter (fake 3scale)', () => {
    let helper: HelperProcess;
    let fake: Fake3scale;
    before(async () => {
      fake = createFake3scale();
      await fake.listen();
      helper = await startHelperProcess({
        ...deployed(),
        APIM_BACKEND: 'threescale',
        THREESCALE_ADMIN_API_URL: fake.url,
        THREESCALE_ADMIN_API_KEY: fake.accessToken,
      });
    });
    after(async () => {
      await helper?.stop();
      await fake?.close();
    });

    it('login → list → init → the same key on a second init, one account and one application in 3scale', async () => {
      // 3scale's signup subscribes the new account to every service's default plan, so the key exists once
      // the account does; it was made in this same call, so it is still new to the person.
      const { first } = await journey(keycloak, helper.url, 'Image Classification', users, {
        keyMadeOnFirstInit: true,
      });
      const signups = fake.requests().filter((r) => r.method === 'POST' && r.path.includes('signup'));
      assert.equal(signups.length, 1, 'one account, signed up on first use');
      const account = fake.state.getAccount(Number(first.account_id));
      assert.equal(fake.state.usersOf(account.id)[0]?.username, 'AL12345', 'the account is named by the soeid');
      const apps = fake.state.applicationsOf(account.id).filter((app) => String(app.serviceId) === first.service.id);
      assert.equal(apps.length, 1, 'one application on the service');
      assert.ok(!helper.output().includes(first.api_key));
    });

    it('rotate with a grace, then revoke, through the CLI: 3scale holds both keys during the grace, none after', async () => {
      const user = cliUser(keycloak, { helperUrl: helper.url });
      users.push(user);
      await user.login('alice');
      const works = (serviceId: string, key: string) => keyWorks(fake, serviceId, key);
      for (const name of ['Image Classification', 'LLM Chat Completions']) {
        const init = await user.run(['services', 'init', '--name', name, '--json']);
        assert.equal(init.code, 0, init.stderr);
        const old = JSON.parse(init.stdout) as InitData;
        const rotate = await user.run(['keys', 'rotate', old.service.id, '--grace', '1h', '--json']);
        assert.equal(rotate.code, 0, rotate.stderr);
        const rotated = JSON.parse(rotate.stdout) as { api_key: string; rotated: boolean };
        assert.equal(rotated.rotated, true);
        assert.notEqual(rotated.api_key, old.api_key);
        assert.ok(works(old.service.id, old.api_key), `${name}: the old key works during its grace`);
        assert.ok(works(old.service.id, rotated.api_key), `${name}: the new key works`);
        const again = JSON.parse((await user.run(['services', 'init', old.service.id, '--json'])).stdout) as InitData;
        assert.equal(again.api_key, rotated.api_key, `${name}: init answers the new key`);
        const revoke = await user.run(['keys', 'revoke', old.service.id, '--yes', '--json']);
        assert.equal(revoke.code, 0, revoke.stderr);
        assert.equal(works(old.service.id, old.api_key), false, `${name}: the old key stops`);
        assert.equal(works(old.service.id, rotated.api_key), false, `${name}: the new key stops`);
        const fresh = JSON.parse((await user.run(['services', 'init', old.service.id, '--json'])).stdout) as InitData;
        assert.equal(fresh.is_new, true);
        assert.ok(works(old.service.id, fresh.api_key));
        assert.ok(!helper.output().includes(rotated.api_key));
      }
    });
  });
});
