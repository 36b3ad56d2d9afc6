/**
 * @module provisioning/key-lifecycle
 * What a person can do with a key after getting it: see their keys, rotate a key with a grace period, revoke
 * their keys on a service, and read the history of their key events.
 *
 * Rotating again during a grace period ends the key already in grace at once; the key being replaced becomes
 * the one in grace. So at most two keys of a person work on a service at any moment: the current one, and
 * the one replaced last while its grace lasts.
 *
 * Concurrent rotations of one key produce one new key: each rotation notes the key it saw, takes the
 * application lock (shared across replicas), and rotates only if the key is still the one it saw; otherwise
 * it returns the key the other rotation made. Back ends check the same condition in their own write.
 *
 * Round trips (3scale): the account is looked up fresh; when its id is known from earlier (`knownAccountId`:
 * this process's lookups, and with Redis every replica's), its applications (with the keys of the one service
 * only) are read alongside that lookup, and used only if the lookup confirms the id — an account id never
 * changes, so a stale one at worst costs the read again.
 * A lock mark taken before that read lets the holder skip reading again under the lock when nobody took the
 * lock since; and the back end writes on the application object of that fresh read (`current`) instead of
 * reading it once more. A revocation deletes on a read made alongside the fresh lookup, once it confirms.
 *
 * Revoking needs no entitlement: a person who lost access to a service can still stop their own key there.
 */
import type { Account, ApiManager, ApiService, Application, Identity, KeyRecord } from '../apim/api-manager.js';
import type { AuditStore, AuditTrail, KeyEvent, RequestOrigin } from '../audit/audit-log.js';
import { HelperError, isHelperError } from '../errors/helper-error.js';
import type { LockMark, LockService } from '../state/shared-state.js';
import { expiryFor } from './key-expiry.js';
import { assertEntitled } from '../entitlements/entitlement.js';
import type { EntitlementPolicy } from '../entitlements/policy.js';
import { FRESH, LOCK_LEASE_MS, applicationLock, findService, lookupIdentity, pickApplication } from './provisioning.js';

export interface KeyLifecycleOptions {
  apiManager: ApiManager;
  locks: LockService;
  audit: AuditTrail;
  history: AuditStore;
  /** Days a new key lives unless its service says otherwise; 0 = never. */
  keyTtlDays: number;
  grace: { defaultSeconds: number; maxSeconds: number };
  /** Who may hold keys of which service; rotating a key of another answers NOT_ENTITLED (revoking is allowed). */
  entitlements?: EntitlementPolicy | null;
  now?: () => Date;
}

export interface Rotation {
  service: ApiService;
  application: Application;
  /** False when a concurrent rotation had already replaced the key. */
  rotated: boolean;
  previous: { keyPreview: string; validUntil: Date };
}

export interface Revocation {
  service: ApiService;
  keyPreviews: string[];
}

export interface KeyLifecycle {
  listKeys(identity: Identity): Promise<KeyRecord[]>;
  rotateKey(
    identity: Identity,
    serviceId: string,
    graceSeconds: number | undefined,
    origin: RequestOrigin,
  ): Promise<Rotation>;
  revokeKeys(identity: Identity, serviceId: string, origin: RequestOrigin): Promise<Revocation>;
  history(identity: Identity, page: { limit: number; before?: number }): Promise<KeyEvent[]>;
  /** The longest grace period a rotation may ask for, in seconds. */
  maxGraceSeconds(): number;
}

/**
 * Creates the key lifecycle core.
 * @example const lifecycle = createKeyLifecycle({ apiManager, locks, audit, history, keyTtlDays: 0,
 *            grace: { defaultSeconds: 86_400, maxSeconds: 604_800 } });
 */
