/**
 * @module provisioning/provisioning
 * The business rules of self-service keys: which services a user sees and whether they hold a key, and
 * getting a key — creating the account on first use, reusing an existing application, choosing the plan,
 * and ending with one application and one key for one (user, service), however many requests race.
 * Locks keep racing creates rare and cheap; after every create the pair is converged on its oldest
 * application, so even two creates that slipped past a lost lock answer every caller with the same key.
 * It talks only to the `ApiManager` and `LockService` ports.
 *
 * Round trips of a first key (3scale, an account that exists): the account (fresh), the pair's applications
 * (fresh) with the plans alongside, the create, and the convergence read — four. The read under the lock is
 * skipped when the lock's mark says nobody took the lock since before the fast-path read: then nobody held it
 * during or after that read, and every create of the pair happens under it (a create that slipped past a lost
 * lock is caught by the convergence read, as always). A new user adds the signup, with the account re-read
 * under its lock skipped the same way.
 *
 * Why the convergence read stays after every create, rather than only when the holder finds its lock lost:
 * a holder that kept its lock cannot see that another holder lost its own (a failover that dropped the other's
 * take, a lease that ran out under a stalled process). That other holder's create may land first; it converges
 * on the oldest application, its own, and removes the newer one — which the first holder would already have
 * handed out. Only a read after the create tells every creator which application survives.
 */
import type { Account, ApiManager, ApiService, Application, Identity, ServicePlan } from '../apim/api-manager.js';
import { HelperError } from '../errors/helper-error.js';
import type { ServiceSelector } from '@mlaas/contract';
import type { LockMark, LockService } from '../state/shared-state.js';
import { createSingleFlight } from '../state/single-flight.js';
import { NO_ORIGIN, type AuditTrail, type RequestOrigin } from '../audit/audit-log.js';
import { planFor, planMove } from './choose-plan.js';
import {
  assertEntitled,
  entitlementOf,
  hasTiers,
  tierMayDiffer,
  type Entitlement,
} from '../entitlements/entitlement.js';
import type { EntitlementPolicy } from '../entitlements/policy.js';
import { compareApplicationIds, convergeApplications, type DuplicateEvent } from './converge.js';
import { expiryFor, isExpired } from './key-expiry.js';

/**
 * The lease of a provisioning lock: its holder renews it while it works, and a holder that died loses it
 * this long after its last renewal, so its waiters take over within a few seconds.
 */
export const LOCK_LEASE_MS = 3_000;

/** A service and the user's application on it, if any. */
export interface ServiceView {
  service: ApiService;
  application: Application | null;
  /** Present in the `all` view under a policy: whether the caller may hold a key, and what grants it. */
  entitlement?: Entitlement;
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
  /** True when the key is new to the person (a first key, one replacing an expired key, or one made with a new account). */
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
  /** Told of every duplicate application found after a create, and whether it was removed. */
  onDuplicate?: (event: DuplicateEvent) => void;
  /** Who may hold keys of which service, and tiers; null or absent = everyone, every service. */
  entitlements?: EntitlementPolicy | null;
}

/** How the list is asked for. */
export interface ListOptions {
  /** Also the services the caller is not entitled to, marked with what would grant them. */
  all?: boolean;
}

export interface Provisioning {
  listServices(identity: Identity, view?: ListOptions): Promise<ServiceListing>;
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
  // Concurrent requests of one user (or one pair) in this process share one lookup and one lock wait.
  const accountFlights = createSingleFlight<{ account: Account; created: boolean }>();
  const keyFlights = createSingleFlight<KeyGrant>();
  const ttlDays = options.keyTtlDays ?? 0;
  const policy = options.entitlements ?? null;

  /**
   * An application made for an earlier person with the same user id (deleted and recreated in the identity
   * provider) is not the caller's: it is replaced, never handed out.
   */
  const belongsToOther = (application: Application, identity: Identity) =>
    application.subject !== undefined && application.subject !== null && application.subject !== identity.subject;

  /** Moves the application to the plan the caller's tier gives now (3scale change_plan), when that changed. */
  async function followTier(identity: Identity, service: ApiService, application: Application): Promise<Application> {
    if (!hasTiers(policy, service) || application.state === 'suspended') return application;
    const target = planMove(policy, service, identity, await apiManager.listPlans(service.id), application.planId);
    if (target === null) return application;
    await apiManager.changePlan(application.accountId, application.id, target.id);
    // The key is handed out next anyway, so reading it here (a backend may decrypt it on read) costs nothing.
    return { ...application, apiKey: application.apiKey, planId: target.id, planName: target.name };
  }

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

