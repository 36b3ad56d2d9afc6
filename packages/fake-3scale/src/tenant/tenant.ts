/**
 * @module tenant/tenant
 * The fake tenant: developer accounts, products, proxies, plans and applications held in memory, with the
 * operations the Admin API performs on them and 3scale's rules for each. Failures are
 * `Fake3scaleError`s with `ERR_NOT_FOUND` (404), `ERR_INVALID` (422, field errors) or `ERR_REFUSED`
 * (422, one message); the HTTP layer renders them.
 */
import { randomBytes } from 'node:crypto';
import { Fake3scaleError, invalid, notFound } from '../errors.js';
import type { ApplicationState } from '../seed/seed-types.js';
import { IdSequences } from './_ids.js';
import {
  ErrorCollector,
  MSG_BLANK,
  MSG_TAKEN,
  PRINTABLE_PATTERN,
  USER_KEY_PATTERN,
  tooLong,
  tooShort,
} from './_validation.js';
import type {
  AccountPlanRecord,
  AccountRecord,
  ApplicationRecord,
  FieldsDefinitionRecord,
  FieldsTarget,
  KeyRecord,
  PlanRecord,
  ProxyRecord,
  ServiceRecord,
  UserRecord,
} from './records.js';

/** Most app keys an application may hold (3scale `ApplicationKey::KEYS_LIMIT`). */
export const MAX_APP_KEYS = 5;
/** OAuth/OIDC applications hold a single client secret. */
export const MAX_CLIENT_SECRETS = 1;
/** Name and description 3scale gives the applications Signup Express creates. */
export const SIGNUP_APPLICATION_NAME = 'API signup';

/** Raw request values for application create and update (strings as they came in). */
export interface ApplicationInput {
  planId?: string | undefined;
  name?: string | undefined;
  description?: string | undefined;
  userKey?: string | undefined;
  applicationId?: string | undefined;
  applicationKey?: string | undefined;
  redirectUrl?: string | undefined;
  firstTrafficAt?: string | undefined;
  firstDailyTrafficAt?: string | undefined;
  /**
   * Every other parameter of the request, by name: porta keeps the ones that name a defined extra field of
   * applications and silently drops the rest.
   */
  extra?: Record<string, string> | undefined;
}

/** Raw request values for a fields definition create. */
export interface FieldsDefinitionInput {
  target?: string | undefined;
  name?: string | undefined;
  label?: string | undefined;
  required?: boolean | undefined;
  hidden?: boolean | undefined;
  readOnly?: boolean | undefined;
  choices?: string[] | undefined;
}

/** Filters of the tenant-wide application list (porta's Cinstance search scopes the fake models). */
export interface ApplicationSearch {
  serviceId?: string | undefined;
  planId?: string | undefined;
  state?: string | undefined;
  /** The account id (porta names this filter `account`, not `account_id`). */
  account?: string | undefined;
}

const FIELDS_TARGETS: readonly FieldsTarget[] = ['Account', 'User', 'Cinstance'];
/** porta's rule for a field name, and its message. */
const FIELD_NAME_PATTERN = /^[A-Za-z][A-Za-z\d_-]*$/;
const MSG_FIELD_NAME = 'Name should start with letters, and can contain numbers, - and _';
/**
 * Attributes of an application that cannot be extra fields (porta refuses a definition named like a column
 * of the model that is not a builtin field); the builtin `name` and `description` are fields already.
 */
const APPLICATION_RESERVED = new Set([
  'id',
  'state',
  'user_key',
  'application_id',
  'plan_id',
  'user_account_id',
  'service_id',
  'created_at',
  'updated_at',
  'redirect_url',
  'first_traffic_at',
  'first_daily_traffic_at',
  'provider_verification_key',
  'extra_fields',
  'type',
  'trial_period_expires_at',
  'end_user_required',
  'tenant_id',
  'paid_until',
  'variable_cost_paid_until',
  'setup_fee',
  'accepted_at',
  'create_origin',
]);
const APPLICATION_BUILTIN = new Set(['name', 'description']);

/** Raw request values for Signup Express (`name` stands in for a missing `org_name`). */
export interface SignupInput {
  name?: string | undefined;
  orgName?: string | undefined;
  username?: string | undefined;
  email?: string | undefined;
  password?: string | undefined;
  applicationPlanId?: string | undefined;
}

