/**
 * @module seed/validate-seed
 * Checks a parsed seed document in full and reports every problem at once (with a JSON path for each), so
 * a broken seed is fixed in one pass. Cross-record rules (unique names, at most one default plan, resolvable
 * application references) are checked here too.
 */
import { Fake3scaleError } from '../errors.js';
import type { Seed } from './seed-types.js';

/** Most products a seed may generate: pagination tests need a few thousand, not millions. */
export const MAX_GENERATED_SERVICES = 100_000;

type Obj = Record<string, unknown>;

class Checker {
  readonly problems: string[] = [];

  problem(path: string, message: string): void {
    this.problems.push(`${path}: ${message}`);
  }

  object(value: unknown, path: string, allowed: readonly string[]): Obj | undefined {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      this.problem(path, 'must be an object');
      return undefined;
    }
    for (const key of Object.keys(value)) {
      if (!allowed.includes(key)) this.problem(`${path}.${key}`, 'is not a known field');
    }
    return value as Obj;
  }

  array(obj: Obj, key: string, path: string, required = false): unknown[] {
    const value = obj[key];
    if (value === undefined) {
      if (required) this.problem(`${path}.${key}`, 'is required');
      return [];
    }
    if (!Array.isArray(value)) {
      this.problem(`${path}.${key}`, 'must be an array');
      return [];
    }
    return value;
  }

  string(
    obj: Obj,
    key: string,
    path: string,
    opts: { required?: boolean; nullable?: boolean; pattern?: RegExp } = {},
  ): void {
    const value = obj[key];
    if (value === undefined) {
      if (opts.required) this.problem(`${path}.${key}`, 'is required');
      return;
    }
    if (value === null && opts.nullable) return;
    if (typeof value !== 'string' || value.length === 0) {
      this.problem(`${path}.${key}`, `must be a non-empty string${opts.nullable ? ' or null' : ''}`);
      return;
    }
    if (opts.pattern && !opts.pattern.test(value)) this.problem(`${path}.${key}`, `must match ${String(opts.pattern)}`);
  }

  oneOf(obj: Obj, key: string, path: string, values: readonly string[], required = false): void {
    const value = obj[key];
    if (value === undefined) {
      if (required) this.problem(`${path}.${key}`, 'is required');
      return;
    }
    if (typeof value !== 'string' || !values.includes(value)) {
      this.problem(`${path}.${key}`, `must be one of ${values.map((v) => JSON.stringify(v)).join(', ')}`);
    }
  }

  boolean(obj: Obj, key: string, path: string): void {
    if (obj[key] !== undefined && typeof obj[key] !== 'boolean')
      this.problem(`${path}.${key}`, 'must be true or false');
  }

  number(
    obj: Obj,
    key: string,
    path: string,
    opts: { integer?: boolean; min?: number; max?: number; nullable?: boolean } = {},
  ): void {
    const value = obj[key];
    if (value === undefined || (value === null && opts.nullable)) return;
    const ok =
      typeof value === 'number' &&
      Number.isFinite(value) &&
      (!opts.integer || Number.isSafeInteger(value)) &&
      (opts.min === undefined || value >= opts.min) &&
      (opts.max === undefined || value <= opts.max);
    if (!ok) {
      const range = `${opts.min ?? '-∞'}..${opts.max ?? '∞'}`;
      this.problem(`${path}.${key}`, `must be ${opts.integer ? 'an integer' : 'a number'} in ${range}`);
    }
  }
}

