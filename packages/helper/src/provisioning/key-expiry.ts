/**
 * @module provisioning/key-expiry
 * When a new key expires: the service's own lifetime when its catalog entry sets one, else the helper's
 * default (KEY_TTL_DAYS); 0 means never.
 */
import type { Application, ApiService } from '../apim/api-manager.js';

const DAY_MS = 86_400_000;

/**
 * @example expiryFor({ keyTtlDays: 30, ...service }, 0, now) // now + 30 days
 */
export function expiryFor(service: ApiService, defaultTtlDays: number, now: Date): Date | null {
  const days = service.keyTtlDays ?? defaultTtlDays;
  return days > 0 ? new Date(now.getTime() + days * DAY_MS) : null;
}

/** Whether an application's current key has expired at `now`. */
export function isExpired(application: Application, now: Date): boolean {
  return application.expiresAt != null && application.expiresAt.getTime() <= now.getTime();
}
