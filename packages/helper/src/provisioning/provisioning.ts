/**
 * @module provisioning/provisioning
 * The business rules of self-service keys: which services a user sees and whether they hold a key, and
 * getting a key — creating the account on first use, reusing an existing application, choosing the plan,
 * and never creating two applications for one (user, service), however many requests race.
 * It talks only to the `ApiManager` and `LockService` ports.
 */
import type { Account, ApiManager, ApiService, Application, Identity, ServicePlan } from '../apim/api-manager.js';
import { MlaasError } from '../errors/mlaas-error.js';
import type { LockService } from '../state/shared-state.js';
import { NO_ORIGIN, type AuditTrail, type RequestOrigin } from '../audit/audit-log.js';
import { choosePlan } from './choose-plan.js';
import { expiryFor, isExpired } from './key-expiry.js';

/** How long a provisioning lock may be held before it is considered abandoned. */
export const LOCK_TTL_MS = 30_000;

/** Names the service to get a key for: by id (or system name), or by display name. */
export type ServiceSelector = { id: string } | { name: string };

/** A service and the user's application on it, if any. */
export interface ServiceView {
  service: ApiService;
  application: Application | null;
}

export interface ServiceListing {
  account: Account | null;
  services: ServiceView[];
}

/** The result of getting a key. */
export interface KeyGrant {
  apiKey: string;
  appId: string | null;
  service: ApiService;
  plan: { id: string; name: string };
  /** True when this call created the key (a first key, or one replacing an expired key). */
  isNew: boolean;
  account: Account;
  /** When the key expires; null = never. */
  expiresAt: Date | null;
}

export interface ProvisioningOptions {
  apiManager: ApiManager;
  locks: LockService;
  /** Create a developer account on the first `init` of a user who has none. */
  autoCreateAccounts: boolean;
  /** Days a new key lives unless its service says otherwise; 0 = never expires. */
  keyTtlDays?: number;
  /** Where key events are recorded; none when absent. */
  audit?: AuditTrail;
  now?: () => Date;
}

export interface Provisioning {
  listServices(identity: Identity): Promise<ServiceListing>;
  initServiceKey(identity: Identity, selector: ServiceSelector, origin?: RequestOrigin): Promise<KeyGrant>;
}

export const FRESH = { fresh: true } as const;

/** Order in which an existing application is preferred for reuse. */
const REUSE_ORDER: Record<Application['state'], number> = { live: 0, pending: 1, suspended: 2 };

/**
 * Creates the provisioning core.
 * @example const provisioning = createProvisioning({ apiManager, locks, autoCreateAccounts: true });
 *          const grant = await provisioning.initServiceKey(identity, { id: 'sentiment-analysis' });
 */
