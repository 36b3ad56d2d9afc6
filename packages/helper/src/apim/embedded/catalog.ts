/**
 * @module apim/embedded/catalog
 * The embedded store's catalog of ML services and their plans: read from a YAML or JSON file, checked in
 * full (every problem is reported at once, so an operator fixes the file in one pass) and turned into the
 * `ApiManager` domain types.
 */
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SERVICE_NAME_PATTERN } from '@mlaas/contract';
import Type, { type Static } from 'typebox';
import { Settings } from 'typebox/system';
import { Value } from 'typebox/value';
import { parseDocument } from 'yaml';
import { HelperError } from '../../errors/helper-error.js';
import type { ApiService, ServicePlan } from '../api-manager.js';
import type { LimitPeriod } from '../../usage/periods.js';
import { parseServiceRule, type ServiceRule } from '../../entitlements/policy.js';

/**
 * The demo catalog shipped with the package. Three directories up from this module is the package root, from
 * `src/apim/embedded/` and from `dist/apim/embedded/` alike.
 */
export const DEMO_CATALOG_PATH = fileURLToPath(new URL('../../../catalog/demo-catalog.yaml', import.meta.url));

/** Service and plan ids: lowercase slugs. */
export const CATALOG_SLUG_PATTERN = '^[a-z0-9][a-z0-9-]{0,62}$';
/** Header and query parameter names: an RFC 9110 token. */
const PARAMETER_NAME_PATTERN = "^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,100}$";
/** Schema errors collected per file (TypeBox stops at 8 by default, which would hide problems). */
const MAX_SCHEMA_ERRORS = 500;

/** What a pattern means, for messages: a regular expression alone is a poor explanation. */
const PATTERN_MEANING: Record<string, string> = {
  [CATALOG_SLUG_PATTERN]: 'a lowercase slug (a-z, 0-9 and "-", 1 to 63 characters, not starting with "-")',
  [PARAMETER_NAME_PATTERN]: 'a header or parameter name (an HTTP token of up to 100 characters)',
  [SERVICE_NAME_PATTERN]: 'printable text of 1 to 200 characters',
};

/** A usage limit of a plan: at most `max` calls per calendar `period` (UTC). */
const LimitEntry = Type.Object(
  {
    period: Type.Enum(['minute', 'hour', 'day', 'week', 'month']),
    max: Type.Integer({ minimum: 0, maximum: 1_000_000_000 }),
  },
  { additionalProperties: false },
);

const PlanEntry = Type.Object(
  {
    id: Type.String({ pattern: CATALOG_SLUG_PATTERN }),
    name: Type.String({ pattern: SERVICE_NAME_PATTERN }),
    default: Type.Optional(Type.Boolean()),
    state: Type.Optional(Type.Enum(['published', 'hidden'])),
    custom: Type.Optional(Type.Boolean()),
    approval_required: Type.Optional(Type.Boolean()),
    limits: Type.Optional(Type.Array(LimitEntry, { maxItems: 5 })),
  },
  { additionalProperties: false },
);

const CredentialsEntry = Type.Object(
  {
    location: Type.Enum(['header', 'query', 'basic']),
    key_parameter: Type.Optional(Type.Union([Type.String({ pattern: PARAMETER_NAME_PATTERN }), Type.Null()])),
    app_id_parameter: Type.Optional(Type.Union([Type.String({ pattern: PARAMETER_NAME_PATTERN }), Type.Null()])),
  },
  { additionalProperties: false },
);

const ServiceEntry = Type.Object(
  {
    id: Type.String({ pattern: CATALOG_SLUG_PATTERN }),
    name: Type.String({ pattern: SERVICE_NAME_PATTERN }),
    system_name: Type.Optional(Type.String({ pattern: CATALOG_SLUG_PATTERN })),
    description: Type.Optional(Type.String({ maxLength: 2_000 })),
    endpoint: Type.Optional(Type.Union([Type.String({ maxLength: 2_000 }), Type.Null()])),
    authentication: Type.Enum(['api_key', 'app_id_app_key', 'oidc']),
    credentials: CredentialsEntry,
    plans: Type.Array(PlanEntry),
    /** Days a key of this service lives; overrides KEY_TTL_DAYS; 0 = never expires. */
    key_ttl_days: Type.Optional(Type.Integer({ minimum: 0, maximum: 36_500 })),
    /** Who may hold keys and tiers, as in ENTITLEMENTS_FILE: `{ allow: [role:x, group:/y], plans: {...} }`. */
    entitlements: Type.Optional(Type.Unknown()),
  },
  { additionalProperties: false },
);