const ID = { integer: true, min: 1, max: Number.MAX_SAFE_INTEGER } as const;
const SYSTEM_NAME = /^[A-Za-z0-9_-][A-Za-z0-9_.-]*$/;
const SERVICE_FIELDS = [
  'id',
  'name',
  'system_name',
  'backend_version',
  'state',
  'deployment_option',
  'description',
  'support_email',
  'mandatory_app_key',
  'service_plan',
  'proxy',
  'plans',
] as const;
const PROXY_FIELDS = [
  'endpoint',
  'sandbox_endpoint',
  'api_backend',
  'credentials_location',
  'auth_user_key',
  'auth_app_id',
  'auth_app_key',
  'oidc_issuer_endpoint',
  'oidc_issuer_type',
  'jwt_claim_with_client_id',
  'jwt_claim_with_client_id_type',
] as const;
const PLAN_FIELDS = [
  'id',
  'name',
  'system_name',
  'state',
  'default',
  'custom',
  'approval_required',
  'setup_fee',
  'cost_per_month',
  'trial_period_days',
] as const;
const ACCOUNT_FIELDS = ['id', 'org_name', 'state', 'users'] as const;
const USER_FIELDS = ['id', 'username', 'email', 'role', 'state'] as const;
const APPLICATION_FIELDS = [
  'id',
  'account',
  'service',
  'plan',
  'state',
  'name',
  'description',
  'user_key',
  'application_id',
  'keys',
] as const;

const SETTINGS_FIELDS = ['account_approval_required', 'strong_passwords', 'service_plans_ui_visible'] as const;
const TOKEN_FIELDS = ['value', 'scopes', 'permission', 'owner_role', 'member_permissions', 'allowed_services'] as const;
export const TOKEN_SCOPES = ['account_management', 'finance', 'cms', 'stats', 'policy_registry'] as const;
const MEMBER_SECTIONS = [
  'partners',
  'plans',
  'monitoring',
  'finance',
  'settings',
  'portal',
  'policy_registry',
] as const;

/** A slug like 3scale makes from a name: lowercase, non-alphanumerics collapsed to `-`. */
export function slugify(name: string): string {
  const slug = name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return slug === '' ? 'item' : slug;
}

/**
 * Checks a seed document and returns it typed, or throws `Fake3scaleError('ERR_SEED_INVALID')` listing
 * every problem.
 * @example const seed = validateSeed(JSON.parse(readFileSync(file, 'utf8')));
 */