/** How `accounts/find` looks an account up; the first given criterion wins. */
export interface FindAccountCriteria {
  username?: string | undefined;
  userId?: string | undefined;
  email?: string | undefined;
}

/** How `applications/find` looks an application up. */
export interface FindApplicationCriteria {
  applicationId?: string | undefined;
  userKey?: string | undefined;
  appId?: string | undefined;
  serviceId?: string | undefined;
}

/** State-machine events of an application. */
export type ApplicationEvent = 'suspend' | 'resume' | 'accept';

const TRANSITIONS: Record<ApplicationEvent, { from: readonly ApplicationState[]; to: ApplicationState }> = {
  suspend: { from: ['live'], to: 'suspended' },
  resume: { from: ['suspended'], to: 'live' },
  accept: { from: ['pending'], to: 'live' },
};

/** porta's username rule (ASCII word characters, then `. - _ @ +`), and its message. */
const USERNAME_PATTERN = /^\w[\w.\-@+]+$/;
const MSG_USERNAME = 'use only letters, numbers, and .-_@+ please.';
/** An organisation name needs one letter or digit somewhere (on one line, as Ruby's `.` reads it). */
const ORG_NAME_PATTERN = /^.*[a-zA-Z0-9]+.*$/;
const MSG_ORG_NAME = 'must contain at least one alphanumeric character';
/** porta's strong-password minimum. */
export const STRONG_PASSWORD_MIN = 15;
/** Backend versions whose applications hold one client secret instead of app keys. */
const CLIENT_SECRET_VERSIONS: ReadonlySet<string> = new Set(['oidc', 'oauth']);

/** Tenant-wide switches (see `SeedSettings`). */
export interface TenantSettings {
  accountApprovalRequired: boolean;
  strongPasswords: boolean;
  servicePlansUiVisible: boolean;
}

export const DEFAULT_SETTINGS: TenantSettings = {
  accountApprovalRequired: false,
  strongPasswords: true,
  servicePlansUiVisible: false,
};

/** Parses a record id the way 3scale's `find` does for clean input: digits only, else no record. */
export function parseId(value: string | undefined): number | undefined {
  if (value === undefined || !/^\d{1,16}$/.test(value)) return undefined;
  const id = Number(value);
  return Number.isSafeInteger(id) ? id : undefined;
}

export interface TenantOptions {
  /** Used in generated gateway URLs. */
  name: string;
  now: () => Date;
  /** Random hex of `bytes` bytes (3scale uses `SecureRandom.hex`). */
  randomHex?: (bytes: number) => string;
  settings?: TenantSettings;
}

/**
 * An in-memory 3scale tenant. Built from a seed by `buildTenant`; tests may read it directly
 * (`fake.state.applicationsOf(accountId)`) to check what the API did.
 * @example
 * const app = fake.state.createApplication(account.id, { planId: String(plan.id) });
 */
export class Tenant {
  readonly name: string;
  readonly providerAccountId: number;
  readonly accountPlan: AccountPlanRecord;
  readonly settings: TenantSettings;
  readonly ids = new IdSequences();
  private readonly now: () => Date;
  private readonly randomHex: (bytes: number) => string;
  private readonly accounts = new Map<number, AccountRecord>();
  private readonly users = new Map<number, UserRecord>();
  private readonly services = new Map<number, ServiceRecord>();
  private readonly proxies = new Map<number, ProxyRecord>();
  private readonly plans = new Map<number, PlanRecord>();
  private readonly applications = new Map<number, ApplicationRecord>();
  private readonly fieldsDefinitions = new Map<number, FieldsDefinitionRecord>();

  constructor(options: TenantOptions) {
    this.name = options.name;
    this.now = options.now;
    this.randomHex = options.randomHex ?? ((bytes) => randomBytes(bytes).toString('hex'));
    this.settings = options.settings ?? DEFAULT_SETTINGS;
    this.providerAccountId = this.ids.take('providerAccount');
    this.accountPlan = { id: this.ids.take('accountPlan'), name: 'Default' };
  }

  /** The current time, from the injected clock. */
  time(): Date {
    return this.now();
  }

  /** Random hex, from the injected source. */
  hex(bytes: number): string {
    return this.randomHex(bytes);
  }

