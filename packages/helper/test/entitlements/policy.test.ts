/**
 * The entitlements policy: parsing (valid, invalid, wrong types), decisions, tiers, and claims read at
 * configured paths — including claims of the wrong type, which must never grant anything.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ServicePlan } from '../../src/apim/api-manager.js';
import { identityFromClaims } from '../../src/auth/identity.js';
import { ConfigError, loadConfig } from '../../src/config/load-config.js';
import { stringsAt } from '../../src/entitlements/claims.js';
import { assertEntitled, entitlementOf, tierPlan } from '../../src/entitlements/entitlement.js';
import { parsePolicyText } from '../../src/entitlements/policy.js';
import { isHelperError } from '../../src/errors/helper-error.js';
import { planFor, planMove } from '../../src/provisioning/choose-plan.js';

const SERVICE = { id: 'sentiment-analysis', systemName: 'sentiment-analysis', name: 'Sentiment Analysis' };
const OTHER = { id: 'text-embedding', systemName: 'text-embedding', name: 'Text Embedding' };
const POLICY = `
claims:
  roles: [realm_access.roles, resource_access.mlaas-cli.roles]
  groups: [groups]
default: deny
services:
  sentiment-analysis:
    allow: [role:ml-user, group:/data-science]
    plans: { group:/premium: premium }
`;

const plan = (id: string, name: string, extra: Partial<ServicePlan> = {}): ServicePlan => ({
  id,
  name,
  serviceId: SERVICE.id,
  isDefault: false,
  state: 'published',
  isCustom: false,
  approvalRequired: false,
  ...extra,
});
const PLANS = [plan('basic', 'Basic', { isDefault: true }), plan('premium', 'Premium', { state: 'hidden' })];
const person = (roles: string[], groups: string[] = []) => ({ roles, groups });

describe('entitlements policy', () => {
  it('parses a valid policy: claims, default and per-service rules', () => {
    const { policy, problems } = parsePolicyText(POLICY, 'mlaas-cli');
    assert.deepEqual(problems, []);
    assert.equal(policy.defaultAllow, false);
    assert.deepEqual(
      policy.services.get(SERVICE.id)?.allow?.map((g) => g.text),
      ['role:ml-user', 'group:/data-science'],
    );
    assert.deepEqual(policy.claims.roles, ['realm_access.roles', 'resource_access.mlaas-cli.roles']);
  });

  it('defaults: everything allowed, roles from realm and client roles, groups from groups', () => {
    const { policy, problems } = parsePolicyText('services: {}', 'my-client');
    assert.deepEqual(problems, []);
    assert.equal(policy.defaultAllow, true);
    assert.deepEqual(policy.claims, {
      roles: ['realm_access.roles', 'resource_access.my-client.roles'],
      groups: ['groups'],
    });
  });

  it('reports every problem of an invalid policy at once, naming where', () => {
    const { problems } = parsePolicyText(
      `
default: maybe
colour: blue
claims: { roles: "not a path!" }
services:
  a: { allow: role:ml-user }
  b: { allow: [admin, 7], plans: [premium] }
  c: { allow: [role:x], tiers: {} }
`,
      'mlaas-cli',
    );
    const text = problems.join('\n');
    assert.match(text, /default must be allow or deny/);
    assert.match(text, /unknown field "colour"/);
    assert.match(text, /claims\.roles must be a list of dotted claim paths/);
    assert.match(text, /services\.a\.allow must be a list/);
    assert.match(text, /services\.b\.allow\[0\]: "admin" must be role:NAME or group:\/PATH/);
    assert.match(text, /services\.b\.allow\[1\]: 7 must be/);
    assert.match(text, /services\.b\.plans must be a mapping/);
    assert.match(text, /services\.c: unknown field "tiers"/);
    assert.equal(problems.length, 8);
  });

  it('reports a file that is not YAML', () => {
    assert.match(parsePolicyText('services: [', 'x').problems[0] ?? '', /not valid YAML/);
  });

  it('makes the helper refuse to start on an invalid ENTITLEMENTS_FILE, saying what is wrong', () => {
    const env = {
      OIDC_ISSUER: 'https://sso.example.com/realms/mlaas',
      KEYCLOAK_CLIENT_ID: 'mlaas-cli',
      APIM_BACKEND: 'embedded',
      ENTITLEMENTS_FILE: '/etc/mlaas/entitlements.yaml',
    };
    assert.throws(
      () => loadConfig(env, { readFile: () => 'default: nobody\n' }),
      (error: unknown) =>
        error instanceof ConfigError &&
        /ENTITLEMENTS_FILE \/etc\/mlaas\/entitlements\.yaml: default must be allow or deny/.test(error.message),
    );
    assert.throws(
      () =>
        loadConfig(env, {
          readFile: () => {
            throw new Error('ENOENT');
          },
        }),
      /ENTITLEMENTS_FILE: \/etc\/mlaas\/entitlements\.yaml cannot be read/,
    );
    const config = loadConfig(env, { readFile: () => POLICY });
    assert.equal(config.entitlements?.defaultAllow, false);
    assert.equal(loadConfig({ ...env, ENTITLEMENTS_FILE: undefined }).entitlements, null);
  });

  it('grants by any one role or group of the rule, and says what grants it otherwise', () => {
    const { policy } = parsePolicyText(POLICY, 'mlaas-cli');
    assert.equal(entitlementOf(policy, SERVICE, person(['ml-user'])).entitled, true);
    assert.equal(entitlementOf(policy, SERVICE, person([], ['/data-science'])).entitled, true);
    // Keycloak's group mapper without full paths sends "data-science".
    assert.equal(entitlementOf(policy, SERVICE, person([], ['data-science'])).entitled, true);
    const refused = entitlementOf(policy, SERVICE, person(['offline_access'], ['/sales']));
    assert.deepEqual(refused, { entitled: false, grantedBy: ['role:ml-user', 'group:/data-science'] });
    // default: deny for a service the policy does not name.
    assert.equal(entitlementOf(policy, OTHER, person(['ml-user'])).entitled, false);
    assert.equal(entitlementOf(null, OTHER, person([])).entitled, true);
  });

  it('answers NOT_ENTITLED naming the roles and groups that would grant the service', () => {
    const { policy } = parsePolicyText(POLICY, 'mlaas-cli');
    assert.throws(
      () => assertEntitled(policy, SERVICE, person([])),
      (error: unknown) =>
        isHelperError(error, 'NOT_ENTITLED') && /one of role:ml-user, group:\/data-science/.test(error.message),
    );
    assert.throws(
      () => assertEntitled(policy, OTHER, person([])),
      (error: unknown) => isHelperError(error, 'NOT_ENTITLED') && /not offered to anyone/.test(error.message),
    );
  });

  it('picks the tier plan of a group, by id or name, else the usual plan', () => {
    const { policy } = parsePolicyText(POLICY, 'mlaas-cli');
    assert.equal(tierPlan(policy, SERVICE, person([], ['/premium']), PLANS)?.id, 'premium');
    assert.equal(planFor(policy, SERVICE, person([], ['/premium']), PLANS)?.id, 'premium');
    assert.equal(planFor(policy, SERVICE, person(['ml-user']), PLANS)?.id, 'basic');
    const byName = parsePolicyText('services: { sentiment-analysis: { plans: { "role:vip": Premium } } }', 'x').policy;
    assert.equal(planFor(byName, SERVICE, person(['vip']), PLANS)?.id, 'premium');
  });

  it('moves a key to the new tier, off a tier no longer held, and leaves a plan chosen outside the tiers', () => {
    const { policy } = parsePolicyText(POLICY, 'mlaas-cli');
    const plans = [...PLANS, plan('team', 'Team')];
    assert.equal(planMove(policy, SERVICE, person([], ['/premium']), plans, 'basic')?.id, 'premium');
    assert.equal(planMove(policy, SERVICE, person(['ml-user']), plans, 'premium')?.id, 'basic');
    assert.equal(planMove(policy, SERVICE, person(['ml-user']), plans, 'team'), null);
    assert.equal(planMove(policy, SERVICE, person([], ['/premium']), plans, 'premium'), null);
    assert.equal(planMove(null, SERVICE, person([]), plans, 'premium'), null);
  });
});

describe('roles and groups read from token claims', () => {
  it('reads the configured paths: realm roles, client roles and groups', () => {
    const identity = identityFromClaims(
      {
        sub: 's1',
        preferred_username: 'carol',
        realm_access: { roles: ['ml-user'] },
        resource_access: { 'mlaas-cli': { roles: ['tester'] }, other: { roles: ['admin'] } },
        groups: ['/data-science'],
      },
      ['preferred_username'],
      { roles: ['realm_access.roles', 'resource_access.mlaas-cli.roles'], groups: ['groups'] },
    );
    assert.deepEqual(identity.roles, ['ml-user', 'tester']);
    assert.deepEqual(identity.groups, ['/data-science']);
  });

  it('treats claims of the wrong type as holding nothing', () => {
    const claims = {
      realm_access: { roles: 'ml-user' },
      resource_access: ['mlaas-cli'],
      groups: { '/data-science': true },
      other: [7, null, { name: 'x' }, 'kept'],
    };
    assert.deepEqual(stringsAt(claims, ['realm_access.roles', 'resource_access.mlaas-cli.roles', 'groups']), []);
    assert.deepEqual(stringsAt(claims, ['other', 'missing.deeper.path']), ['kept']);
    const { policy } = parsePolicyText(POLICY, 'mlaas-cli');
    const identity = identityFromClaims({ sub: 's', preferred_username: 'eve', ...claims }, ['preferred_username']);
    assert.equal(entitlementOf(policy, SERVICE, identity).entitled, false);
  });
});