export function createProvisioning(options: ProvisioningOptions): Provisioning {
  const { apiManager, locks } = options;
  const now = options.now ?? (() => new Date());
  const ttlDays = options.keyTtlDays ?? 0;

  async function recordIssued(identity: Identity, grant: KeyGrant, application: Application, origin: RequestOrigin) {
    await options.audit?.record({
      event: 'issued',
      outcome: 'success',
      userId: identity.userId,
      subject: identity.subject,
      serviceId: grant.service.id,
      keyPreview: application.keyPreview,
      origin,
      detail: grant.expiresAt === null ? null : `expires ${grant.expiresAt.toISOString()}`,
      at: now(),
    });
  }

  /** The user's account, read fresh (keys are decided on it), created on first use when allowed. */
  async function ensureAccount(identity: Identity): Promise<Account> {
    const existing = await apiManager.findAccount(lookupIdentity(identity), FRESH);
    if (existing !== null) return existing;
    if (!options.autoCreateAccounts) {
      throw new MlaasError(
        'ACCOUNT_NOT_FOUND',
        'You have no developer account yet; ask an administrator to create one.',
      );
    }
    // Two first requests of one user must not create two accounts.
    return locks.withLock(`account:${identity.userId}`, LOCK_TTL_MS, async () => {
      return (await apiManager.findAccount(lookupIdentity(identity), FRESH)) ?? apiManager.createAccount(identity);
    });
  }

  async function provision(
    identity: Identity,
    account: Account,
    service: ApiService,
    origin: RequestOrigin,
  ): Promise<KeyGrant> {
    // Under the lock, read past any cache: another replica may have created the key a moment ago.
    const current = pickApplication(await apiManager.listApplications(account.id, FRESH), service.id);
    if (current !== null && current.state !== 'suspended' && isExpired(current, now())) {
      // An expired key is replaced at once (no grace: it is already refused), and the caller gets the new one.
      const at = now();
      const { application } = await apiManager.rotateKey({
        application: current,
        graceUntil: at,
        expiresAt: expiryFor(service, ttlDays, at),
        now: at,
      });
      const renewed = grant(
        application,
        service,
        { id: application.planId, name: application.planName },
        account,
        true,
      );
      await recordIssued(identity, renewed, application, origin);
      return renewed;
    }
    if (current !== null) return reuse(current, service, account);

    const plans = await apiManager.listPlans(service.id);
    const plan = choosePlan(plans);
    if (plan === null) {
      throw new MlaasError(
        'NO_PLANS_FOUND',
        `"${service.name}" offers no plan for self-service keys; ask its owners to publish one.`,
      );
    }
    const application = await apiManager.createApplication({
      account,
      service,
      plan,
      name: `mlaas-${identity.userId}-${service.systemName}`,
      description: `Created by MLaaS for ${identity.userId} on ${now().toISOString().slice(0, 10)}.`,
      expiresAt: expiryFor(service, ttlDays, now()),
    });
    const created = grant(application, service, plan, account, true);
    await recordIssued(identity, created, application, origin);
    return created;
  }

  return {
    async listServices(identity) {
      // The user's applications are fetched as soon as the account is known, alongside the catalog.
      const accountAndApplications = apiManager.findAccount(lookupIdentity(identity)).then(async (account) => ({
        account,
        applications: account === null ? [] : await apiManager.listApplications(account.id),
      }));
      const [{ account, applications }, services] = await Promise.all([
        accountAndApplications,
        apiManager.listServices(),
      ]);
      return {
        account,
        services: services.map((service) => ({ service, application: pickApplication(applications, service.id) })),
      };
    },

    async initServiceKey(identity, selector, origin = NO_ORIGIN) {
      const service = findService(await apiManager.listServices(), selector);
      const account = await ensureAccount(identity);
      if (account.state !== 'approved') {
        throw new MlaasError(
          'FORBIDDEN',
          `Your developer account is ${account.state}; ask an administrator to approve it.`,
        );
      }
      // Fast path without the lock: a key that already exists is simply returned. Decisions about keys are
      // made on fresh reads only; cached ones serve the list.
      const existing = pickApplication(await apiManager.listApplications(account.id, FRESH), service.id);
      if (existing !== null && !isExpired(existing, now())) return reuse(existing, service, account);
      return locks.withLock(applicationLock(account.id, service.id), LOCK_TTL_MS, () =>
        provision(identity, account, service, origin),
      );
    },
  };
}

/**
 * The identity accounts are looked up by: the email may find an account only when the issuer verified it —
 * otherwise anyone who can set their own email at the issuer could reach another person's keys.
 */
export function lookupIdentity(identity: Identity): Identity {
  return identity.emailVerified ? identity : { ...identity, email: null };
}

/** The lock every change of one account's key on one service takes, on every replica. */
export function applicationLock(accountId: string, serviceId: string): string {
  return `application:${accountId}:${serviceId}`;
}

export function findService(services: readonly ApiService[], selector: ServiceSelector): ApiService {
  if ('id' in selector) {
    const found = services.find((s) => s.id === selector.id) ?? services.find((s) => s.systemName === selector.id);
    if (found !== undefined) return found;
    throw new MlaasError('SERVICE_NOT_FOUND', `No ML service has the id "${selector.id}".`);
  }
  const exact = services.filter((s) => s.name === selector.name);
  const matches =
    exact.length > 0 ? exact : services.filter((s) => s.name.toLowerCase() === selector.name.toLowerCase());
  if (matches.length === 1) return matches[0] as ApiService;
  if (matches.length > 1) {
    throw new MlaasError(
      'SERVICE_NOT_FOUND',
      `Several ML services are named "${selector.name}"; use an id: ${matches.map((s) => s.id).join(', ')}.`,
    );
  }
  throw new MlaasError('SERVICE_NOT_FOUND', `No ML service is named "${selector.name}".`);
}

/** The user's application on a service: live before pending before suspended, then the oldest. */
export function pickApplication(applications: readonly Application[], serviceId: string): Application | null {
  let best: Application | null = null;
  for (const app of applications) {
    if (app.serviceId !== serviceId) continue;
    if (best === null || REUSE_ORDER[app.state] < REUSE_ORDER[best.state]) best = app;
  }
  return best;
}

function reuse(application: Application, service: ApiService, account: Account): KeyGrant {
  if (application.state === 'suspended') {
    throw new MlaasError(
      'FORBIDDEN',
      `Your key for "${service.name}" is suspended; ask an administrator to resume it.`,
    );
  }
  return grant(application, service, { id: application.planId, name: application.planName }, account, false);
}

function grant(
  application: Application,
  service: ApiService,
  plan: Pick<ServicePlan, 'id' | 'name'>,
  account: Account,
  isNew: boolean,
): KeyGrant {
  return {
    apiKey: application.apiKey,
    appId: application.appId,
    service,
    plan: { id: plan.id, name: plan.name },
    isNew,
    account,
    expiresAt: application.expiresAt ?? null,
  };
}
