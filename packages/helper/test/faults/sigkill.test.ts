/**
 * A helper killed with SIGKILL in the middle of key requests, then restarted: no application is made twice,
 * no row of the embedded store is half-written, and every key a client was given before the crash is the
 * key it gets afterwards. On 3scale, a create the crash cut off — stored by 3scale with its answer lost, or
 * never stored — ends as exactly one application.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { createFake3scale, defaultSeed } from '@mlaas/fake-3scale';
import { createEmbeddedStore } from '../../src/apim/embedded/index.js';
import { startHelperProcess, type HelperProcess } from '../support/helper-process.js';
import { eventually, request, sleep, type HttpOutcome } from '../support/load.js';
import { findLeaks } from '../support/secret-scan.js';
import { startTestIssuer, type TestIssuer } from '../support/test-issuer.js';

const EMBEDDED_SERVICES = ['sentiment-analysis', 'text-embedding', 'image-classification'];
const NO_LIMITS = { RATE_LIMIT_USER_PER_MINUTE: '0', RATE_LIMIT_IP_PER_MINUTE: '0', RATE_LIMIT_INIT_PER_MINUTE: '0' };

interface Pair {
  user: string;
  service: string;
  token: string;
}

async function pairsFor(issuer: TestIssuer, users: string[], services: string[]): Promise<Pair[]> {
  const pairs: Pair[] = [];
  for (const user of users) {
    const token = await issuer.token({
      expiresIn: 600,
      claims: { sub: `sub-${user}`, soeid: user, preferred_username: user, email: `${user}@example.test` },
    });
    for (const service of services) pairs.push({ user, service, token });
  }
  return pairs;
}

const pairKey = (p: { user: string; service: string }) => `${p.user} ${p.service}`;

/** Helpers started by a test, all killed at its end whatever happened. */
function processes() {
  const started: HelperProcess[] = [];
  return {
    async start(env: Record<string, string>): Promise<HelperProcess> {
      const helper = await startHelperProcess(env);
      started.push(helper);
      return helper;
    },
    async killAll(): Promise<void> {
      await Promise.all(started.map((helper) => helper.stop('SIGKILL')));
    },
  };
}

