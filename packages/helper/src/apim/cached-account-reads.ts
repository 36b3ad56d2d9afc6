/**
 * @module apim/cached-account-reads
 * A short-lived cache of per-account reads (the account of a user, an account's applications) in front of any
 * `ApiManager`. Listing services is the hot path and reads these on every request; a key is never created
 * from them — provisioning reads fresh before it decides — and this process's writes drop what they change.
 */
import { createSwrCache } from '../state/swr-cache.js';
import type { Account, ApiManager, Application, Identity } from './api-manager.js';

export interface AccountCacheOptions {
  /** How long a read is reused; 0 turns the cache off. */
  ttlMs: number;
  onCache?: (cache: 'accounts' | 'applications', event: 'hit' | 'stale' | 'miss') => void;
}

/**
 * Wraps `inner` so `findAccount` and `listApplications` are reused for `ttlMs` unless asked for `fresh`.
 * @example const apiManager = withAccountCache(createEmbeddedStore(options), { ttlMs: 30_000 });
 */
export function withAccountCache(inner: ApiManager, options: AccountCacheOptions): ApiManager {
  if (options.ttlMs === 0) return inner;
  const accounts = createSwrCache<Account | null>({
    ttlMs: options.ttlMs,
    staleMs: 0,
    onEvent: (e) => options.onCache?.('accounts', e),
  });
  const applications = createSwrCache<Application[]>({
    ttlMs: options.ttlMs,
    staleMs: 0,
    onEvent: (e) => options.onCache?.('applications', e),
  });
  const accountKey = (identity: Identity) => `${identity.userId}\u0000${identity.email ?? ''}`;

  return {
    ...inner,
    findAccount(identity, read = {}) {
      const key = accountKey(identity);
      if (read.fresh) accounts.delete(key);
      return accounts.get(key, () => inner.findAccount(identity, read.fresh ? { fresh: true } : {}));
    },
    async createAccount(identity) {
      try {
        return await inner.createAccount(identity);
      } finally {
        // A cached "no account" for this user (under any email) is now wrong.
        accounts.clear();
      }
    },
    listApplications(accountId, read = {}) {
      if (read.fresh) applications.delete(accountId);
      if (read.keys !== undefined && read.keys !== 'all') return inner.listApplications(accountId, read);
      return applications.get(accountId, () => inner.listApplications(accountId, { fresh: true }));
    },
    async createApplication(input) {
      try {
        return await inner.createApplication(input);
      } finally {
        applications.delete(input.account.id);
      }
    },
    async deleteApplication(accountId, applicationId) {
      try {
        await inner.deleteApplication(accountId, applicationId);
      } finally {
        applications.delete(accountId);
      }
    },
    async rotateKey(input) {
      try {
        return await inner.rotateKey(input);
      } finally {
        applications.delete(input.application.accountId);
      }
    },
    async revokeKeys(accountId, serviceId, now) {
      try {
        return await inner.revokeKeys(accountId, serviceId, now);
      } finally {
        applications.delete(accountId);
      }
    },
    // Enforcing a deadline may change an account's applications (a duplicate removed, a key stopped).
    async completeDeadline(deadline, now) {
      try {
        return await inner.completeDeadline(deadline, now);
      } finally {
        applications.delete(deadline.accountId);
      }
    },
    completeDeadlines:
      inner.completeDeadlines === undefined
        ? undefined
        : async (deadlines, now) => {
            try {
              return await inner.completeDeadlines!(deadlines, now);
            } finally {
              for (const deadline of deadlines) applications.delete(deadline.accountId);
            }
          },
    async suspendApplication(accountId, applicationId, reason) {
      try {
        await inner.suspendApplication(accountId, applicationId, reason);
      } finally {
        applications.delete(accountId);
      }
    },
    async resumeApplication(accountId, applicationId, reason) {
      try {
        return await inner.resumeApplication(accountId, applicationId, reason);
      } finally {
        applications.delete(accountId);
      }
    },
    async changePlan(accountId, applicationId, planId) {
      try {
        await inner.changePlan(accountId, applicationId, planId);
      } finally {
        applications.delete(accountId);
      }
    },
    close: () => inner.close(),
  };
}
