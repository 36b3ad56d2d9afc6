/**
 * Convergence of a (account, service) pair on its oldest application: after a create that raced past a lost
 * lock, every caller answers with the survivor's key and the newer application is removed — also when
 * several callers converge the same pair at once.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ApiManager, Application, CreateApplicationInput, ServicePlan } from '../../src/apim/api-manager.js';
import { compareApplicationIds, convergeApplications, type DuplicateEvent } from '../../src/provisioning/converge.js';
import { createProvisioning } from '../../src/provisioning/provisioning.js';
import type { LockService } from '../../src/state/shared-state.js';

const account = { id: '7', username: 'alice', email: null, state: 'approved' as const };
const identity = {
  userId: 'alice',
  email: null,
  emailVerified: false,
  subject: 'sub-alice',
  roles: [],
  groups: [],
};
const service = {
  id: '1',
  name: 'Sentiment',
  systemName: 'sentiment',
  description: '',
  endpoint: null,
  authenticationMethod: 'api_key' as const,
  credentials: { location: 'header' as const, keyParameter: 'X-Key', appIdParameter: null },
};
const plan: ServicePlan = {
  id: 'p',
  name: 'P',
  serviceId: '1',
  isDefault: true,
  state: 'published',
  isCustom: false,
  approvalRequired: false,
};

const application = (id: string, serviceId = '1'): Application => ({
  id,
  accountId: '7',
  serviceId,
  planId: 'p',
  planName: 'P',
  state: 'live',
  apiKey: `key-of-${id}`,
  keyPreview: '…',
  appId: null,
});

/** An API manager over an array, with numeric ids handed out in order, like 3scale's. */
function store(apps: Application[] = []) {
  let nextId = 100;
  const deleted: string[] = [];
  const manager: ApiManager & { apps: Application[]; deleted: string[]; beforeCreateReturns?: () => void } = {
    apps,
    deleted,
    findAccount: async () => account,
    createAccount: async () => account,
    listServices: async () => [service],
    listPlans: async () => [plan],
    listApplications: async () => [...apps],
    async createApplication(input: CreateApplicationInput) {
      const created = application(String(nextId++), input.service.id);
      apps.push(created);
      manager.beforeCreateReturns?.();
      return created;
    },
    async deleteApplication(_accountId, id) {
      deleted.push(id);
      const index = apps.findIndex((a) => a.id === id);
      if (index >= 0) apps.splice(index, 1);
    },
    listKeys: async () => [],
    rotateKey: async () => {
      throw new Error('not used here');
    },
    revokeKeys: async () => [],
    maxGraceSeconds: () => 0,
    getUsage: async () => ({ hits: null, limits: [] }),
    listDueDeadlines: async () => [],
    completeDeadline: async () => false,
    listHolders: async () => ({ holders: [], next: null }),
    suspendApplication: async () => {},
    resumeApplication: async () => false,
    changePlan: async () => {},
    checkReady: async () => {},
    close: async () => {},
  };
  return manager;
}

/**
 * A lock that lets everyone in at once — what a lock lost to a Redis restart amounts to — and, worse, tells
 * every holder that nobody took it since its mark, so no holder reads the pair again before creating.
 */
const lostLocks: LockService = {
  withLock: (_key, _ttl, work) => work({ untouchedSinceMark: true }),
  mark: async () => ({ value: 'lost' }),
  close: async () => {},
};

describe('convergence', () => {
  it('orders numeric ids by value and other ids as text', () => {
    assert.ok(compareApplicationIds('9', '10') < 0);
    assert.ok(compareApplicationIds('10', '9') > 0);
    assert.ok(compareApplicationIds('app_a', 'app_b') < 0);
    assert.equal(compareApplicationIds('5', '5'), 0);
  });

  it('keeps the oldest application of the pair and removes the newer ones, leaving other services alone', async () => {
    const manager = store([application('12'), application('5'), application('3', '2'), application('40')]);
    const events: DuplicateEvent[] = [];
    const result = await convergeApplications(manager, '7', '1', { onDuplicate: (e) => events.push(e) });
    assert.equal(result.survivor?.id, '5');
    assert.deepEqual(result.removed.sort(), ['12', '40']);
    assert.deepEqual(manager.apps.map((a) => a.id).sort(), ['3', '5']);
    assert.deepEqual(events.map((e) => [e.keptId, e.duplicateId, e.outcome]).sort(), [
      ['5', '12', 'removed'],
      ['5', '40', 'removed'],
    ]);
  });

  it('gives every concurrent caller the same survivor', async () => {
    const manager = store([application('31'), application('30'), application('32')]);
    const results = await Promise.all(Array.from({ length: 5 }, () => convergeApplications(manager, '7', '1')));
    assert.deepEqual(new Set(results.map((r) => r.survivor?.id)), new Set(['30']));
    assert.deepEqual(
      manager.apps.map((a) => a.id),
      ['30'],
    );
  });

  it('reports a duplicate it could not remove and still names the survivor', async () => {
    const manager = store([application('1'), application('2')]);
    manager.deleteApplication = async () => {
      throw new Error('upstream down');
    };
    const events: DuplicateEvent[] = [];
    const result = await convergeApplications(manager, '7', '1', { onDuplicate: (e) => events.push(e) });
    assert.equal(result.survivor?.id, '1');
    assert.deepEqual(result.remaining, ['2']);
    assert.equal(events[0]?.outcome, 'failed');
  });
});

describe('provisioning after a lost lock', () => {
  it('answers with the older application and removes its own newer one', async () => {
    const manager = store();
    // While this create runs, another holder of the same (lost) lock creates its application first.
    manager.beforeCreateReturns = () => {
      manager.beforeCreateReturns = undefined;
      manager.apps.unshift(application('50'));
    };
    const p = createProvisioning({ apiManager: manager, locks: lostLocks, autoCreateAccounts: true });
    const grant = await p.initServiceKey(identity, { id: '1' });
    assert.equal(grant.apiKey, 'key-of-50');
    assert.equal(grant.isNew, false);
    assert.deepEqual(
      manager.apps.map((a) => a.id),
      ['50'],
    );
    assert.deepEqual(manager.deleted, ['100']);
  });

  it('ends two racing creates with one application and one key for both callers', async () => {
    const manager = store();
    let release: () => void = () => {};
    const bothInside = new Promise<void>((resolve) => (release = resolve));
    let inside = 0;
    const create = manager.createApplication.bind(manager);
    manager.createApplication = async (input) => {
      inside += 1;
      if (inside === 2) release();
      await bothInside;
      return create(input);
    };
    // Two helper replicas, each with its own process-local state, behind a lock that no longer excludes.
    const replicaA = createProvisioning({ apiManager: manager, locks: lostLocks, autoCreateAccounts: true });
    const replicaB = createProvisioning({ apiManager: manager, locks: lostLocks, autoCreateAccounts: true });
    const [a, b] = await Promise.all([
      replicaA.initServiceKey(identity, { id: '1' }),
      replicaB.initServiceKey(identity, { id: '1' }),
    ]);
    assert.equal(a.apiKey, b.apiKey);
    assert.equal(manager.apps.length, 1);
    assert.equal(manager.apps[0]?.apiKey, a.apiKey);
    assert.equal([a.isNew, b.isNew].filter(Boolean).length, 1, 'exactly one caller created the survivor');
  });
});