/** The catalog file, as written (snake_case). */
const CatalogFile = Type.Object({ services: Type.Array(ServiceEntry) }, { additionalProperties: false });
type CatalogFile = Static<typeof CatalogFile>;

/** Services and plans of the embedded store, read-only. */
export interface Catalog {
  /** The file the catalog was read from. */
  readonly source: string;
  /** Services in file order. */
  readonly services: readonly ApiService[];
  /** Plans of each service, by service id, in file order. */
  readonly plans: ReadonlyMap<string, readonly ServicePlan[]>;
  /** Entitlement rules written in the catalog, by service id. */
  readonly entitlements: ReadonlyMap<string, ServiceRule>;
  /** Usage limits of each plan, by plan id (plan ids are unique in a catalog); none when absent. */
  readonly limits: ReadonlyMap<string, readonly CatalogLimit[]>;
}

/** A limit on calls (the `hits` metric) per calendar period. */
export interface CatalogLimit {
  readonly metric: 'hits';
  readonly period: LimitPeriod;
  readonly max: number;
}

/**
 * Loads and checks a catalog file (`.yaml`, `.yml` or `.json`); without a path, the shipped demo catalog.
 * Throws CONFIG_ERROR naming the file and listing every problem found.
 * @example const catalog = loadCatalog(process.env.EMBEDDED_CATALOG); catalog.services.length // 4 for the demo
 */
export function loadCatalog(path: string = DEMO_CATALOG_PATH): Catalog {
  const data = parseFile(path);
  const problems = [...schemaProblems(data), ...consistencyProblems(data)];
  if (problems.length > 0 || !Value.Check(CatalogFile, data)) {
    throw invalidCatalog(path, '', problems.length > 0 ? problems : ['(top level): does not match the catalog schema']);
  }
  return toCatalog(path, data);
}