export function validateSeed(value: unknown, source = 'seed'): Seed {
  const c = new Checker();
  const root = c.object(value, source, [
    'tenant',
    'services',
    'generated_services',
    'accounts',
    'applications',
    'settings',
    'access_tokens',
    '$comment',
  ]);
  if (root) {
    c.string(root, 'tenant', source, { pattern: /^[a-z0-9][a-z0-9-]*$/ });
    c.number(root, 'generated_services', source, { integer: true, min: 0, max: MAX_GENERATED_SERVICES });
    const serviceNames = new Map<string, Set<string>>();
    const ids = new Map<string, Set<number>>();
    const uniqueId = (kind: string, obj: Obj, path: string) => {
      if (typeof obj.id !== 'number') return;
      const seen = ids.get(kind) ?? new Set<number>();
      if (seen.has(obj.id)) c.problem(`${path}.id`, `duplicates another ${kind} id`);
      seen.add(obj.id);
      ids.set(kind, seen);
    };

    c.array(root, 'services', source).forEach((entry, i) => {
      const path = `${source}.services[${i}]`;
      const s = c.object(entry, path, SERVICE_FIELDS);
      if (!s) return;
      c.number(s, 'id', path, ID);
      uniqueId('service', s, path);
      c.string(s, 'name', path, { required: true });
      c.string(s, 'system_name', path, { pattern: SYSTEM_NAME });
      c.oneOf(s, 'backend_version', path, ['1', '2', 'oidc', 'oauth'], true);
      c.oneOf(s, 'state', path, ['incomplete', 'published', 'hidden', 'offline', 'deprecated', 'deleted']);
      c.oneOf(s, 'deployment_option', path, ['hosted', 'self_managed', 'service_mesh_istio']);
      c.string(s, 'description', path, { nullable: true });
      c.string(s, 'support_email', path, { nullable: true });
      c.boolean(s, 'mandatory_app_key', path);
      c.oneOf(s, 'service_plan', path, ['default', 'published', 'none']);
      const systemName =
        typeof s.system_name === 'string' ? s.system_name : typeof s.name === 'string' ? slugify(s.name) : undefined;
      const planNames = new Set<string>();
      if (systemName !== undefined) {
        if (serviceNames.has(systemName)) c.problem(path, `system_name "${systemName}" is used by another service`);
        serviceNames.set(systemName, planNames);
      }
      if (s.proxy !== undefined) {
        const p = c.object(s.proxy, `${path}.proxy`, PROXY_FIELDS);
        if (p) {
          const pp = `${path}.proxy`;
          for (const key of [
            'endpoint',
            'sandbox_endpoint',
            'api_backend',
            'oidc_issuer_endpoint',
            'jwt_claim_with_client_id',
          ]) {
            c.string(p, key, pp, { nullable: true });
          }
          c.oneOf(p, 'credentials_location', pp, ['headers', 'query', 'authorization']);
          for (const key of ['auth_user_key', 'auth_app_id', 'auth_app_key']) c.string(p, key, pp);
          c.oneOf(p, 'oidc_issuer_type', pp, ['keycloak', 'rest']);
          c.oneOf(p, 'jwt_claim_with_client_id_type', pp, ['plain', 'liquid']);
        }
      }
      let defaults = 0;
      c.array(s, 'plans', path).forEach((planEntry, j) => {
        const planPath = `${path}.plans[${j}]`;
        const p = c.object(planEntry, planPath, PLAN_FIELDS);
        if (!p) return;
        c.number(p, 'id', planPath, ID);
        uniqueId('plan', p, planPath);
        c.string(p, 'name', planPath, { required: true });
        c.string(p, 'system_name', planPath, { pattern: SYSTEM_NAME });
        c.oneOf(p, 'state', planPath, ['published', 'hidden']);
        for (const key of ['default', 'custom', 'approval_required']) c.boolean(p, key, planPath);
        c.number(p, 'setup_fee', planPath, { min: 0 });
        c.number(p, 'cost_per_month', planPath, { min: 0 });
        c.number(p, 'trial_period_days', planPath, { integer: true, min: 0, nullable: true });
        if (p.default === true) defaults += 1;
        const planName =
          typeof p.system_name === 'string' ? p.system_name : typeof p.name === 'string' ? slugify(p.name) : undefined;
        if (planName !== undefined) {
          if (planNames.has(planName))
            c.problem(planPath, `system_name "${planName}" is used by another plan of this service`);
          planNames.add(planName);
        }
      });
      if (defaults > 1) c.problem(`${path}.plans`, 'at most one plan can be the default');
    });

    const usernames = new Set<string>();
    const emails = new Set<string>();
    c.array(root, 'accounts', source).forEach((entry, i) => {
      const path = `${source}.accounts[${i}]`;
      const a = c.object(entry, path, ACCOUNT_FIELDS);
      if (!a) return;
      c.number(a, 'id', path, ID);
      uniqueId('account', a, path);
      c.string(a, 'org_name', path, { required: true });
      c.oneOf(a, 'state', path, ['created', 'pending', 'approved', 'rejected', 'suspended', 'scheduled_for_deletion']);
      const users = c.array(a, 'users', path, true);
      if (Array.isArray(a.users) && users.length === 0)
        c.problem(`${path}.users`, 'needs at least one user (the admin)');
      users.forEach((userEntry, j) => {
        const userPath = `${path}.users[${j}]`;
        const u = c.object(userEntry, userPath, USER_FIELDS);
        if (!u) return;
        c.number(u, 'id', userPath, ID);
        uniqueId('user', u, userPath);
        // 3scale's username rule: 3-40 characters, a word character first.
        c.string(u, 'username', userPath, { required: true, pattern: /^\w[\w.\-@+]{2,39}$/ });
        c.string(u, 'email', userPath, { required: true, pattern: /^[^@\s]+@[^@\s]+$/ });
        c.oneOf(u, 'role', userPath, ['admin', 'member']);
        c.oneOf(u, 'state', userPath, ['active', 'pending', 'suspended']);
        if (typeof u.username === 'string') {
          if (usernames.has(u.username)) c.problem(`${userPath}.username`, 'is used by another user');
          usernames.add(u.username);
        }
        if (typeof u.email === 'string') {
          if (emails.has(u.email)) c.problem(`${userPath}.email`, 'is used by another user');
          emails.add(u.email);
        }
      });
    });

    c.array(root, 'applications', source).forEach((entry, i) => {
      const path = `${source}.applications[${i}]`;
      const a = c.object(entry, path, APPLICATION_FIELDS);
      if (!a) return;
      c.number(a, 'id', path, ID);
      uniqueId('application', a, path);
      c.string(a, 'account', path, { required: true });
      c.string(a, 'service', path, { required: true });
      c.string(a, 'plan', path);
      c.oneOf(a, 'state', path, ['live', 'pending', 'suspended', 'deprecated']);
      c.string(a, 'name', path);
      c.string(a, 'description', path);
      c.string(a, 'user_key', path, { pattern: /^[A-Za-z0-9_.+=-]{1,256}$/ });
      c.string(a, 'application_id', path, { pattern: /^[\x21-\x7e]{4,255}$/ });
      c.array(a, 'keys', path).forEach((key, j) => {
        if (typeof key !== 'string' || !/^[\x21-\x7e]{5,255}$/.test(key)) {
          c.problem(`${path}.keys[${j}]`, 'must be 5 to 255 printable characters without spaces');
        }
      });
      if (typeof a.account === 'string' && !usernames.has(a.account))
        c.problem(`${path}.account`, `no user "${a.account}"`);
      if (typeof a.service === 'string') {
        const plans = serviceNames.get(a.service);
        if (!plans) c.problem(`${path}.service`, `no service with system_name "${a.service}"`);
        else if (typeof a.plan === 'string' && !plans.has(a.plan))
          c.problem(`${path}.plan`, `no plan "${a.plan}" in service "${a.service}"`);
      }
    });

    if (root.settings !== undefined) {
      const settings = c.object(root.settings, `${source}.settings`, SETTINGS_FIELDS);
      if (settings) for (const key of SETTINGS_FIELDS) c.boolean(settings, key, `${source}.settings`);
    }

    const tokenValues = new Set<string>();
    c.array(root, 'access_tokens', source).forEach((entry, i) => {
      const path = `${source}.access_tokens[${i}]`;
      const t = c.object(entry, path, TOKEN_FIELDS);
      if (!t) return;
      c.string(t, 'value', path, { required: true });
      if (typeof t.value === 'string') {
        if (tokenValues.has(t.value)) c.problem(`${path}.value`, 'is used by another token');
        tokenValues.add(t.value);
      }
      c.array(t, 'scopes', path).forEach((scope, j) => {
        if (typeof scope !== 'string' || !(TOKEN_SCOPES as readonly string[]).includes(scope))
          c.problem(`${path}.scopes[${j}]`, `must be one of ${TOKEN_SCOPES.join(', ')}`);
      });
      c.oneOf(t, 'permission', path, ['ro', 'rw']);
      c.oneOf(t, 'owner_role', path, ['admin', 'member']);
      c.array(t, 'member_permissions', path).forEach((section, j) => {
        if (typeof section !== 'string' || !(MEMBER_SECTIONS as readonly string[]).includes(section))
          c.problem(`${path}.member_permissions[${j}]`, `must be one of ${MEMBER_SECTIONS.join(', ')}`);
      });
      c.array(t, 'allowed_services', path).forEach((name, j) => {
        if (typeof name !== 'string' || !serviceNames.has(name))
          c.problem(`${path}.allowed_services[${j}]`, 'must be the system_name of a seeded service');
      });
    });
  }
  if (c.problems.length > 0) {
    throw new Fake3scaleError(
      'ERR_SEED_INVALID',
      `invalid seed (${c.problems.length} problem(s)):\n  ${c.problems.join('\n  ')}`,
      {
        problems: c.problems,
      },
    );
  }
  return value as Seed;
}
