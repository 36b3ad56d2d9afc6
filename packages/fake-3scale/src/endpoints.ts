/**
 * @module endpoints
 * The names of the Admin API operations the fake serves. Faults, latency and call counts are keyed by
 * these names, so tests say `services.list` rather than a URL pattern.
 */

/** Every endpoint key, in the order stats are reported. */
export const ENDPOINT_KEYS = [
  'accounts.find',
  'accounts.read',
  'users.list',
  'signup',
  'services.list',
  'services.read',
  'proxy.read',
  'plans.list',
  'applications.list',
  'applications.create',
  'applications.read',
  'applications.update',
  'applications.delete',
  'applications.suspend',
  'applications.resume',
  'applications.accept',
  'applications.find',
  'applications.index',
  'applications.change_plan',
  'keys.list',
  'keys.create',
  'keys.delete',
  'metrics.list',
  'limits.list',
  'stats.application_usage',
  'fields_definitions.list',
  'fields_definitions.create',
  'fields_definitions.read',
  'fields_definitions.delete',
] as const;

/** One Admin API operation served by the fake. */
export type EndpointKey = (typeof ENDPOINT_KEYS)[number];

/** A fault or latency target: one endpoint, or `*` for every Admin API endpoint without its own setting. */
export type EndpointTarget = EndpointKey | '*';

/** The stats key under which requests that match no Admin API route are counted. */
export const UNMATCHED_KEY = 'unmatched';

/** Whether a string names an endpoint. */
export function isEndpointKey(value: unknown): value is EndpointKey {
  return typeof value === 'string' && (ENDPOINT_KEYS as readonly string[]).includes(value);
}

/** Whether a string names an endpoint or the `*` wildcard. */
export function isEndpointTarget(value: unknown): value is EndpointTarget {
  return value === '*' || isEndpointKey(value);
}