  // ---- inserting records (used when building from a seed) ----

  insertAccount(record: AccountRecord): void {
    this.ids.reserve('account', record.id);
    this.accounts.set(record.id, record);
  }

  insertUser(record: UserRecord): void {
    this.ids.reserve('user', record.id);
    this.users.set(record.id, record);
  }

  insertService(record: ServiceRecord, proxy: ProxyRecord): void {
    this.ids.reserve('service', record.id);
    this.services.set(record.id, record);
    this.proxies.set(record.id, proxy);
  }

  insertPlan(record: PlanRecord): void {
    this.ids.reserve('plan', record.id);
    this.plans.set(record.id, record);
  }

  insertApplication(record: ApplicationRecord): void {
    this.ids.reserve('application', record.id);
    this.applications.set(record.id, record);
  }

  // ---- reads ----

  /** Every developer account, by id. */
  listAccounts(): AccountRecord[] {
    return [...this.accounts.values()].sort((a, b) => a.id - b.id);
  }

  getAccount(id: number | undefined): AccountRecord {
    const account = id === undefined ? undefined : this.accounts.get(id);
    if (!account) throw notFound('account');
    return account;
  }

  /** The account's users, admins first. */
  usersOf(accountId: number): UserRecord[] {
    return [...this.users.values()]
      .filter((u) => u.accountId === accountId)
      .sort((a, b) => (a.role === b.role ? a.id - b.id : a.role === 'admin' ? -1 : 1));
  }

  /** The first user with this username (case-sensitive), if any. */
  userByUsername(username: string): UserRecord | undefined {
    return [...this.users.values()].find((u) => u.username === username);
  }

  /**
   * `accounts/find`: by username if given (even empty), else by user id, else by a non-empty email. No
   * fallback from one criterion to the next (as porta's own 'account find' test shows).
   */
  findAccount(criteria: FindAccountCriteria): AccountRecord {
    let user: UserRecord | undefined;
    if (criteria.username !== undefined) {
      user = this.userByUsername(criteria.username);
    } else if (criteria.userId !== undefined) {
      const id = parseId(criteria.userId);
      user = id === undefined ? undefined : this.users.get(id);
    } else if (criteria.email !== undefined && criteria.email !== '') {
      user = [...this.users.values()].find((u) => u.email === criteria.email);
    }
    if (!user) throw notFound('account');
    return this.getAccount(user.accountId);
  }

  /** Every product the API shows, ordered by id as 3scale pages them; deleted ones are hidden. */
  listServices(): ServiceRecord[] {
    return this.allServices().filter((s) => s.state !== 'deleted');
  }

  /** Every product, deleted ones included (for building from a seed). */
  allServices(): ServiceRecord[] {
    return [...this.services.values()].sort((a, b) => a.id - b.id);
  }

  getService(id: number | undefined): ServiceRecord {
    const service = id === undefined ? undefined : this.services.get(id);
    if (!service || service.state === 'deleted') throw notFound('service');
    return service;
  }

  getProxy(serviceId: number | undefined): ProxyRecord {
    const service = this.getService(serviceId);
    const proxy = this.proxies.get(service.id);
    if (!proxy) throw notFound('proxy');
    return proxy;
  }

  /** All application plans of a product, hidden and custom ones included. */
  plansOf(serviceId: number | undefined): PlanRecord[] {
    return this.anyPlansOf(this.getService(serviceId).id);
  }

  /** The plans of any product, deleted ones included (for building from a seed). */
  anyPlansOf(serviceId: number): PlanRecord[] {
    return [...this.plans.values()].filter((p) => p.serviceId === serviceId).sort((a, b) => a.id - b.id);
  }

  getPlan(id: number | undefined): PlanRecord {
    const plan = id === undefined ? undefined : this.plans.get(id);
    if (!plan) throw notFound('application plan');
    return plan;
  }

  /** Every application the API shows, by id: those of deleted products are hidden with them. */
  listApplications(): ApplicationRecord[] {
    return [...this.applications.values()].filter((a) => this.isShown(a)).sort((a, b) => a.id - b.id);
  }