/** One CONFIG_ERROR for a file, its problems one per line. */
function invalidCatalog(path: string, what: string, problems: readonly string[]): HelperError {
  const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`;
  return new HelperError('CONFIG_ERROR', `invalid catalog ${path}${what} (${count}):\n  - ${problems.join('\n  - ')}`);
}

function parseFile(path: string): unknown {
  const extension = extname(path).toLowerCase();
  if (extension !== '.yaml' && extension !== '.yml' && extension !== '.json') {
    throw new HelperError('CONFIG_ERROR', `invalid catalog ${path}: the file name must end in .yaml, .yml or .json`);
  }
  let text: string;
  try {
    text = readFileSync(path, 'utf8').replace(/^\uFEFF/, '');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : 'the file cannot be read';
    throw new HelperError('CONFIG_ERROR', `invalid catalog ${path}: ${reason}`, { cause: error });
  }

  if (extension === '.json') {
    try {
      return JSON.parse(text) as unknown;
    } catch (error) {
      throw new HelperError('CONFIG_ERROR', `invalid catalog ${path}: not valid JSON: ${(error as Error).message}`, {
        cause: error,
      });
    }
  }
  const document = parseDocument(text, { prettyErrors: true });
  if (document.errors.length > 0) {
    // A pretty YAML error's first line is "<what> at line L, column C:"; the rest is a source excerpt.
    const problems = document.errors.map((error) => (error.message.split('\n')[0] ?? '').replace(/:$/, ''));
    throw invalidCatalog(path, ': not valid YAML', problems);
  }
  return document.toJS() as unknown;
}

/** Schema violations, one line each, worded for the person editing the file. */
function schemaProblems(data: unknown): string[] {
  const errors = collectErrors(data);
  const unionPaths = errors.filter((error) => error.keyword === 'anyOf').map((error) => `${error.schemaPath}/anyOf/`);
  const problems: string[] = [];
  for (const error of errors) {
    // `false` schemas repeat what the parent's additionalProperties error says; union branches are summed up
    // by the union's own error.
    if (error.keyword === 'boolean') continue;
    if (unionPaths.some((prefix) => error.schemaPath.startsWith(prefix))) continue;
    const where = formatPath(error.instancePath);
    const params = error.params as Record<string, unknown>;
    switch (error.keyword) {
      case 'anyOf': {
        const prefix = `${error.schemaPath}/anyOf/`;
        const branches = errors.filter((b) => b.schemaPath.startsWith(prefix) && b.instancePath === error.instancePath);
        problems.push(`${where}: must be ${branches.map(describeExpected).join(' or ')}`);
        break;
      }
      case 'additionalProperties': {
        const names = (params['additionalProperties'] as string[] | undefined) ?? [];
        const noun = names.length === 1 ? 'property' : 'properties';
        problems.push(`${where}: unknown ${noun} ${names.map((name) => JSON.stringify(name)).join(', ')}`);
        break;
      }
      case 'required': {
        const names = (params['requiredProperties'] as string[] | undefined) ?? [];
        problems.push(`${where}: missing ${names.map((name) => JSON.stringify(name)).join(', ')}`);
        break;
      }
      default:
        problems.push(`${where}: must be ${describeExpected(error)}`);
    }
  }
  return problems;
}

/** TypeBox's error cap is a global setting: raise it for this one synchronous call and put it back. */
function collectErrors(data: unknown): ReturnType<typeof Value.Errors> {
  const { maxErrors } = Settings.Get();
  Settings.Set({ maxErrors: MAX_SCHEMA_ERRORS });
  try {
    return Value.Errors(CatalogFile, data);
  } finally {
    Settings.Set({ maxErrors });
  }
}

function describeExpected(error: { keyword: string; params: unknown; message: string }): string {
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'type':
      return params['type'] === 'null' ? 'null' : `${article(String(params['type']))} ${String(params['type'])}`;
    case 'pattern':
      return PATTERN_MEANING[String(params['pattern'])] ?? `a string matching ${String(params['pattern'])}`;
    case 'enum': {
      const allowed = (params['allowedValues'] as unknown[] | undefined) ?? [];
      return `one of ${allowed.map((value) => JSON.stringify(value)).join(', ')}`;
    }
    case 'maxLength':
      return `at most ${String(params['limit'])} characters long`;
    default:
      return error.message.replace(/^must (be )?/, '');
  }
}

function article(noun: string): string {
  return /^[aeiou]/.test(noun) ? 'an' : 'a';
}

/**
 * Rules a schema cannot say: unique ids, one default plan per service, credentials that fit the
 * authentication method, endpoints that are URLs. Reads the raw document defensively so these are reported
 * alongside schema violations, not after they are fixed.
 */
function consistencyProblems(data: unknown): string[] {
  const problems: string[] = [];
  const services = isRecord(data) && Array.isArray(data['services']) ? (data['services'] as unknown[]) : [];
  const serviceIds = new Map<string, string>();
  const planIds = new Map<string, string>();

  services.forEach((service, s) => {
    if (!isRecord(service)) return;
    const at = `services[${s}]`;
    noteDuplicate(serviceIds, service['id'], `${at}.id`, 'service id', problems);

    const endpoint = service['endpoint'];
    if (typeof endpoint === 'string' && !isHttpUrl(endpoint) && !/^\/[^/]/.test(endpoint)) {
      problems.push(
        `${at}.endpoint: must be an http:// or https:// URL, a path on this helper ("/gateway/…"), or null`,
      );
    }

    const credentials = service['credentials'];
    const authentication = service['authentication'];
    if (isRecord(credentials) && isAuthenticationMethod(authentication)) {
      problems.push(...credentialProblems(`${at}.credentials`, authentication, credentials));
    }

    if (service['entitlements'] !== undefined)
      parseServiceRule(service['entitlements'], `${at}.entitlements`, problems);

    const plans = Array.isArray(service['plans']) ? (service['plans'] as unknown[]) : [];
    let defaultAt: string | null = null;
    plans.forEach((plan, p) => {
      if (!isRecord(plan)) return;
      const planAt = `${at}.plans[${p}]`;
      noteDuplicate(planIds, plan['id'], `${planAt}.id`, 'plan id', problems);
      const periods = new Map<string, string>();
      (Array.isArray(plan['limits']) ? (plan['limits'] as unknown[]) : []).forEach((limit, l) => {
        if (isRecord(limit))
          noteDuplicate(periods, limit['period'], `${planAt}.limits[${l}].period`, 'limit period', problems);
      });
      if (plan['default'] === true) {
        if (defaultAt === null) defaultAt = planAt;
        else problems.push(`${planAt}.default: a service has at most one default plan (${defaultAt} is one)`);
      }
    });
  });
  return problems;
}

