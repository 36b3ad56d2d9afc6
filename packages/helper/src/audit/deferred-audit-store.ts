/**
 * @module audit/deferred-audit-store
 * An `AuditStore` opened on first use (or when `open` is called): the history's database driver is not loaded
 * before the server answers, and a process that records nothing never opens it.
 */
import type { AuditPage, AuditStore, KeyEvent, KeyEventInput } from './audit-log.js';

export interface DeferredAuditStore extends AuditStore {
  /** Opens the store now (idempotent); resolves when it is open. */
  open(): Promise<void>;
}

/**
 * Wraps a store's opening so it happens at most once, when first needed.
 * @example const history = deferAuditStore(async () => (await import('./sqlite-audit-store.js')).openAuditStore(path));
 */
export function deferAuditStore(open: () => Promise<AuditStore>): DeferredAuditStore {
  let store: Promise<AuditStore> | null = null;
  const opened = () => (store ??= open());
  return {
    async open() {
      await opened();
    },
    async append(event: KeyEventInput): Promise<KeyEvent> {
      return (await opened()).append(event);
    },
    async list(page: AuditPage): Promise<KeyEvent[]> {
      return (await opened()).list(page);
    },
    async close() {
      if (store === null) return;
      await (await store.catch(() => null))?.close();
    },
  };
}