  /**
   * An account's applications; `state` is the filter porta reads but does not document (an unknown state
   * matches nothing, a blank one everything).
   */
  applicationsOf(accountId: number | undefined, state?: string): ApplicationRecord[] {
    const account = this.getAccount(accountId);
    return this.listApplications().filter(
      (app) => app.accountId === account.id && (state === undefined || state === '' || app.state === state),
    );
  }

  getApplication(accountId: number | undefined, applicationId: number | undefined): ApplicationRecord {
    const account = this.getAccount(accountId);
    const app = applicationId === undefined ? undefined : this.applications.get(applicationId);
    if (!app || app.accountId !== account.id || !this.isShown(app)) throw notFound('application');
    return app;
  }

  /**
   * `applications/find`: by internal id, else by user_key (backend version 1 products only), else by
   * app_id (other products); optionally within one product.
   */
  findApplication(criteria: FindApplicationCriteria): ApplicationRecord {
    const serviceId = criteria.serviceId === undefined ? undefined : parseId(criteria.serviceId);
    const inService = (app: ApplicationRecord) => criteria.serviceId === undefined || app.serviceId === serviceId;
    const versionOf = (app: ApplicationRecord) => this.services.get(app.serviceId)?.backendVersion;
    let found: ApplicationRecord | undefined;
    if (criteria.applicationId !== undefined) {
      const id = parseId(criteria.applicationId);
      found = id === undefined ? undefined : this.applications.get(id);
      if (found && (!inService(found) || !this.isShown(found))) found = undefined;
    } else if (criteria.userKey !== undefined) {
      found = this.listApplications().find(
        (a) => a.userKey === criteria.userKey && versionOf(a) === '1' && inService(a),
      );
    } else if (criteria.appId !== undefined) {
      found = this.listApplications().find(
        (a) => a.applicationId === criteria.appId && versionOf(a) !== '1' && inService(a),
      );
    }
    if (!found) throw notFound('application');
    return found;
  }

  /** The product and plan of an application (always present: deleting them is not modelled). */
  contextOf(app: ApplicationRecord): { service: ServiceRecord; plan: PlanRecord; account: AccountRecord } {
    return {
      service: this.getService(app.serviceId),
      plan: this.getPlan(app.planId),
      account: this.getAccount(app.accountId),
    };
  }

  /**
   * The tenant-wide application list: `page`/`per_page` applied by the handler; filtered by product, plan,
   * state and account (an unparsable id matches nothing, as a SQL comparison would).
   */
  searchApplications(search: ApplicationSearch): ApplicationRecord[] {
    const idFilter = (raw: string | undefined) => (raw === undefined || raw === '' ? undefined : (parseId(raw) ?? -1));
    const serviceId = idFilter(search.serviceId);
    const planId = idFilter(search.planId);
    const accountId = idFilter(search.account);
    return this.listApplications().filter(
      (app) =>
        (serviceId === undefined || app.serviceId === serviceId) &&
        (planId === undefined || app.planId === planId) &&
        (accountId === undefined || app.accountId === accountId) &&
        (search.state === undefined || search.state === '' || app.state === search.state),
    );
  }

  /** The tenant's fields definitions, by target then position (porta's default scope orders by position). */
  listFieldsDefinitions(): FieldsDefinitionRecord[] {
    return [...this.fieldsDefinitions.values()].sort((a, b) =>
      a.target === b.target ? a.position - b.position : a.target < b.target ? -1 : 1,
    );
  }

  getFieldsDefinition(id: number | undefined): FieldsDefinitionRecord {
    const found = id === undefined ? undefined : this.fieldsDefinitions.get(id);
    if (!found) throw notFound('fields definition');
    return found;
  }

  /** Names of the extra (non-builtin) fields defined for applications. */
  applicationExtraFields(): string[] {
    return this.listFieldsDefinitions()
      .filter((d) => d.target === 'Cinstance' && !APPLICATION_BUILTIN.has(d.name))
      .map((d) => d.name);
  }

  // ---- writes ----

