/**
 * @module tenant/build-tenant
 * Turns a checked seed into a {@link Tenant}: assigns ids where the seed has none, fills 3scale's defaults
 * (proxy parameter names, generated gateway URLs, plan flags) and creates the seeded applications with
 * the same rules as the API.
 */
import { Fake3scaleError } from '../errors.js';
import { generatedServices } from '../seed/generate-services.js';
import type { Seed, SeedService } from '../seed/seed-types.js';
import { slugify, validateSeed } from '../seed/validate-seed.js';
import type { PlanRecord, ProxyRecord, ServiceRecord } from './records.js';
import { DEFAULT_SETTINGS, Tenant } from './tenant.js';

/** Tenant name used in generated gateway URLs when the seed gives none. */
export const DEFAULT_TENANT_NAME = 'fake';
/** Wildcard domain of generated gateway URLs (a reserved test domain, RFC 2606). */
export const GATEWAY_DOMAIN = 'apps.example.test';

export interface BuildTenantOptions {
  now: () => Date;
  randomHex?: (bytes: number) => string;
}

/**
 * A tenant holding everything the seed describes. The seed is checked first (throws
 * `Fake3scaleError('ERR_SEED_INVALID')` listing every problem).
 * @example const tenant = buildTenant(defaultSeed(), { now: () => new Date() });
 */
export function buildTenant(seed: Seed, options: BuildTenantOptions): Tenant {
  validateSeed(seed);
  const tenant = new Tenant({
    name: seed.tenant ?? DEFAULT_TENANT_NAME,
    now: options.now,
    settings: {
      accountApprovalRequired: seed.settings?.account_approval_required ?? DEFAULT_SETTINGS.accountApprovalRequired,
      strongPasswords: seed.settings?.strong_passwords ?? DEFAULT_SETTINGS.strongPasswords,
      servicePlansUiVisible: seed.settings?.service_plans_ui_visible ?? DEFAULT_SETTINGS.servicePlansUiVisible,
    },
    ...(options.randomHex ? { randomHex: options.randomHex } : {}),
  });
  const now = options.now();
  const seedServices = [
    ...(seed.services ?? []),
    ...generatedServices(seed.generated_services ?? 0, (seed.services?.length ?? 0) + 1),
  ];

  // Explicit ids first, so generated ones never collide with a later explicit one.
  for (const s of seedServices) {
    if (s.id !== undefined) tenant.ids.reserve('service', s.id);
    for (const p of s.plans ?? []) if (p.id !== undefined) tenant.ids.reserve('plan', p.id);
  }
  for (const a of seed.accounts ?? []) {
    if (a.id !== undefined) tenant.ids.reserve('account', a.id);
    for (const u of a.users) if (u.id !== undefined) tenant.ids.reserve('user', u.id);
  }
  for (const a of seed.applications ?? []) if (a.id !== undefined) tenant.ids.reserve('application', a.id);

  const systemNames = new Set<string>();
  for (const s of seedServices) {
    const service = serviceRecord(tenant, s, now);
    if (systemNames.has(service.systemName)) {
      throw new Fake3scaleError('ERR_SEED_INVALID', `invalid seed: system_name "${service.systemName}" is used twice`, {
        problems: [`system_name "${service.systemName}" is used twice`],
      });
    }
    systemNames.add(service.systemName);
    tenant.insertService(service, proxyRecord(tenant, s, service, now));
    for (const p of s.plans ?? []) {
      const plan: PlanRecord = {
        id: p.id ?? tenant.ids.take('plan'),
        serviceId: service.id,
        name: p.name,
        systemName: p.system_name ?? slugify(p.name),
        state: p.state ?? 'published',
        setupFee: p.setup_fee ?? 0,
        costPerMonth: p.cost_per_month ?? 0,
        trialPeriodDays: p.trial_period_days === undefined ? 0 : p.trial_period_days,
        cancellationPeriod: 0,
        approvalRequired: p.approval_required ?? false,
        isDefault: p.default ?? false,
        custom: p.custom ?? false,
        createdAt: now,
        updatedAt: now,
      };
      tenant.insertPlan(plan);
    }
  }

  for (const a of seed.accounts ?? []) {
    const account = {
      id: a.id ?? tenant.ids.take('account'),
      orgName: a.org_name,
      state: a.state ?? 'approved',
      createdAt: now,
      updatedAt: now,
    };
    tenant.insertAccount(account);
    a.users.forEach((u, index) => {
      tenant.insertUser({
        id: u.id ?? tenant.ids.take('user'),
        accountId: account.id,
        username: u.username,
        email: u.email,
        role: u.role ?? (index === 0 ? 'admin' : 'member'),
        state: u.state ?? 'active',
        createdAt: now,
        updatedAt: now,
      });
    });
  }

  (seed.applications ?? []).forEach((a, index) => {
    const where = `seed.applications[${index}]`;
    const user = tenant.userByUsername(a.account);
    const service = tenant.allServices().find((s) => s.systemName === a.service);
    if (!user || !service) throw seedProblem(`${where}: unknown account or service`);
    const plans = tenant.anyPlansOf(service.id);
    const plan = a.plan === undefined ? plans.find((p) => p.isDefault) : plans.find((p) => p.systemName === a.plan);
    if (!plan)
      throw seedProblem(
        `${where}: service "${a.service}" has no ${a.plan === undefined ? 'default plan' : `plan "${a.plan}"`}`,
      );
    try {
      const app = tenant.newApplication(tenant.getAccount(user.accountId), plan, {
        name: a.name,
        description: a.description,
        userKey: a.user_key,
        applicationId: a.application_id,
        ...(a.state ? { state: a.state } : {}),
        ...(a.keys ? { keys: a.keys } : {}),
      });
      if (a.id !== undefined) app.id = a.id;
      tenant.insertApplication(app);
    } catch (error) {
      throw seedProblem(
        `${where}: ${JSON.stringify((error as Fake3scaleError).fieldErrors ?? (error as Error).message)}`,
      );
    }
  });
  return tenant;
}