function init(helper: HelperProcess, pair: Pair, body: object): Promise<HttpOutcome> {
  return request(`${helper.url}/api/services/init`, {
    method: 'POST',
    headers: { authorization: `Bearer ${pair.token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

type InitData = { api_key: string; is_new: boolean; account_id: string; service: { id: string } };
const dataOf = (outcome: HttpOutcome) =>
  outcome.kind === 'response' && outcome.status === 200 ? (outcome.json as { data: InitData }).data : null;

/** Fires every init at once and kills the helper as soon as `killWhen` says (given how many were answered). */
async function initsCutByKill(
  helper: HelperProcess,
  pairs: Pair[],
  bodyOf: (p: Pair) => object,
  killWhen: (answered: number) => boolean,
) {
  const answers = new Map<string, InitData>();
  const pending = pairs.map(async (pair) => {
    const data = dataOf(await init(helper, pair, bodyOf(pair)));
    if (data !== null) answers.set(pairKey(pair), data);
  });
  assert.ok(await eventually(() => killWhen(answers.size), 15_000, 2), 'the kill point was reached');
  await helper.stop('SIGKILL');
  await Promise.all(pending);
  return answers;
}

describe('SIGKILL in the middle of inits', () => {
  it('embedded store: no duplicate, no half-written row, the same keys after a restart — twice', async (t) => {
    const issuer = await startTestIssuer();
    const dataDir = mkdtempSync(join(tmpdir(), 'mlaas-kill-'));
    const env = {
      OIDC_ISSUER: issuer.url,
      KEYCLOAK_CLIENT_ID: issuer.clientId,
      APIM_BACKEND: 'embedded',
      MLAAS_DATA_DIR: dataDir,
      ...NO_LIMITS,
    };
    const users = Array.from({ length: 80 }, (_, i) => `user${i}`);
    const given = new Map<string, string>();
    const output: string[] = [];
    const tokens = new Set<string>();
    const helpers = processes();
    let cut = 0;
    try {
      // Round 1 kills during the first 40 users' inits; round 2 repeats them with 40 more and kills again.
      for (const round of [users.slice(0, 40), users]) {
        const helper = await helpers.start(env);
        const pairs = await pairsFor(issuer, round, EMBEDDED_SERVICES);
        for (const pair of pairs) tokens.add(pair.token);
        const answers = await initsCutByKill(
          helper,
          pairs,
          (p) => ({ service_id: p.service }),
          (answered) => answered >= pairs.length / 2,
        );
        output.push(helper.output());
        cut += pairs.length - answers.size;
        for (const [key, data] of answers) {
          const before = given.get(key);
          if (before !== undefined) assert.equal(data.api_key, before, `${key}: the same key as before the crash`);
          given.set(key, data.api_key);
        }
      }
      t.diagnostic(`${cut} inits were cut off by the two kills`);
      assert.ok(cut > 0, 'some requests were cut off by the kills');

      // After the last restart every pair gets its key, and a key given before any crash is unchanged.
      const helper = await helpers.start(env);
      const pairs = await pairsFor(issuer, users, EMBEDDED_SERVICES);
      const results = await Promise.all(
        pairs.map(async (pair) => [pair, dataOf(await init(helper, pair, { service_id: pair.service }))] as const),
      );
      for (const [pair, data] of results) {
        assert.ok(data !== null, `${pairKey(pair)} gets a key after the restart`);
        const before = given.get(pairKey(pair));
        if (before !== undefined) {
          assert.equal(data.api_key, before, `${pairKey(pair)}: the key given before the crash`);
          assert.equal(data.is_new, false);
        }
        given.set(pairKey(pair), data.api_key);
      }
      await helper.stop('SIGTERM');
      output.push(helper.output());

      // The database: intact, one account per user, one complete application per (user, service).
      const db = new Database(join(dataDir, 'mlaas.db'), { readonly: true });
      try {
        assert.equal(db.pragma('integrity_check', { simple: true }), 'ok');
        assert.equal((db.prepare('SELECT count(*) AS n FROM accounts').get() as { n: number }).n, users.length);
        const rows = db
          .prepare('SELECT account_id, service_id, key_ciphertext, key_preview, key_hash FROM applications')
          .all() as {
          account_id: string;
          service_id: string;
          key_ciphertext: Buffer;
          key_preview: string;
          key_hash: string;
        }[];
        assert.equal(rows.length, users.length * EMBEDDED_SERVICES.length, 'one application per pair, none twice');
        for (const row of rows) {
          assert.ok(
            row.key_ciphertext.length > 0 &&
              /^[0-9a-f]{64}$/.test(row.key_hash) &&
              row.key_preview.startsWith('mlaas_…'),
            'a complete row',
          );
        }
      } finally {
        db.close();
      }
      // Every stored key decrypts, is found by its hash, and is the key the client holds.
      const store = createEmbeddedStore({ dataDir });
      try {
        for (const [key, apiKey] of given) {
          const application = store.findApplicationByKey(apiKey);
          assert.ok(application !== null, `${key}: its key is found by hash`);
          assert.equal(application.apiKey, apiKey, `${key}: the stored key decrypts to the given one`);
          assert.equal(application.serviceId, key.split(' ')[1]);
        }
      } finally {
        await store.close();
      }
      assert.deepEqual(
        findLeaks([{ where: 'the helper output', text: output.join('\n') }], [...given.values(), ...tokens]),
        [],
      );
    } finally {
      await helpers.killAll();
      await issuer.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('3scale: a create stored with its answer lost, or never stored, ends as exactly one application with one key', async () => {
    const seed = defaultSeed();
    // Without signup's automatic subscriptions, every first key request creates an application.
    for (const service of seed.services ?? []) service.service_plan = 'published';
    // Signup subscribes merely published service plans too, unless the service plans screen is shown.
    seed.settings = { service_plans_ui_visible: true };
    const fake = createFake3scale({ seed });
    await fake.listen();
    const issuer = await startTestIssuer();
    const env = {
      OIDC_ISSUER: issuer.url,
      KEYCLOAK_CLIENT_ID: issuer.clientId,
      APIM_BACKEND: 'threescale',
      THREESCALE_ADMIN_API_URL: fake.url,
      THREESCALE_ADMIN_API_KEY: fake.accessToken,
      THREESCALE_TIMEOUT_MS: '20000',
      ...NO_LIMITS,
    };
    const services = ['LLM Chat Completions', 'Speech to Text'];
    const creates = () => fake.stats()['applications.create'] ?? 0;
    const helpers = processes();
    try {
      // Stored, answer lost: 3scale keeps every create and never answers; the helper dies waiting.
      const lost = await pairsFor(
        issuer,
        Array.from({ length: 8 }, (_, i) => `lost${i}`),
        services,
      );
      fake.setFault('applications.create', { kind: 'store_then_timeout' });
      let helper = await helpers.start(env);
      await initsCutByKill(
        helper,
        lost,
        (p) => ({ service_name: p.service }),
        () => creates() >= lost.length,
      );
      // Sent, never stored: 3scale is slow, and drops the create when the helper's connection goes.
      fake.setFault('applications.create', null);
      fake.setLatency('applications.create', 1_000);
      const dropped = await pairsFor(
        issuer,
        Array.from({ length: 8 }, (_, i) => `dropped${i}`),
        services,
      );
      helper = await helpers.start(env);
      const before = creates();
      await initsCutByKill(
        helper,
        dropped,
        (p) => ({ service_name: p.service }),
        () => creates() - before >= dropped.length,
      );
      await sleep(1_200);
      fake.setLatency('applications.create', null);

      helper = await helpers.start(env);
      try {
        for (const pair of [...lost, ...dropped]) {
          const first = dataOf(await init(helper, pair, { service_name: pair.service }));
          const again = dataOf(await init(helper, pair, { service_name: pair.service }));
          assert.ok(first !== null && again !== null, `${pairKey(pair)} gets a key after the restart`);
          assert.equal(again.api_key, first.api_key, 'the same key again');
          const apps = fake.state
            .applicationsOf(Number(first.account_id))
            .filter((a) => String(a.serviceId) === first.service.id);
          assert.equal(apps.length, 1, `${pairKey(pair)}: exactly one application`);
          assert.equal(apps[0]?.userKey, first.api_key, 'the key is the stored application’s');
          assert.equal(
            first.is_new,
            pair.user.startsWith('dropped'),
            'a stored create is found, a dropped one made once',
          );
        }
      } finally {
        await helper.stop('SIGTERM');
      }
      for (const user of [...lost, ...dropped].map((p) => p.user)) {
        assert.equal(
          fake.state.listAccounts().filter((a) => fake.state.usersOf(a.id).some((u) => u.username === user)).length,
          1,
          `${user}: one account`,
        );
      }
    } finally {
      await helpers.killAll();
      await fake.close();
      await issuer.close();
    }
  });
});