  /**
   * Fields Definition Create, with porta's validations: label, target and name present (a target other than
   * Account, User or Cinstance is dropped, so it reads as blank), the name's format, its uniqueness within the
   * target, no column of the model as a name, and never required together with hidden or read-only.
   */
  createFieldsDefinition(input: FieldsDefinitionInput): FieldsDefinitionRecord {
    const errors = new ErrorCollector();
    const target = FIELDS_TARGETS.find((t) => t === input.target);
    const name = input.name ?? '';
    const label = input.label ?? '';
    if (label.trim() === '') errors.add('label', MSG_BLANK);
    else if (label.length > 255) errors.add('label', tooLong(255));
    if (target === undefined) errors.add('target', MSG_BLANK);
    if (name.trim() === '') errors.add('name', MSG_BLANK);
    else if (name.length > 255) errors.add('name', tooLong(255));
    if (name !== '' && !FIELD_NAME_PATTERN.test(name)) errors.add('name', MSG_FIELD_NAME);
    if (
      name !== '' &&
      target !== undefined &&
      [...this.fieldsDefinitions.values()].some((d) => d.target === target && d.name === name)
    ) {
      errors.add('name', MSG_TAKEN);
    }
    if (target === 'Cinstance' && APPLICATION_RESERVED.has(name)) errors.add('name', 'Field name is not allowed');
    if (input.required === true && (input.hidden === true || input.readOnly === true)) {
      errors.add('required', 'Fields cannot be required AND hidden/read_only');
    }
    if (errors.any || target === undefined) throw invalid(errors.errors);
    const now = this.now();
    const position =
      Math.max(0, ...[...this.fieldsDefinitions.values()].filter((d) => d.target === target).map((d) => d.position)) +
      1;
    const record: FieldsDefinitionRecord = {
      id: this.ids.take('fieldsDefinition'),
      target,
      name,
      label,
      required: input.required === true,
      hidden: input.hidden === true,
      readOnly: input.readOnly === true,
      choices: input.choices ?? [],
      position,
      createdAt: now,
      updatedAt: now,
    };
    this.fieldsDefinitions.set(record.id, record);
    return record;
  }

  /** Fields Definition Delete. Values already stored stay in the records but are no longer shown. */
  deleteFieldsDefinition(id: number | undefined): FieldsDefinitionRecord {
    const found = this.getFieldsDefinition(id);
    this.fieldsDefinitions.delete(found.id);
    return found;
  }

  /**
   * Application Change Plan: to another plan of the same product; a plan of another product is refused
   * (porta's message), and the application's own plan is accepted as a no-op.
   */
  changeApplicationPlan(
    accountId: number | undefined,
    applicationId: number | undefined,
    planId: string | undefined,
  ): ApplicationRecord {
    const app = this.getApplication(accountId, applicationId);
    const plan = this.getPlan(parseId(planId));
    if (plan.serviceId !== app.serviceId) {
      throw invalid({ plan: ['must belong to the same product'] });
    }
    if (plan.id !== app.planId) {
      app.planId = plan.id;
      app.updatedAt = this.now();
    }
    return app;
  }

  /**
   * Signup Express, as porta's minimal API signup does it. Validation first — the account's own errors,
   * then `users: ["invalid"]` and the admin user's field errors — all reported at once. The email is
   * optional (its format is not checked, only its length and uniqueness); a password, when given, must be
   * strong unless strong passwords are off. The user is activated, and the account approved, only when a
   * password was given and the account plan needs no approval; otherwise the account stays `created` and
   * its user `pending`. Subscriptions follow porta's `Signup::PlansWithDefaults` (see {@link signupPlans}).
   */
  signup(input: SignupInput): AccountRecord {
    const errors = new ErrorCollector();
    const orgName = input.orgName ?? input.name ?? '';
    if (orgName.trim() === '') errors.add('org_name', MSG_BLANK);
    else if (!ORG_NAME_PATTERN.test(orgName)) errors.add('org_name', MSG_ORG_NAME);

    const userErrors = new ErrorCollector();
    // porta strips the username before validating it.
    const username = (input.username ?? '').trim();
    if (username.length < 3) userErrors.add('username', tooShort(3));
    else if (username.length > 40) userErrors.add('username', tooLong(40));
    if (username !== '' && !USERNAME_PATTERN.test(username)) userErrors.add('username', MSG_USERNAME);
    if (username !== '' && this.userByUsername(username)) userErrors.add('username', MSG_TAKEN);
    const email = input.email ?? '';
    if (email !== '') {
      if (email.length < 6) userErrors.add('email', tooShort(6));
      else if (email.length > 255) userErrors.add('email', tooLong(255));
      if ([...this.users.values()].some((u) => u.email === email)) userErrors.add('email', MSG_TAKEN);
    }
    const password = input.password ?? '';
    if (password !== '' && this.settings.strongPasswords && password.length < STRONG_PASSWORD_MIN) {
      userErrors.add('password', tooShort(STRONG_PASSWORD_MIN));
    }
    if (userErrors.any) {
      errors.add('users', 'invalid');
      for (const [field, messages] of Object.entries(userErrors.errors)) {
        for (const message of messages) errors.add(field, message);
      }
    }
    if (errors.any) throw invalid(errors.errors);

    const subscriptions = this.signupPlans(input.applicationPlanId);
    const now = this.now();
    const activated = password !== '' && !this.settings.accountApprovalRequired;
    const account: AccountRecord = {
      id: this.ids.take('account'),
      orgName,
      state: activated ? 'approved' : 'created',
      createdAt: now,
      updatedAt: now,
    };
    this.insertAccount(account);
    this.insertUser({
      id: this.ids.take('user'),
      accountId: account.id,
      username,
      email,
      role: 'admin',
      state: activated ? 'active' : 'pending',
      createdAt: now,
      updatedAt: now,
    });
    for (const plan of subscriptions) {
      this.insertApplication(
        this.newApplication(account, plan, { name: SIGNUP_APPLICATION_NAME, description: SIGNUP_APPLICATION_NAME }),
      );
    }
    return account;
  }