  /**
   * The user's account, read fresh (keys are decided on it), created on first use when allowed. `created` says
   * this call made it: a backend may subscribe a new account as it creates it (3scale's signup makes an
   * application on every default plan), and such a key is still new to the person.
   */
  async function ensureAccount(identity: Identity): Promise<{ account: Account; created: boolean }> {
    const who = lookupIdentity(identity);
    const flight = await accountFlights.run(`${identity.userId}\u0000${who.email ?? ''}`, async () => {
      const lockKey = `account:${identity.userId}`;
      // Taken before the read: if nobody takes the lock in between, the read is still current under it.
      const mark = await locks.mark(lockKey);
      const existing = await apiManager.findAccount(who, FRESH);
      if (existing !== null) return { account: existing, created: false };
      if (!options.autoCreateAccounts) {
        throw new HelperError(
          'ACCOUNT_NOT_FOUND',
          'You have no developer account yet; ask an administrator to create one.',
        );
      }
      // Two first requests of one user must not create two accounts; a waiter looks again when the lock frees.
      const notCreated = (account: Account | null) => (account === null ? null : { account, created: false });
      return locks.withLock(
        lockKey,
        LOCK_LEASE_MS,
        async (held) =>
          (held.untouchedSinceMark ? null : notCreated(await apiManager.findAccount(who, FRESH))) ?? {
            account: await apiManager.createAccount(identity),
            created: true,
          },
        { recheck: async () => notCreated(await apiManager.findAccount(who, FRESH)), mark },
      );
    });
    // Only one caller created the account; the ones that joined it did not.
    return flight.shared ? { ...flight.value, created: false } : flight.value;
  }

  /** The application of the pair, read fresh, as a grant; null when there is none yet. */
  async function existingGrant(
    identity: Identity,
    account: Account,
    service: ApiService,
    accountCreated = false,
  ): Promise<KeyGrant | null> {
    return grantOf(identity, await currentApplication(account, service), account, service, accountCreated);
  }

  /** The pair's application, read fresh (with its key; the account's other applications need none). */
  async function currentApplication(account: Account, service: ApiService): Promise<Application | null> {
    const read = { fresh: true, keys: { serviceId: service.id } };
    return pickApplication(await apiManager.listApplications(account.id, read), service.id);
  }

  /** A read application as a grant; null when there is none to hand out (none, expired, an earlier holder's). */
  async function grantOf(
    identity: Identity,
    current: Application | null,
    account: Account,
    service: ApiService,
    accountCreated: boolean,
  ): Promise<KeyGrant | null> {
    if (current === null || belongsToOther(current, identity)) return null;
    if (current.state !== 'suspended' && isExpired(current, now())) return null;
    return reuse(await followTier(identity, service, current), service, account, accountCreated);
  }

  /** Stops the keys an earlier holder of this user id left on the service, recording each as revoked. */
  async function revokeEarlierHolder(identity: Identity, account: Account, service: ApiService, origin: RequestOrigin) {
    const previews = await apiManager.revokeKeys(account.id, service.id, now());
    for (const keyPreview of previews) {
      await options.audit?.record({
        event: 'revoked',
        outcome: 'success',
        userId: identity.userId,
        subject: identity.subject,
        serviceId: service.id,
        keyPreview,
        origin,
        detail: 'made for an earlier person with this user id',
        at: now(),
      });
    }
  }

  /**
   * Under the lock. `seen` is the fast-path read when it is known to be still current (nobody took the lock
   * since before it was made); otherwise the pair is read again, past any cache: another replica may have
   * created the key a moment ago. `plans` is the plan list, already asked for alongside the fast-path read.
   */
  async function provision(
    identity: Identity,
    account: Account,
    service: ApiService,
    accountCreated: boolean,
    origin: RequestOrigin,
    seen: { current: Application | null } | null,
    plans: Promise<ServicePlan[]>,
  ): Promise<KeyGrant> {
    let current = seen !== null ? seen.current : await currentApplication(account, service);
    if (current !== null && belongsToOther(current, identity)) {
      await revokeEarlierHolder(identity, account, service, origin);
      current = null;
    }
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
    if (current !== null) return reuse(await followTier(identity, service, current), service, account, accountCreated);

    const plan = planFor(policy, service, identity, await plans);
    if (plan === null) {
      throw new HelperError(
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
      subject: identity.subject,
    });
    // The lock may have been lost while the create ran (Redis restarted empty, failed over, or the lease ran
    // out), letting another create in. Before answering, look again: the oldest application of the pair
    // survives, newer ones are removed, and only the survivor's key is ever handed out.
    const { survivor } = await convergeApplications(apiManager, account.id, service.id, {
      ...(options.onDuplicate !== undefined ? { onDuplicate: options.onDuplicate } : {}),
      own: application,
    }).catch((error: unknown) => {
      throw new HelperError(
        'UPSTREAM_UNAVAILABLE',
        'Your key was created but could not be confirmed yet; try again shortly.',
        { cause: error, retryAfterSeconds: 2 },
      );
    });
    if (survivor === null) {
      throw new HelperError(
        'UPSTREAM_UNAVAILABLE',
        'Your key was removed while it was being created; try again shortly.',
        { retryAfterSeconds: 2 },
      );
    }
    if (survivor.id === application.id) {
      const created = grant(application, service, plan, account, true);
      await recordIssued(identity, created, application, origin);
      return created;
    }
    return reuse(survivor, service, account, false);
  }

