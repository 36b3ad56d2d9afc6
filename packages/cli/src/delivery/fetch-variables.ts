/**
 * @module delivery/fetch-variables
 * The variables of `mlaas run`, `env` and `secret`: each key fetched fresh from the helper (the init call,
 * which returns the existing key), held in memory only. A service whose key cannot be had fails the whole
 * call, naming the service, before anything uses the keys.
 */
import type { InitData, ServicesData, ServiceSelector } from '@mlaas/contract';
import { MlaasError } from '../lib/errors.js';
import { assertDistinctStems, mergeVariables, serviceVariables } from './variable-names.js';

/** The part of the SDK client this needs. */
export interface KeySource {
  listServices(): Promise<ServicesData>;
  initService(selector: ServiceSelector): Promise<InitData>;
}

/**
 * The variables for the named services, or for every service that already has a key when none is named.
 * @throws MlaasError with the helper's code, its message prefixed with the service that failed; USAGE_ERROR
 * when two services' variable names collide or no service has a key.
 *
 * @example
 * ```ts
 * const env = await fetchVariables(client, ['sentiment-analysis']);
 * ```
 */
export async function fetchVariables(
  source: KeySource,
  serviceIds: readonly string[],
): Promise<Record<string, string>> {
  const ids = serviceIds.length > 0 ? [...new Set(serviceIds)] : await servicesWithKeys(source);
  // Checked before any key is fetched, so a collision never creates keys.
  assertDistinctStems(ids);
  const results = await Promise.allSettled(ids.map((id) => source.initService({ id })));
  const failed = results.findIndex((r) => r.status === 'rejected');
  if (failed !== -1) {
    const reason = (results[failed] as PromiseRejectedResult).reason as unknown;
    const id = ids[failed] as string;
    if (reason instanceof MlaasError) {
      throw new MlaasError(reason.code, `service "${id}": ${reason.message}`, {
        ...(reason.status !== undefined ? { status: reason.status } : {}),
        ...(reason.requestId !== undefined ? { requestId: reason.requestId } : {}),
        hint: reason.hint ?? 'See the services and your keys with: mlaas services list',
        cause: reason,
      });
    }
    throw reason;
  }
  return mergeVariables(results.map((r) => serviceVariables((r as PromiseFulfilledResult<InitData>).value)));
}

async function servicesWithKeys(source: KeySource): Promise<string[]> {
  const { services } = await source.listServices();
  const ids = services.filter((s) => s.has_api_key).map((s) => s.id);
  if (ids.length === 0) {
    throw new MlaasError('USAGE_ERROR', 'you have no API keys yet, and no service was named with --service', {
      hint: 'Get a key with `mlaas services init ID`, or name the services: --service ID.',
    });
  }
  return ids;
}