  /**
   * The application plans a signup subscribes to (porta `Signup::PlansWithDefaults`): for every product, the
   * chosen plan if it belongs to it, else its default application plan — when the product has a default
   * service plan, or (service plans screen hidden, porta's default) at least a published one. An application
   * plan whose product ends up with no service plan fails the whole signup with a 404, as porta does.
   */
  private signupPlans(applicationPlanId: string | undefined): PlanRecord[] {
    const chosenId = parseId(applicationPlanId);
    const found = chosenId === undefined ? undefined : this.plans.get(chosenId);
    const chosen = found && this.services.get(found.serviceId)?.state !== 'deleted' ? found : undefined;
    const publishedCounts = !this.settings.servicePlansUiVisible;
    const subscriptions: PlanRecord[] = [];
    let missingServicePlan = false;
    for (const service of this.listServices()) {
      const chosenHere = chosen?.serviceId === service.id ? chosen : undefined;
      const hasDefaultServicePlan = service.servicePlan === 'default';
      if (!hasDefaultServicePlan && !publishedCounts) {
        if (chosenHere) missingServicePlan = true;
        continue;
      }
      const plan = chosenHere ?? this.plansOf(service.id).find((p) => p.isDefault);
      if (!plan) continue;
      subscriptions.push(plan);
      if (!hasDefaultServicePlan && service.servicePlan !== 'published') missingServicePlan = true;
    }
    if (missingServicePlan) throw notFound('service plan');
    return subscriptions;
  }

  /**
   * Application Create: any application plan of the tenant (hidden ones too); `pending`
   * on an approval-required plan; keys generated for the product's authentication mode unless given. There
   * is deliberately no duplicate guard: 3scale's Admin API accepts any number of applications on a plan.
   */
  createApplication(accountId: number | undefined, input: ApplicationInput): ApplicationRecord {
    const account = this.getAccount(accountId);
    const plan = this.getPlan(parseId(input.planId));
    const service = this.getService(plan.serviceId);
    if (service.servicePlan === 'none') {
      throw new Fake3scaleError('ERR_REFUSED', 'You cannot subscribe to that service.');
    }
    const app = this.newApplication(account, plan, input);
    this.insertApplication(app);
    return app;
  }

  /** Application Update: name, description, redirect_url, traffic dates and user_key. */
  updateApplication(
    accountId: number | undefined,
    applicationId: number | undefined,
    input: ApplicationInput,
  ): ApplicationRecord {
    const app = this.getApplication(accountId, applicationId);
    const errors = new ErrorCollector();
    if (input.userKey !== undefined) this.checkUserKey(errors, input.userKey, app.serviceId, app.id);
    if (errors.any) throw invalid(errors.errors);
    if (input.name !== undefined) app.name = input.name;
    if (input.description !== undefined) app.description = input.description;
    if (input.redirectUrl !== undefined) app.redirectUrl = input.redirectUrl;
    if (input.firstTrafficAt !== undefined) app.firstTrafficAt = input.firstTrafficAt;
    if (input.firstDailyTrafficAt !== undefined) app.firstDailyTrafficAt = input.firstDailyTrafficAt;
    if (input.userKey !== undefined) app.userKey = input.userKey;
    this.assignExtraFields(app, input.extra);
    app.updatedAt = this.now();
    return app;
  }

