/**
 * @module entitlements/policy
 * The entitlements policy: which identity-provider roles or groups may hold a key of each service, which plan
 * (tier) a group gets, and where roles and groups are read in an access token. Read from `ENTITLEMENTS_FILE`
 * (YAML or JSON) and from the embedded catalog's `entitlements` fields; every problem is reported at once.
 */
import { parse as parseYaml } from 'yaml';
import { printable } from '../lib/printable.js';

/** A role or a group that grants something, as written (`role:ml-user`, `group:/data-science`). */
export interface Grant {
  kind: 'role' | 'group';
  /** The role name, or the group's path with a leading "/". */
  name: string;
  /** As the policy and messages write it. */
  text: string;
}

/** The rule of one service. */
export interface ServiceRule {
  /** Any one of these grants a key; null = the policy's default decides. */
  allow: readonly Grant[] | null;
  /** Tiers: the first grant the caller holds picks its plan (a plan id or name of the service). */
  plans: readonly { grant: Grant; plan: string }[];
}

/** Where roles and groups are read in a token: dotted claim paths. */
export interface ClaimPaths {
  roles: readonly string[];
  groups: readonly string[];
}

export interface EntitlementPolicy {
  claims: ClaimPaths;
  /** Whether a service the policy does not name may be held by everyone. */
  defaultAllow: boolean;
  /** Rules by service id (or system name). */
  services: ReadonlyMap<string, ServiceRule>;
}

/** Where roles and groups are read when the policy does not say: realm roles, the client's roles, groups. */
export function defaultClaimPaths(clientId: string): ClaimPaths {
  return { roles: ['realm_access.roles', `resource_access.${clientId}.roles`], groups: ['groups'] };
}

/** Longest piece of a policy echoed in a message. */
const MAX_ECHOED = 60;
const CLAIM_PATH_PATTERN = /^[A-Za-z0-9_:-]+(\.[A-Za-z0-9_:-]+)*$/;
const GRANT_PATTERN = /^(role|group):(.+)$/;

export interface ParsedPolicy {
  policy: EntitlementPolicy;
  problems: string[];
}

/**
 * Reads a policy document's text (YAML, of which JSON is a subset).
 * @example const { policy, problems } = parsePolicyText(readFileSync(path, 'utf8'), 'mlaas-cli');
 */
