/**
 * Provisioning rules against an in-memory API manager: reuse order, suspended keys, lookup by name.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type {
  Account,
  ApiManager,
  ApiService,
  Application,
  CreateApplicationInput,
  Identity,
  ServicePlan,
} from '../../src/apim/api-manager.js';
import { createProvisioning } from '../../src/provisioning/provisioning.js';
import { createMemoryLocks } from '../../src/state/memory-locks.js';

const identity: Identity = {
  userId: 'alice',
  email: 'alice@example.org',
  emailVerified: true,
  subject: 's-alice',
  roles: [],
  groups: [],
};
const service = (id: string, name: string): ApiService => ({
  id,
  name,
  systemName: id,
  description: '',
  endpoint: null,
  authenticationMethod: 'api_key',
  credentials: { location: 'header', keyParameter: 'X-Key', appIdParameter: null },
});

function memoryApiManager(apps: Application[] = [], plans: ServicePlan[] = []): ApiManager & { created: number } {
  const account: Account = { id: 'acc-1', username: 'alice', email: null, state: 'approved' };
  const manager = {
    created: 0,
    findAccount: async () => account,
    createAccount: async () => account,
    listServices: async () => [service('1', 'Sentiment'), service('2', 'Vision'), service('3', 'vision')],
    listPlans: async () => plans,
    listApplications: async () => apps,
    createApplication: async (input: CreateApplicationInput) => {
      manager.created += 1;
      const app: Application = {
        id: `app-${manager.created}`,
        accountId: 'acc-1',
        serviceId: input.service.id,
        planId: 'p',
        planName: 'P',
        state: 'live',
        apiKey: `key-${manager.created}`,
        keyPreview: '…',
        appId: null,
      };
      apps.push(app);
      return app;
    },
    deleteApplication: async (_accountId: string, id: string) => {
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

const app = (id: string, state: Application['state'], serviceId = '1'): Application => ({
  id,
  accountId: 'acc-1',
  serviceId,
  planId: 'p',
  planName: 'P',
  state,
  apiKey: `key-of-${id}`,
  appId: null,
  keyPreview: '…',
});

describe('provisioning', () => {
  it('reuses a live application before a pending one', async () => {
    const p = createProvisioning({
      apiManager: memoryApiManager([app('pending', 'pending'), app('live', 'live')]),
      locks: createMemoryLocks(),
      autoCreateAccounts: true,
    });
    const grant = await p.initServiceKey(identity, { id: '1' });
    assert.equal(grant.apiKey, 'key-of-live');
    assert.equal(grant.isNew, false);
  });

  it('reports a suspended key instead of silently creating another', async () => {
    const manager = memoryApiManager([app('s', 'suspended')]);
    const p = createProvisioning({ apiManager: manager, locks: createMemoryLocks(), autoCreateAccounts: true });
    await assert.rejects(p.initServiceKey(identity, { id: '1' }), { code: 'FORBIDDEN' });
    assert.equal(manager.created, 0);
  });

  it('finds a service by exact name, asks for an id when a name is ambiguous', async () => {
    const plans: ServicePlan[] = [
      {
        id: 'p',
        name: 'P',
        serviceId: '1',
        isDefault: true,
        state: 'published',
        isCustom: false,
        approvalRequired: false,
      },
    ];
    const p = createProvisioning({
      apiManager: memoryApiManager([], plans),
      locks: createMemoryLocks(),
      autoCreateAccounts: true,
    });
    assert.equal((await p.initServiceKey(identity, { name: 'sentiment' })).service.id, '1');
    assert.equal((await p.initServiceKey(identity, { name: 'Vision' })).service.id, '2', 'an exact match wins');
    await assert.rejects(p.initServiceKey(identity, { name: 'VISION' }), (error: Error & { code?: string }) => {
      assert.equal(error.code, 'SERVICE_NOT_FOUND');
      assert.match(error.message, /use an id: 2, 3/);
      return true;
    });
  });

  it('marks lists with the user application per service', async () => {
    const p = createProvisioning({
      apiManager: memoryApiManager([app('x', 'live', '2')]),
      locks: createMemoryLocks(),
      autoCreateAccounts: true,
    });
    const listing = await p.listServices(identity);
    assert.deepEqual(
      listing.services.map((v) => [v.service.id, v.application?.id ?? null]),
      [
        ['1', null],
        ['2', 'x'],
        ['3', null],
      ],
    );
  });
});

describe('account lookup by email', () => {
  it('uses the email only when the issuer verified it', async () => {
    const lookups: (string | null)[] = [];
    const manager = memoryApiManager();
    const apiManager: ApiManager = {
      ...manager,
      findAccount: async (who) => {
        lookups.push(who.email);
        return null;
      },
    };
    const p = createProvisioning({ apiManager, locks: createMemoryLocks(), autoCreateAccounts: false });
    await p.listServices({ ...identity, emailVerified: false });
    await p.listServices({ ...identity, emailVerified: true });
    assert.deepEqual(lookups, [null, 'alice@example.org']);
  });
});