  /** suspend / resume / accept; an event not allowed from the current state is a 422. */
  transitionApplication(
    accountId: number | undefined,
    applicationId: number | undefined,
    event: ApplicationEvent,
  ): ApplicationRecord {
    const app = this.getApplication(accountId, applicationId);
    const transition = TRANSITIONS[event];
    if (!transition.from.includes(app.state)) {
      throw invalid({ state: [`cannot transition via "${event}"`] });
    }
    app.state = transition.to;
    app.updatedAt = this.now();
    return app;
  }

  deleteApplication(accountId: number | undefined, applicationId: number | undefined): void {
    const app = this.getApplication(accountId, applicationId);
    this.applications.delete(app.id);
  }

  /** Adds an app key (generated when none given), within the per-mode limit. */
  addKey(
    accountId: number | undefined,
    applicationId: number | undefined,
    value: string | undefined,
  ): ApplicationRecord {
    const app = this.getApplication(accountId, applicationId);
    const service = this.getService(app.serviceId);
    const errors = new ErrorCollector();
    const limit = CLIENT_SECRET_VERSIONS.has(service.backendVersion) ? MAX_CLIENT_SECRETS : MAX_APP_KEYS;
    const key = value ?? this.randomHex(16);
    if (app.keys.length >= limit) errors.add('base', 'Limit reached');
    else if (
      errors.checkString('value', key, { min: 5, max: 255, pattern: PRINTABLE_PATTERN }) &&
      // porta compares key values case-insensitively within an application.
      app.keys.some((k) => k.value.toLowerCase() === key.toLowerCase())
    ) {
      errors.add('value', MSG_TAKEN);
    }
    if (errors.any) throw invalid(errors.errors);
    const now = this.now();
    app.keys.push({ value: key, createdAt: now, updatedAt: now });
    app.updatedAt = now;
    return app;
  }

  /**
   * Removes an app key. The Admin API removes even the last key of a product that makes keys mandatory
   * (porta's `remove!` skips the check the portal makes), so the application is left without one.
   */
  removeKey(accountId: number | undefined, applicationId: number | undefined, value: string): ApplicationRecord {
    const app = this.getApplication(accountId, applicationId);
    const index = app.keys.findIndex((k) => k.value === value);
    if (index < 0) throw notFound('application key');
    app.keys.splice(index, 1);
    app.updatedAt = this.now();
    return app;
  }

  /** A JSON-ready picture of the tenant, for `GET /__fake/state`. */
  snapshot(): Record<string, unknown> {
    return {
      tenant: this.name,
      accounts: this.listAccounts().map((a) => ({
        id: a.id,
        org_name: a.orgName,
        state: a.state,
        users: this.usersOf(a.id).map((u) => ({
          id: u.id,
          username: u.username,
          email: u.email,
          role: u.role,
          state: u.state,
        })),
      })),
      services: this.listServices().map((s) => ({
        id: s.id,
        name: s.name,
        system_name: s.systemName,
        backend_version: s.backendVersion,
        state: s.state,
        plans: this.plansOf(s.id).map((p) => ({
          id: p.id,
          name: p.name,
          system_name: p.systemName,
          state: p.state,
          default: p.isDefault,
          custom: p.custom,
          approval_required: p.approvalRequired,
        })),
      })),
      applications: this.listApplications().map((a) => ({
        id: a.id,
        account_id: a.accountId,
        service_id: a.serviceId,
        plan_id: a.planId,
        state: a.state,
        name: a.name,
        description: a.description,
        user_key: a.userKey,
        application_id: a.applicationId,
        keys: a.keys.map((k) => k.value),
        extra_fields: { ...a.extraFields },
        created_at: a.createdAt.toISOString(),
      })),
    };
  }

  // ---- internals ----