export function parsePolicyText(text: string, clientId: string): ParsedPolicy {
  let data: unknown;
  try {
    data = parseYaml(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    return { policy: emptyPolicy(clientId), problems: [`not valid YAML: ${(error as Error).message.split('\n')[0]}`] };
  }
  return parsePolicy(data, clientId);
}

/**
 * Checks a parsed policy document, collecting every problem.
 * @example parsePolicy({ default: 'deny', services: { x: { allow: ['role:ml-user'] } } }, 'mlaas-cli')
 */
export function parsePolicy(data: unknown, clientId: string): ParsedPolicy {
  const problems: string[] = [];
  const policy = emptyPolicy(clientId);
  if (!isObject(data)) return { policy, problems: ['the policy must be a mapping (claims, default, services)'] };
  for (const key of Object.keys(data)) {
    if (!['claims', 'default', 'services'].includes(key)) problems.push(`unknown field "${echo(key)}"`);
  }
  let claims = policy.claims;
  if (data.claims !== undefined) {
    if (!isObject(data.claims)) problems.push('claims must be a mapping with "roles" and/or "groups"');
    else {
      for (const key of Object.keys(data.claims)) {
        if (key !== 'roles' && key !== 'groups') problems.push(`claims: unknown field "${echo(key)}"`);
      }
      claims = {
        roles: claimPaths(data.claims.roles, 'claims.roles', claims.roles, problems),
        groups: claimPaths(data.claims.groups, 'claims.groups', claims.groups, problems),
      };
    }
  }
  let defaultAllow = true;
  if (data.default !== undefined) {
    if (data.default === 'allow' || data.default === 'deny') defaultAllow = data.default === 'allow';
    else problems.push(`default must be allow or deny (got ${echo(JSON.stringify(data.default))})`);
  }
  const services = new Map<string, ServiceRule>();
  if (data.services !== undefined && data.services !== null) {
    if (!isObject(data.services)) problems.push('services must be a mapping of service ids to rules');
    else {
      for (const [id, rule] of Object.entries(data.services)) {
        const parsed = parseServiceRule(rule, `services.${echo(id)}`, problems);
        if (parsed !== null) services.set(id, parsed);
      }
    }
  }
  return { policy: { claims, defaultAllow, services }, problems };
}

/**
 * One service's rule (`allow`, `plans`), as the policy file and the embedded catalog write it.
 * @example parseServiceRule({ allow: ['group:/data-science'] }, 'services.x', problems)
 */
export function parseServiceRule(rule: unknown, where: string, problems: string[]): ServiceRule | null {
  if (rule === null || rule === undefined) return { allow: null, plans: [] };
  if (!isObject(rule)) {
    problems.push(`${where} must be a mapping with "allow" and/or "plans"`);
    return null;
  }
  const before = problems.length;
  for (const key of Object.keys(rule)) {
    if (key !== 'allow' && key !== 'plans') problems.push(`${where}: unknown field "${echo(key)}"`);
  }
  let allow: Grant[] | null = null;
  if (rule.allow !== undefined) {
    if (!Array.isArray(rule.allow)) problems.push(`${where}.allow must be a list such as [role:ml-user, group:/team]`);
    else allow = rule.allow.flatMap((item, index) => grantOrProblem(item, `${where}.allow[${index}]`, problems));
  }
  const plans: { grant: Grant; plan: string }[] = [];
  if (rule.plans !== undefined) {
    if (!isObject(rule.plans)) problems.push(`${where}.plans must be a mapping such as { group:/premium: premium }`);
    else {
      for (const [grantText, plan] of Object.entries(rule.plans)) {
        const grant = grantOrProblem(grantText, `${where}.plans`, problems);
        if (typeof plan !== 'string' || plan.trim() === '') {
          problems.push(`${where}.plans["${echo(grantText)}"] must name a plan (its id or name)`);
        } else if (grant.length === 1) plans.push({ grant: grant[0] as Grant, plan: plan.trim() });
      }
    }
  }
  return problems.length > before ? null : { allow, plans };
}

/** A grant from its text; groups are paths, and a group written without its leading "/" is a top-level one. */
export function parseGrant(text: string): Grant | null {
  const match = GRANT_PATTERN.exec(text.trim());
  if (match === null) return null;
  const kind = match[1] as Grant['kind'];
  const raw = (match[2] as string).trim();
  if (raw === '' || /[\u0000-\u001f\u007f]/.test(raw)) return null;
  const name = kind === 'group' ? groupPath(raw) : raw;
  return { kind, name, text: `${kind}:${name}` };
}

/** A group as a full path: Keycloak's groups claim carries "/parent/child", or "child" without the full path. */
export function groupPath(group: string): string {
  return group.startsWith('/') ? group : `/${group}`;
}

function grantOrProblem(item: unknown, where: string, problems: string[]): Grant[] {
  const grant = typeof item === 'string' ? parseGrant(item) : null;
  if (grant === null) {
    problems.push(`${where}: ${echo(JSON.stringify(item) ?? 'null')} must be role:NAME or group:/PATH`);
    return [];
  }
  return [grant];
}

function claimPaths(value: unknown, where: string, fallback: readonly string[], problems: string[]): readonly string[] {
  if (value === undefined) return fallback;
  const list = typeof value === 'string' ? [value] : value;
  if (!Array.isArray(list) || list.some((path) => typeof path !== 'string' || !CLAIM_PATH_PATTERN.test(path))) {
    problems.push(`${where} must be a list of dotted claim paths such as realm_access.roles`);
    return fallback;
  }
  return list as string[];
}

function emptyPolicy(clientId: string): EntitlementPolicy {
  return { claims: defaultClaimPaths(clientId), defaultAllow: true, services: new Map() };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function echo(text: string): string {
  return printable(text, MAX_ECHOED);
}
