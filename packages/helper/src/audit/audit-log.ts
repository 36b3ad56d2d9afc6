/**
 * @module audit/audit-log
 * Key events: what happened to which key, for whom, from where, and whether it worked. Each event is written
 * as one structured log line (for a SIEM) and kept in a durable per-user history.
 */
import type { Logger } from '../log/logger.js';

export type KeyEventType =
  'issued' | 'rotated' | 'revoked' | 'expired' | 'grace_ended' | 'suspended' | 'resumed' | 'duplicate_removed';

/** Where a request came from; all null for events of the reconcile loop. */
export interface RequestOrigin {
  clientAddress: string | null;
  /** The client's name and version, from its User-Agent. */
  client: string | null;
  requestId: string | null;
}

export const NO_ORIGIN: RequestOrigin = Object.freeze({ clientAddress: null, client: null, requestId: null });

export interface KeyEventInput {
  event: KeyEventType;
  outcome: 'success' | 'failure';
  userId: string;
  subject: string | null;
  serviceId: string;
  keyPreview: string | null;
  origin: RequestOrigin;
  /** A short note: the grace period, the error code of a failure, what the loop did. Never a key. */
  detail: string | null;
  at: Date;
}

export interface KeyEvent extends KeyEventInput {
  id: number;
}

export interface AuditPage {
  /** Only this user's events; all users' when absent (operators). */
  userId?: string;
  limit: number;
  /** Events with a smaller id than this (older). */
  before?: number;
}

/** The durable history of key events. */
export interface AuditStore {
  append(event: KeyEventInput): Promise<KeyEvent>;
  /** Newest first. */
  list(page: AuditPage): Promise<KeyEvent[]>;
  close(): Promise<void>;
}

/** Records key events: the log line and the history. */
export interface AuditTrail {
  record(event: KeyEventInput): Promise<void>;
}

/**
 * An event as one flat record with snake_case names: the log line a SIEM reads, and the body of the
 * API's and the operators' history (which add the event's `id`).
 */
export function eventFields(event: KeyEventInput) {
  return {
    at: event.at.toISOString(),
    event: event.event,
    outcome: event.outcome,
    user_id: event.userId,
    subject: event.subject,
    service_id: event.serviceId,
    key_preview: event.keyPreview,
    client_address: event.origin.clientAddress,
    client: event.origin.client,
    request_id: event.origin.requestId,
    detail: event.detail,
  };
}

/**
 * Writes every event to the log at once and to the store. A failure to store is logged, never thrown: the
 * key operation it describes has already happened, and its log line is written either way.
 * @example const audit = createAuditTrail(store, logger); await audit.record(event);
 */
export function createAuditTrail(store: AuditStore, logger: Logger): AuditTrail {
  return {
    async record(event) {
      logger.info({ audit: eventFields(event) }, `key ${event.event}`);
      try {
        await store.append(event);
      } catch (error) {
        logger.error(
          { err: error, event: event.event, user_id: event.userId },
          'could not store a key event in the audit history',
        );
      }
    },
  };
}