  /** Builds (but does not store) an application, validating the keys the caller chose. */
  newApplication(
    account: AccountRecord,
    plan: PlanRecord,
    input: ApplicationInput & { state?: ApplicationState; keys?: string[] },
  ): ApplicationRecord {
    // Seeds may hold applications of deleted products, so this looks past the API's view.
    const service = this.services.get(plan.serviceId);
    if (!service) throw notFound('service');
    const errors = new ErrorCollector();
    if (input.userKey !== undefined) this.checkUserKey(errors, input.userKey, service.id);
    if (input.applicationId !== undefined) {
      // porta validates 4..255 although the spec text says 5.
      if (
        errors.checkString('application_id', input.applicationId, { min: 4, max: 255, pattern: PRINTABLE_PATTERN }) &&
        this.anyApplication((a) => a.serviceId === service.id && a.applicationId === input.applicationId)
      ) {
        errors.add('application_id', MSG_TAKEN);
      }
    }
    if (input.applicationKey !== undefined) {
      errors.checkString('application_key', input.applicationKey, { min: 5, max: 255, pattern: PRINTABLE_PATTERN });
    }
    if (errors.any) throw invalid(errors.errors);

    const now = this.now();
    let keyValues: string[] = [];
    if (input.keys !== undefined) keyValues = input.keys;
    else if (input.applicationKey !== undefined) keyValues = [input.applicationKey];
    else if (
      CLIENT_SECRET_VERSIONS.has(service.backendVersion) ||
      (service.backendVersion === '2' && service.mandatoryAppKey)
    ) {
      keyValues = [this.randomHex(16)];
    }
    const keys: KeyRecord[] = keyValues.map((value) => ({ value, createdAt: now, updatedAt: now }));
    const record: ApplicationRecord = {
      id: this.ids.take('application'),
      accountId: account.id,
      serviceId: service.id,
      planId: plan.id,
      state: input.state ?? (plan.approvalRequired ? 'pending' : 'live'),
      name: input.name ?? null,
      description: input.description ?? null,
      userKey:
        input.userKey ??
        this.uniqueValue(16, (v) => this.anyApplication((a) => a.serviceId === service.id && a.userKey === v)),
      providerVerificationKey: this.randomHex(16),
      applicationId:
        input.applicationId ??
        this.uniqueValue(4, (v) => this.anyApplication((a) => a.serviceId === service.id && a.applicationId === v)),
      redirectUrl: input.redirectUrl ?? null,
      firstTrafficAt: input.firstTrafficAt ?? null,
      firstDailyTrafficAt: input.firstDailyTrafficAt ?? null,
      keys,
      extraFields: {},
      createdAt: now,
      updatedAt: now,
    };
    this.assignExtraFields(record, input.extra);
    return record;
  }

  /** porta `extra_fields=`: only defined fields are kept; a field not sent keeps its value. */
  private assignExtraFields(app: ApplicationRecord, extra: Record<string, string> | undefined): void {
    if (extra === undefined) return;
    const defined = new Set(this.applicationExtraFields());
    for (const [name, value] of Object.entries(extra)) if (defined.has(name)) app.extraFields[name] = value;
  }

  /**
   * user_key rules: format, and uniqueness within the product (porta with `duplicate_user_key`, as current
   * installations run: two products may hold the same user_key).
   */
  private checkUserKey(errors: ErrorCollector, userKey: string, serviceId: number, exceptApplicationId?: number): void {
    if (!errors.checkString('user_key', userKey, { min: 1, max: 256, pattern: USER_KEY_PATTERN })) return;
    if (
      this.anyApplication((a) => a.serviceId === serviceId && a.userKey === userKey && a.id !== exceptApplicationId)
    ) {
      errors.add('user_key', MSG_TAKEN);
    }
  }

  /** Whether the API shows an application: not when its product is deleted. */
  private isShown(app: ApplicationRecord): boolean {
    return this.services.get(app.serviceId)?.state !== 'deleted';
  }

  private anyApplication(predicate: (app: ApplicationRecord) => boolean): boolean {
    for (const app of this.applications.values()) if (predicate(app)) return true;
    return false;
  }

  private uniqueValue(bytes: number, isTaken: (value: string) => boolean): string {
    for (;;) {
      const value = this.randomHex(bytes);
      if (!isTaken(value)) return value;
    }
  }
}