/** Which parameter names the gateway needs, given how the key travels. */
function credentialProblems(at: string, authentication: string, credentials: Record<string, unknown>): string[] {
  const location = credentials['location'];
  const problems: string[] = [];
  if (location === 'basic') {
    if (credentials['key_parameter'] != null) {
      problems.push(`${at}.key_parameter: must be null: HTTP Basic carries the key`);
    }
    if (credentials['app_id_parameter'] != null) {
      problems.push(`${at}.app_id_parameter: must be null: HTTP Basic carries the application id`);
    }
    return problems;
  }
  if (location !== 'header' && location !== 'query') return problems;
  if (authentication === 'oidc') {
    if (credentials['key_parameter'] != null) problems.push(`${at}.key_parameter: must be null with oidc (no key)`);
  } else if (credentials['key_parameter'] == null) {
    problems.push(`${at}.key_parameter: required: the ${location} that carries the key`);
  }
  if (authentication === 'app_id_app_key') {
    if (credentials['app_id_parameter'] == null) {
      problems.push(`${at}.app_id_parameter: required with app_id_app_key (the ${location} with the application id)`);
    }
  } else if (credentials['app_id_parameter'] != null) {
    problems.push(`${at}.app_id_parameter: must be null: only app_id_app_key sends an application id`);
  }
  return problems;
}

function isAuthenticationMethod(value: unknown): value is string {
  return value === 'api_key' || value === 'app_id_app_key' || value === 'oidc';
}

function noteDuplicate(seen: Map<string, string>, id: unknown, at: string, what: string, problems: string[]): void {
  if (typeof id !== 'string') return;
  const first = seen.get(id);
  if (first === undefined) seen.set(id, at);
  else problems.push(`${at}: duplicate ${what} ${JSON.stringify(id)} (already used at ${first})`);
}

function toCatalog(source: string, file: CatalogFile): Catalog {
  const services: ApiService[] = [];
  const plans = new Map<string, readonly ServicePlan[]>();
  const limits = new Map<string, readonly CatalogLimit[]>();
  const entitlements = new Map<string, ServiceRule>();
  for (const entry of file.services) {
    const rule = entry.entitlements === undefined ? null : parseServiceRule(entry.entitlements, entry.id, []);
    if (rule !== null) entitlements.set(entry.id, rule);
    for (const plan of entry.plans) {
      limits.set(
        plan.id,
        Object.freeze(
          (plan.limits ?? []).map((limit) =>
            Object.freeze({ metric: 'hits' as const, period: limit.period as LimitPeriod, max: limit.max }),
          ),
        ),
      );
    }
    services.push(
      Object.freeze({
        id: entry.id,
        name: entry.name,
        systemName: entry.system_name ?? entry.id,
        description: entry.description ?? '',
        endpoint: entry.endpoint ?? null,
        authenticationMethod: entry.authentication,
        credentials: Object.freeze({
          location: entry.credentials.location,
          keyParameter: entry.credentials.key_parameter ?? null,
          appIdParameter: entry.credentials.app_id_parameter ?? null,
        }),
        ...(entry.key_ttl_days === undefined ? {} : { keyTtlDays: entry.key_ttl_days }),
      }),
    );
    plans.set(
      entry.id,
      Object.freeze(
        entry.plans.map((plan) =>
          Object.freeze({
            id: plan.id,
            name: plan.name,
            serviceId: entry.id,
            isDefault: plan.default ?? false,
            state: plan.state ?? 'published',
            isCustom: plan.custom ?? false,
            approvalRequired: plan.approval_required ?? false,
          }),
        ),
      ),
    );
  }
  return Object.freeze({ source, services: Object.freeze(services), plans, limits, entitlements });
}

/** `/services/0/plans/1/id` → `services[0].plans[1].id`. */
function formatPath(pointer: string): string {
  if (pointer === '') return '(top level)';
  let out = '';
  for (const raw of pointer.split('/').slice(1)) {
    const segment = raw.replaceAll('~1', '/').replaceAll('~0', '~');
    out += /^\d+$/.test(segment) ? `[${segment}]` : `${out === '' ? '' : '.'}${segment}`;
  }
  return out;
}

function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
