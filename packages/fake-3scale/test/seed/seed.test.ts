import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  EDGE_CASES_SEED_PATH,
  createFake3scale,
  defaultSeed,
  generatedServices,
  isFake3scaleError,
  loadSeedFile,
  seedWithServices,
  validateSeed,
} from '../../src/index.js';

const now = () => new Date('2025-01-10T09:00:00Z');

describe('default seed', () => {
  const fake = createFake3scale({ now });
  const services = fake.state.listServices();

  it('has products for backend versions 1, 2 and oidc, each with a default plan', () => {
    assert.deepEqual(new Set(services.map((s) => s.backendVersion)), new Set(['1', '2', 'oidc']));
    for (const service of services) {
      assert.ok(
        fake.state.plansOf(service.id).some((p) => p.isDefault),
        service.systemName,
      );
      assert.ok(fake.state.getProxy(service.id));
    }
  });

  it('covers every credentials location', () => {
    const locations = new Set(services.map((s) => fake.state.getProxy(s.id).credentialsLocation));
    assert.deepEqual(locations, new Set(['headers', 'query', 'authorization']));
  });

  it('has developer accounts with users', () => {
    assert.ok(fake.state.listAccounts().length >= 2);
    assert.ok(fake.state.userByUsername('alice'));
  });

  it('is a fresh copy on every call', () => {
    const seed = defaultSeed();
    seed.services = [];
    assert.ok((defaultSeed().services ?? []).length >= 3);
  });

  it('uses large 3scale-like ids', () => {
    assert.ok(services.every((s) => s.id > 1_000_000_000_000));
  });

  it('stamps records with the injected clock', () => {
    assert.equal(services[0]?.createdAt.toISOString(), '2025-01-10T09:00:00.000Z');
  });
});

describe('edge-cases seed', () => {
  it('loads, with its seeded applications in their states', () => {
    const fake = createFake3scale({ seed: loadSeedFile(EDGE_CASES_SEED_PATH) });
    const states = fake.state.listApplications().map((a) => a.state);
    assert.deepEqual(states, ['pending', 'suspended', 'live', 'live']);
  });
});

describe('generated products', () => {
  it('seedWithServices(n) adds n products that cycle through the backend versions', () => {
    const seed = seedWithServices(1200);
    assert.equal(seed.services?.length, 1200);
    assert.deepEqual(
      seed.services?.slice(0, 3).map((s) => s.backend_version),
      ['1', '2', 'oidc'],
    );
    const fake = createFake3scale({ seed });
    assert.equal(fake.state.listServices().length, 1200);
  });

  it('generated_services in a seed file adds products after the listed ones', () => {
    const fake = createFake3scale({ seed: { ...defaultSeed(), generated_services: 20 } });
    const names = fake.state.listServices().map((s) => s.systemName);
    assert.equal(names.length, 24);
    assert.equal(names[4], 'generated-0005');
  });

  it('generatedServices refuses a negative count', () => {
    assert.throws(() => generatedServices(-1), TypeError);
  });
});

describe('seed checks', () => {
  it('list every problem at once, with a path for each', () => {
    try {
      validateSeed({
        services: [
          {
            name: 'A',
            backend_version: '3',
            plans: [
              { name: 'P', default: true },
              { name: 'Q', default: true },
            ],
          },
          { name: 'A', backend_version: '1', proxy: { credentials_location: 'cookie' } },
        ],
        accounts: [{ org_name: 'X', users: [{ username: 'ab', email: 'not-an-email' }] }],
        applications: [{ account: 'ghost', service: 'a' }],
        extra: true,
      });
      assert.fail('expected a throw');
    } catch (error) {
      assert.ok(isFake3scaleError(error, 'ERR_SEED_INVALID'));
      const text = error.problems.join('\n');
      for (const expected of [
        'seed.extra: is not a known field',
        'seed.services[0].backend_version: must be one of "1", "2", "oidc"',
        'seed.services[0].plans: at most one plan can be the default',
        'seed.services[1]: system_name "a" is used by another service',
        'seed.services[1].proxy.credentials_location',
        'seed.accounts[0].users[0].username',
        'seed.accounts[0].users[0].email',
        'seed.applications[0].account: no user "ghost"',
      ]) {
        assert.ok(text.includes(expected), `missing: ${expected}\n${text}`);
      }
    }
  });

  it('finding 13: check access tokens and settings in full', () => {
    try {
      validateSeed({
        services: [{ name: 'A', backend_version: 'oauth', state: 'deleted' }],
        settings: { strong_passwords: 'no', unknown_switch: true },
        access_tokens: [
          { value: 'one', scopes: ['everything'], permission: 'admin' },
          { value: 'one', owner_role: 'member', member_permissions: ['root'], allowed_services: ['b'] },
        ],
      });
      assert.fail('expected a throw');
    } catch (error) {
      assert.ok(isFake3scaleError(error, 'ERR_SEED_INVALID'));
      const text = error.problems.join('\n');
      for (const expected of [
        'seed.settings.strong_passwords: must be true or false',
        'seed.settings.unknown_switch: is not a known field',
        'seed.access_tokens[0].scopes[0]: must be one of',
        'seed.access_tokens[0].permission: must be one of "ro", "rw"',
        'seed.access_tokens[1].value: is used by another token',
        'seed.access_tokens[1].member_permissions[0]: must be one of',
        'seed.access_tokens[1].allowed_services[0]: must be the system_name of a seeded service',
      ]) {
        assert.ok(text.includes(expected), `missing: ${expected}\n${text}`);
      }
      assert.ok(!text.includes('backend_version'), 'oauth is a backend version');
      assert.ok(!text.includes('services[0].state'), 'deleted is a service state');
    }
  });

  it('reject a seed application on a product without a default plan when no plan is named', () => {
    assert.throws(
      () =>
        createFake3scale({
          seed: {
            services: [{ name: 'S', backend_version: '1', plans: [{ name: 'P' }] }],
            accounts: [{ org_name: 'O', users: [{ username: 'olga', email: 'o@example.test' }] }],
            applications: [{ account: 'olga', service: 's' }],
          },
        }),
      /has no default plan/,
    );
  });

  it('honour explicit ids and continue above them', () => {
    const fake = createFake3scale({
      seed: {
        services: [
          { id: 7, name: 'Seven', backend_version: '1' },
          { name: 'Next', backend_version: '2' },
        ],
      },
    });
    assert.deepEqual(
      fake.state.listServices().map((s) => s.id),
      [7, 2555418000001],
    );
  });

  it('report a file that is not JSON', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fake-3scale-seed-'));
    const file = join(dir, 'bad.json');
    writeFileSync(file, '{ nope');
    assert.throws(
      () => loadSeedFile(file),
      (error) => isFake3scaleError(error, 'ERR_SEED_INVALID') && /not valid JSON/.test(error.message),
    );
  });
});

describe('listen', () => {
  it('refuses a non-loopback address', async () => {
    const fake = createFake3scale();
    await assert.rejects(fake.listen(0, '0.0.0.0'), /loopback only/);
  });

  it('has no url before listening', () => {
    assert.throws(() => createFake3scale().url, /not listening/);
  });
});
