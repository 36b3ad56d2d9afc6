/**
 * Idempotent provisioning under concurrency: many simultaneous first requests of one user for one service
 * create one account and one application, and every caller gets the same key.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { startHarness, type Harness } from '../support/helper-harness.js';

describe('concurrent inits', () => {
  let h: Harness;
  let url: string;
  before(async () => {
    h = await startHarness({ RATE_LIMIT_INIT_PER_MINUTE: '0', RATE_LIMIT_USER_PER_MINUTE: '0' });
    url = await h.helper.app.listen({ port: 0, host: '127.0.0.1' });
  });
  after(() => h.close());

  it('50 concurrent inits for a new user and one service make one application and return one key', async () => {
    const token = await h.issuer.token({
      claims: { sub: 'sub-rush', soeid: 'rush', preferred_username: 'rush', email: 'rush@example.org' },
    });
    const responses = await Promise.all(
      Array.from({ length: 50 }, () =>
        fetch(`${url}/api/services/init`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify({ service_id: 'sentiment-analysis' }),
        }).then(async (r) => ({
          status: r.status,
          body: (await r.json()) as { data: { api_key: string; is_new: boolean; account_id: string } },
        })),
      ),
    );
    assert.deepEqual(new Set(responses.map((r) => r.status)), new Set([200]));
    assert.equal(new Set(responses.map((r) => r.body.data.api_key)).size, 1);
    assert.equal(responses.filter((r) => r.body.data.is_new).length, 1);
    assert.equal(new Set(responses.map((r) => r.body.data.account_id)).size, 1);

    const db = new Database(join(h.dataDir, 'mlaas.db'), { readonly: true });
    try {
      const accounts = db.prepare('SELECT COUNT(*) AS n FROM accounts WHERE username = ?').get('rush') as { n: number };
      const apps = db
        .prepare('SELECT COUNT(*) AS n FROM applications WHERE account_id = ?')
        .get(responses[0]?.body.data.account_id) as { n: number };
      assert.equal(accounts.n, 1);
      assert.equal(apps.n, 1);
    } finally {
      db.close();
    }
  });

  it('concurrent inits of one user for different services each get their own key', async () => {
    const token = await h.issuer.token({ claims: { sub: 'sub-multi', preferred_username: 'multi' } });
    const ids = ['sentiment-analysis', 'text-embedding', 'image-classification'];
    const keys = await Promise.all(
      ids
        .flatMap((id) => [id, id])
        .map((id) =>
          fetch(`${url}/api/services/init`, {
            method: 'POST',
            headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
            body: JSON.stringify({ service_id: id }),
          }).then(async (r) => [id, ((await r.json()) as { data: { api_key: string } }).data.api_key] as const),
        ),
    );
    const byService = new Map<string, Set<string>>();
    for (const [id, key] of keys) byService.set(id, (byService.get(id) ?? new Set()).add(key));
    for (const id of ids) assert.equal(byService.get(id)?.size, 1, id);
    assert.equal(new Set(keys.map(([, key]) => key)).size, 3);
  });
});