function seedProblem(problem: string): Fake3scaleError {
  return new Fake3scaleError('ERR_SEED_INVALID', `invalid seed: ${problem}`, { problems: [problem] });
}

function serviceRecord(tenant: Tenant, s: SeedService, now: Date): ServiceRecord {
  return {
    id: s.id ?? tenant.ids.take('service'),
    name: s.name,
    systemName: s.system_name ?? slugify(s.name),
    state: s.state ?? 'incomplete',
    backendVersion: s.backend_version,
    deploymentOption: s.deployment_option ?? 'hosted',
    description: s.description ?? null,
    supportEmail: s.support_email ?? null,
    mandatoryAppKey: s.mandatory_app_key ?? true,
    servicePlan: s.service_plan ?? 'default',
    metricId: tenant.ids.take('metric'),
    oidcConfigurationId: tenant.ids.take('oidcConfiguration'),
    createdAt: now,
    updatedAt: now,
  };
}

function proxyRecord(tenant: Tenant, s: SeedService, service: ServiceRecord, now: Date): ProxyRecord {
  const p = s.proxy ?? {};
  // Hosted products get generated Public Base URLs from 3scale's templates; self-managed ones get no
  // production URL, so `endpoint` is omitted from their JSON.
  const generated = (env: 'production' | 'staging') =>
    `https://${service.systemName}-${tenant.name}-apicast-${env}.${GATEWAY_DOMAIN}:443`;
  const endpoint =
    p.endpoint !== undefined ? p.endpoint : service.deploymentOption === 'hosted' ? generated('production') : null;
  const sandbox = p.sandbox_endpoint !== undefined ? p.sandbox_endpoint : generated('staging');
  const oidc = service.backendVersion === 'oidc';
  return {
    serviceId: service.id,
    endpoint,
    sandboxEndpoint: sandbox,
    apiBackend: p.api_backend ?? null,
    credentialsLocation: p.credentials_location ?? 'query',
    authUserKey: p.auth_user_key ?? 'user_key',
    authAppId: p.auth_app_id ?? 'app_id',
    authAppKey: p.auth_app_key ?? 'app_key',
    secretToken: `Shared_secret_sent_from_proxy_to_API_backend_${tenant.hex(8)}`,
    oidcIssuerEndpoint: oidc ? (p.oidc_issuer_endpoint ?? null) : null,
    oidcIssuerType: oidc ? (p.oidc_issuer_type ?? 'keycloak') : null,
    jwtClaimWithClientId: oidc ? (p.jwt_claim_with_client_id ?? null) : null,
    jwtClaimWithClientIdType: oidc ? (p.jwt_claim_with_client_id_type ?? null) : null,
    lockVersion: 1,
    createdAt: now,
    updatedAt: now,
  };
}
