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
 */
import type { Account, ApiManager, ApiService, Application, Identity, KeyRecord } from '../apim/api-manager.js';
import type { AuditStore, AuditTrail, KeyEvent, RequestOrigin } from '../audit/audit-log.js';
import { HelperError, isHelperError } from '../errors/helper-error.js';
import type { LockService } from '../state/shared-state.js';
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
  /** Who may hold keys of which service; rotating or revoking a key of another answers NOT_ENTITLED. */
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

  async function currentKey(account: Account | null, service: ApiService): Promise<Application> {
    const application =
      account === null ? null : pickApplication(await apiManager.listApplications(account.id, FRESH), service.id);
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
    const account = await accountOf(identity);
    const seen = await currentKey(account, service);
    if (seen.state === 'suspended') {
      throw new HelperError('FORBIDDEN', `Your key for "${service.name}" is suspended; ask an administrator.`);
    }
    return locks.withLock(applicationLock(seen.accountId, service.id), LOCK_LEASE_MS, async () => {
      const current = await currentKey(account, service);
      const at = now();
      if (current.apiKey !== seen.apiKey) return alreadyRotated(seen, current, service, at);
      const graceUntil = new Date(at.getTime() + graceSeconds * 1000);
      const result = await apiManager.rotateKey({
        application: current,
        graceUntil,
        expiresAt: expiryFor(service, options.keyTtlDays, at),
        now: at,
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
    });
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
        const service = findService(await apiManager.listServices(), { id: serviceId });
        assertEntitled(options.entitlements ?? null, service, identity);
        const account = await accountOf(identity);
        const keyPreviews =
          account === null
            ? []
            : await locks.withLock(applicationLock(account.id, service.id), LOCK_LEASE_MS, () =>
                apiManager.revokeKeys(account.id, service.id, now()),
              );
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