export function createKeyLifecycle(options: KeyLifecycleOptions): KeyLifecycle {
  const { apiManager, locks, audit } = options;
  const now = options.now ?? (() => new Date());
  const maxGraceSeconds = () => Math.min(options.grace.maxSeconds, apiManager.maxGraceSeconds());

  async function accountOf(identity: Identity): Promise<Account | null> {
    return apiManager.findAccount(lookupIdentity(identity), FRESH);
  }

  /** A fresh read of the account's applications, with the keys of the one service. */
  const freshWithKeys = (service: ApiService) => ({ fresh: true, keys: { serviceId: service.id } });

  async function currentKey(account: Account | null, service: ApiService): Promise<Application> {
    const application =
      account === null
        ? null
        : pickApplication(await apiManager.listApplications(account.id, freshWithKeys(service)), service.id);
    return found(application, service);
  }

  function found(application: Application | null, service: ApiService): Application {
    if (application === null) {
      throw new HelperError(
        'KEY_NOT_FOUND',
        `You have no key for "${service.name}"; get one with: mlaas services init ${service.id}.`,
      );
    }
    return application;
  }

  function checkGrace(requested: number | undefined): number {
    const max = maxGraceSeconds();
    if (requested === undefined) return Math.min(options.grace.defaultSeconds, max);
    if (!Number.isSafeInteger(requested) || requested < 0 || requested > max) {
      throw new HelperError('VALIDATION_ERROR', `grace_seconds must be between 0 and ${max}.`, {
        details: [{ field: 'grace_seconds', problem: `must be between 0 and ${max}` }],
      });
    }
    return requested;
  }

  /**
   * The account (looked up fresh) and its application on the service (read fresh), with a lock mark taken
   * before that read. With an account id known from a moment ago, the read runs alongside the lookup.
   */
  async function freshRead(
    identity: Identity,
    service: ApiService,
  ): Promise<{ account: Account | null; seen: Application | null; mark: LockMark | null }> {
    const lookup = accountOf(identity);
    lookup.catch(() => undefined);
    const hint = (await apiManager.knownAccountId?.(lookupIdentity(identity))) ?? null;
    if (hint !== null) {
      const mark = await locks.mark(applicationLock(hint, service.id));
      // A read of the hinted account that fails matters only if the lookup confirms it: then it is read again.
      const [account, applications] = await Promise.all([
        lookup,
        apiManager.listApplications(hint, freshWithKeys(service)).catch(() => null),
      ]);
      if (account === null) return { account, seen: null, mark: null };
      if (account.id === hint && applications !== null) {
        return { account, seen: pickApplication(applications, service.id), mark };
      }
    }
    const account = await lookup;
    if (account === null) return { account, seen: null, mark: null };
    const mark = await locks.mark(applicationLock(account.id, service.id));
    const applications = await apiManager.listApplications(account.id, freshWithKeys(service));
    return { account, seen: pickApplication(applications, service.id), mark };
  }

  /**
   * Stops every key of the person on the service, under the application lock. With an account id known from
   * a moment ago, the back end reads alongside the fresh lookup and deletes only once the lookup confirms it.
   */
  async function revokeAll(identity: Identity, service: ApiService): Promise<string[]> {
    const lookup = accountOf(identity);
    lookup.catch(() => undefined);
    const hint = (await apiManager.knownAccountId?.(lookupIdentity(identity))) ?? null;
    if (hint !== null) {
      const confirm = lookup.then((account) => account !== null && account.id === hint);
      confirm.catch(() => undefined);
      const previews = await locks
        .withLock(applicationLock(hint, service.id), LOCK_LEASE_MS, () =>
          apiManager.revokeKeys(hint, service.id, now(), { confirm }),
        )
        .catch(async (error: unknown) => {
          // A failure while the hint was being read does not matter when the hint was not the caller's account.
          const account = await lookup.catch(() => null);
          if (account !== null && account.id !== hint) return null;
          throw error;
        });
      const account = await lookup;
      if (account === null || (account.id === hint && previews !== null)) return previews ?? [];
    }
    const account = await lookup;
    if (account === null) return [];
    return locks.withLock(applicationLock(account.id, service.id), LOCK_LEASE_MS, () =>
      apiManager.revokeKeys(account.id, service.id, now()),
    );
  }

  async function recordFailure(
    event: 'rotated' | 'revoked',
    identity: Identity,
    serviceId: string,
    origin: RequestOrigin,
    error: unknown,
  ): Promise<void> {
    await audit.record({
      event,
      outcome: 'failure',
      userId: identity.userId,
      subject: identity.subject,
      serviceId,
      keyPreview: null,
      origin,
      detail: isHelperError(error) ? error.code : 'INTERNAL_ERROR',
      at: now(),
    });
  }

  async function rotate(identity: Identity, serviceId: string, requested: number | undefined): Promise<Rotation> {
    const service = findService(await apiManager.listServices(), { id: serviceId });
    assertEntitled(options.entitlements ?? null, service, identity);
    if (service.authenticationMethod === 'oidc') {
      throw new HelperError(
        'NOT_ROTATABLE',
        `"${service.name}" uses OpenID Connect client credentials, whose secret the identity provider manages; ` +
          'it cannot be rotated here.',
      );
    }
    const graceSeconds = checkGrace(requested);
    const read = await freshRead(identity, service);
    const { account } = read;
    const seen = found(read.seen, service);
    if (seen.state === 'suspended') {
      throw new HelperError('FORBIDDEN', `Your key for "${service.name}" is suspended; ask an administrator.`);
    }
    return locks.withLock(
      applicationLock(seen.accountId, service.id),
      LOCK_LEASE_MS,
      async (held) => {
        // Nobody took the lock since the mark taken before the read: nobody held it since, so the read is current.
        const current = held.untouchedSinceMark ? seen : await currentKey(account, service);
        const at = now();
        if (current.apiKey !== seen.apiKey) return alreadyRotated(seen, current, service, at);
        const graceUntil = new Date(at.getTime() + graceSeconds * 1000);
        // `current`: the application is the object of a fresh read that is current under the lock.
        const result = await apiManager.rotateKey({
          application: current,
          graceUntil,
          expiresAt: expiryFor(service, options.keyTtlDays, at),
          now: at,
          current: true,
        });
        if (!result.rotated) return alreadyRotated(seen, result.application, service, at);
        const expiresAt = current.expiresAt ?? null;
        const validUntil = expiresAt !== null && expiresAt < graceUntil ? expiresAt : graceUntil;
        return {
          service,
          application: result.application,
          rotated: true,
          previous: { keyPreview: seen.keyPreview, validUntil },
        };
      },
      { mark: read.mark },
    );
  }

  /** Another rotation replaced the key first: its key is the answer, and the old key's grace is its grace. */
  async function alreadyRotated(seen: Application, current: Application, service: ApiService, at: Date) {
    const keys = await apiManager.listKeys(seen.accountId, at);
    const inGrace = keys.find((key) => key.keyPreview === seen.keyPreview && key.state === 'grace');
    return {
      service,
      application: current,
      rotated: false,
      previous: { keyPreview: seen.keyPreview, validUntil: inGrace?.validUntil ?? at },
    };
  }

  return {
    async listKeys(identity) {
      const account = await accountOf(identity);
      return account === null ? [] : apiManager.listKeys(account.id, now());
    },

    async rotateKey(identity, serviceId, graceSeconds, origin) {
      let rotation: Rotation;
      try {
        rotation = await rotate(identity, serviceId, graceSeconds);
      } catch (error) {
        await recordFailure('rotated', identity, serviceId, origin, error);
        throw error;
      }
      if (rotation.rotated) {
        await audit.record({
          event: 'rotated',
          outcome: 'success',
          userId: identity.userId,
          subject: identity.subject,
          serviceId: rotation.service.id,
          keyPreview: rotation.previous.keyPreview,
          origin,
          detail:
            `new key ${rotation.application.keyPreview}; ` +
            `old key accepted until ${rotation.previous.validUntil.toISOString()}`,
          at: now(),
        });
      }
      return rotation;
    },

    async revokeKeys(identity, serviceId, origin) {
      let revocation: Revocation;
      try {
        // No entitlement check: a person who lost access to a service may still stop their own key there.
        const service = findService(await apiManager.listServices(), { id: serviceId });
        const keyPreviews = await revokeAll(identity, service);
        if (keyPreviews.length === 0) {
          throw new HelperError('KEY_NOT_FOUND', `You have no key for "${service.name}" to revoke.`);
        }
        revocation = { service, keyPreviews };
      } catch (error) {
        await recordFailure('revoked', identity, serviceId, origin, error);
        throw error;
      }
      for (const keyPreview of revocation.keyPreviews) {
        await audit.record({
          event: 'revoked',
          outcome: 'success',
          userId: identity.userId,
          subject: identity.subject,
          serviceId: revocation.service.id,
          keyPreview,
          origin,
          detail: null,
          at: now(),
        });
      }
      return revocation;
    },

    async history(identity, page) {
      return options.history.list({ userId: identity.userId, ...page });
    },

    maxGraceSeconds,
  };
}