  return {
    async listServices(identity, view = {}) {
      // The user's applications are fetched as soon as the account is known, alongside the catalog.
      const accountAndApplications = apiManager.findAccount(lookupIdentity(identity)).then(async (account) => ({
        account,
        applications: account === null ? [] : await apiManager.listApplications(account.id),
      }));
      const [{ account, applications }, services] = await Promise.all([
        accountAndApplications,
        apiManager.listServices(),
      ]);
      if (policy === null) {
        return {
          account,
          services: services.map((service) => ({ service, application: pickApplication(applications, service.id) })),
        };
      }
      const views: ServiceView[] = [];
      for (const service of services) {
        const entitlement = entitlementOf(policy, service, identity);
        if (!entitlement.entitled && view.all !== true) continue;
        let application = pickApplication(applications, service.id);
        // A tier change moves the key to its new plan on the person's next list too; a failure leaves it for
        // the next request or the reconcile loop, never failing the list.
        if (application !== null && entitlement.entitled && tierMayDiffer(policy, service, identity, application)) {
          const current = application;
          application = await followTier(identity, service, current).catch(() => current);
        }
        views.push(view.all === true ? { service, application, entitlement } : { service, application });
      }
      return { account, services: views };
    },

    async initServiceKey(identity, selector, origin = NO_ORIGIN) {
      const service = findService(await apiManager.listServices(), selector);
      assertEntitled(policy, service, identity);
      const { account, created } = await ensureAccount(identity);
      if (account.state !== 'approved') {
        // `created` is 3scale's word for a signup not yet activated: to the user it is awaiting approval too.
        const state = account.state === 'created' || account.state === 'pending' ? 'awaiting approval' : account.state;
        throw new HelperError('FORBIDDEN', `Your developer account is ${state}; ask an administrator to approve it.`);
      }
      const flight = await keyFlights.run(`${account.id}\u0000${service.id}`, async () => {
        const lockKey = applicationLock(account.id, service.id);
        // Taken before the fast-path read: if nobody takes the lock in between, that read is still current.
        const mark: LockMark | null = await locks.mark(lockKey);
        // The plans are asked for alongside (cached after the first), so a create does not wait for them.
        const plans = apiManager.listPlans(service.id);
        plans.catch(() => {
          // Reported by the create path, the only one that uses them.
        });
        // Fast path without the lock: a key that already exists is simply returned. Decisions about keys are
        // made on fresh reads only; cached ones serve the list.
        const current = await currentApplication(account, service);
        const existing = await grantOf(identity, current, account, service, created);
        if (existing !== null) return existing;
        // Waiters look at the store again whenever the lock frees or its holder's lease runs out.
        return locks.withLock(
          lockKey,
          LOCK_LEASE_MS,
          (held) =>
            provision(identity, account, service, created, origin, held.untouchedSinceMark ? { current } : null, plans),
          { recheck: () => existingGrant(identity, account, service, created), mark },
        );
      });
      // Only one caller created the application; the ones that joined it did not.
      return flight.shared ? { ...flight.value, isNew: false } : flight.value;
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
    throw new HelperError('SERVICE_NOT_FOUND', `No ML service has the id "${selector.id}".`);
  }
  const exact = services.filter((s) => s.name === selector.name);
  const matches =
    exact.length > 0 ? exact : services.filter((s) => s.name.toLowerCase() === selector.name.toLowerCase());
  if (matches.length === 1) return matches[0] as ApiService;
  if (matches.length > 1) {
    throw new HelperError(
      'SERVICE_NOT_FOUND',
      `Several ML services are named "${selector.name}"; use an id: ${matches.map((s) => s.id).join(', ')}.`,
    );
  }
  throw new HelperError('SERVICE_NOT_FOUND', `No ML service is named "${selector.name}".`);
}

/**
 * The user's application on a service: live before pending before suspended, then the oldest (lowest id) —
 * the one convergence keeps.
 */
export function pickApplication(applications: readonly Application[], serviceId: string): Application | null {
  let best: Application | null = null;
  for (const app of applications) {
    if (app.serviceId !== serviceId) continue;
    if (
      best === null ||
      REUSE_ORDER[app.state] < REUSE_ORDER[best.state] ||
      (REUSE_ORDER[app.state] === REUSE_ORDER[best.state] && compareApplicationIds(app.id, best.id) < 0)
    )
      best = app;
  }
  return best;
}

function reuse(application: Application, service: ApiService, account: Account, isNew: boolean): KeyGrant {
  if (application.state === 'suspended') {
    throw new HelperError(
      'FORBIDDEN',
      `Your key for "${service.name}" is suspended; ask an administrator to resume it.`,
    );
  }
  return grant(application, service, { id: application.planId, name: application.planName }, account, isNew);
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
