/**
 * The reconcile loop on the 3scale adapter (the fake, as porta behaves) with many deadlines: the calls in
 * flight stay within the loop's concurrency, an expiry costs a suspension and a field write (no account
 * read), and the suspension is its own re-check — an application renewed or suspended by someone else after
 * the listing is left as it is; one whose mark cannot be written is resumed, for the next run to finish.
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { checkAgainstSpec, createFake3scale, type Fake3scale } from '@mlaas/fake-3scale';
import type { ApiManager } from '../../../src/apim/api-manager.js';
import { FIELD, keyStamp } from '../../../src/apim/threescale/lifecycle-fields.js';
import { createThreescaleApiManager } from '../../../src/apim/threescale/threescale-api-manager.js';
import { createThreescaleHttp, type ThreescaleHttp } from '../../../src/apim/threescale/threescale-http.js';
import { reconcileOnce } from '../../../src/provisioning/reconcile.js';

const HOUR_MS = 3_600_000;

describe('reconcile loop on 3scale', () => {
  let fake: Fake3scale;
  let apiManager: ApiManager;
  let peak = 0;
  let inFlight = 0;
  let events = 0;
  let counter = 0;
  const now = new Date();

  /** The adapter's client, counting calls in flight. */
  const counting = (http: ThreescaleHttp): ThreescaleHttp => {
    const wrap =
      <A extends unknown[], R>(call: (...args: A) => Promise<R>) =>
      async (...args: A): Promise<R> => {
        inFlight += 1;
        peak = Math.max(peak, inFlight);
        try {
          return await call(...args);
        } finally {
          inFlight -= 1;
        }
      };
    return {
      get: wrap(http.get),
      post: wrap(http.post),
      put: wrap(http.put),
      delete: wrap(http.delete),
      close: http.close,
    };
  };

  beforeEach(async () => {
    fake = createFake3scale();
    await fake.listen();
    for (const name of Object.values(FIELD))
      fake.state.createFieldsDefinition({ target: 'Cinstance', name, label: name, hidden: true, readOnly: true });
    apiManager = createThreescaleApiManager({
      http: counting(createThreescaleHttp({ baseUrl: fake.url, accessToken: fake.accessToken, timeoutMs: 10_000 })),
      cache: { catalogTtlMs: 0, catalogStaleMs: 0 },
    });
    peak = 0;
    events = 0;
  });
  afterEach(async () => {
    const problems = fake
      .requests()
      .flatMap((request) => checkAgainstSpec(request).map((p) => `${request.method} ${request.path}: ${p}`));
    assert.deepEqual(problems, []);
    await apiManager.close();
    await fake.close();
  });

  const planOf = (name: string) => {
    const service = fake.state.listServices().find((s) => s.name === name);
    const plan = service === undefined ? undefined : fake.state.plansOf(service.id).find((p) => p.isDefault);
    assert.ok(plan, name);
    return String(plan.id);
  };

  /** A user-key application MLaaS made for a new account, its key expired an hour ago. */
  const expiredApp = () => {
    counter += 1;
    const username = `reconcile-${counter}`;
    const account = fake.state.signup({ orgName: username, username, email: `${username}@example.test` });
    for (const app of fake.state.applicationsOf(account.id)) fake.state.deleteApplication(account.id, app.id);
    const key = `key${String(counter).padStart(29, '0')}`;
    return fake.state.createApplication(account.id, {
      planId: planOf('LLM Chat Completions'),
      userKey: key,
      extra: {
        [FIELD.userId]: username,
        [FIELD.currentKey]: keyStamp(key, new Date(now.getTime() - 48 * HOUR_MS)),
        [FIELD.expiresAt]: new Date(now.getTime() - HOUR_MS).toISOString(),
      },
    });
  };

  const audit = { record: async () => void (events += 1) };

  it('keeps the calls in flight within its concurrency; an expiry is a suspension and a field write', async () => {
    const apps = Array.from({ length: 24 }, expiredApp);
    await apiManager.listDueDeadlines(now, 100); // defines nothing: the fields exist; warms the connection
    fake.reset({ keepState: true });
    fake.setLatency('*', 5);
    const report = await reconcileOnce({
      apiManager,
      audit,
      callsPerMinute: 1_000_000,
      concurrency: 3,
      now: () => now,
    });
    assert.deepEqual([report.due, report.done, report.failed, report.skipped], [24, 24, 0, 0]);
    assert.equal(events, 24);
    assert.ok(peak <= 3, `peak ${peak} calls in flight`);
    const stats = fake.stats();
    assert.equal(stats['applications.suspend'], 24);
    assert.equal(stats['applications.update'], 24);
    assert.equal(stats['applications.list'] ?? 0, 0);
    for (const app of apps) {
      const stored = fake.state.listApplications().find((a) => a.id === app.id);
      assert.equal(stored?.state, 'suspended');
      assert.equal(stored?.extraFields[FIELD.suspendedBy], 'expiry');
    }
    // Done: a second run finds nothing due.
    assert.equal((await reconcileOnce({ apiManager, audit, callsPerMinute: 1_000_000, concurrency: 3 })).due, 0);
  });

  it('leaves live and unmarked a key renewed after the listing', async () => {
    const app = expiredApp();
    const [deadline] = await apiManager.listDueDeadlines(now, 10);
    assert.equal(deadline?.kind, 'expired');
    fake.state.updateApplication(app.accountId, app.id, {
      extra: { [FIELD.expiresAt]: new Date(now.getTime() + HOUR_MS).toISOString() },
    });
    assert.equal(await apiManager.completeDeadline(deadline, now), false);
    const stored = fake.state.listApplications().find((a) => a.id === app.id);
    assert.equal(stored?.state, 'live');
    assert.equal(stored?.extraFields[FIELD.suspendedBy] ?? '', '');
  });

  it('does not mark an application an administrator suspended after the listing', async () => {
    const app = expiredApp();
    const [deadline] = await apiManager.listDueDeadlines(now, 10);
    assert.ok(deadline);
    fake.state.transitionApplication(app.accountId, app.id, 'suspend');
    assert.equal(await apiManager.completeDeadline(deadline, now), false);
    const stored = fake.state.listApplications().find((a) => a.id === app.id);
    assert.equal(stored?.state, 'suspended');
    assert.equal(stored?.extraFields[FIELD.suspendedBy] ?? '', '');
  });

  it('resumes the application when its mark cannot be written, for the next run to try again', async () => {
    const app = expiredApp();
    const [deadline] = await apiManager.listDueDeadlines(now, 10);
    assert.ok(deadline);
    fake.setFault('applications.update', { kind: 'status', status: 500, times: 1 });
    await assert.rejects(apiManager.completeDeadline(deadline, now));
    const stored = fake.state.listApplications().find((a) => a.id === app.id);
    assert.equal(stored?.state, 'live');
    const [again] = await apiManager.listDueDeadlines(now, 10);
    assert.equal(again?.ref, deadline.ref);
    assert.equal(await apiManager.completeDeadline(again, now), true);
    assert.equal(fake.state.listApplications().find((a) => a.id === app.id)?.extraFields[FIELD.suspendedBy], 'expiry');
  });

  it('skips an application deleted after the listing', async () => {
    const app = expiredApp();
    const [deadline] = await apiManager.listDueDeadlines(now, 10);
    assert.ok(deadline);
    fake.state.deleteApplication(app.accountId, app.id);
    assert.equal(await apiManager.completeDeadline(deadline, now), false);
  });
});
