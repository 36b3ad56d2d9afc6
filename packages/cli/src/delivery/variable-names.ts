/**
 * @module delivery/variable-names
 * The environment variables a service's key is delivered in: `MLAAS_<SERVICE>_API_KEY`, `MLAAS_<SERVICE>_URL`
 * and, for services that need one, `MLAAS_<SERVICE>_APP_ID`. `<SERVICE>` is the service id upper-cased with
 * every character other than A-Z and 0-9 replaced by `_` (`sentiment-analysis` -> `SENTIMENT_ANALYSIS`), so
 * the names are predictable from the id alone.
 */
import type { InitData } from '@mlaas/contract';
import { MlaasError } from '../lib/errors.js';

/** The variables of one service; values are secrets (the key) or plain (URL, app id). */
export interface ServiceVariables {
  serviceId: string;
  /** Name → value, in a stable order: API key, app id, URL. */
  values: Record<string, string>;
}

/**
 * The `<SERVICE>` part of a service's variable names.
 *
 * @example
 * ```ts
 * serviceVariableStem('sentiment-analysis'); // 'SENTIMENT_ANALYSIS'
 * serviceVariableStem('ocr.v2'); // 'OCR_V2'
 * ```
 */
export function serviceVariableStem(serviceId: string): string {
  return serviceId.toUpperCase().replace(/[^A-Z0-9]/g, '_');
}

/**
 * The variable names of a service.
 *
 * @example
 * ```ts
 * variableNames('text-embedding').apiKey; // 'MLAAS_TEXT_EMBEDDING_API_KEY'
 * ```
 */
export function variableNames(serviceId: string): { apiKey: string; url: string; appId: string } {
  const stem = `MLAAS_${serviceVariableStem(serviceId)}`;
  return { apiKey: `${stem}_API_KEY`, url: `${stem}_URL`, appId: `${stem}_APP_ID` };
}

/**
 * Whether a service's calls need the application id besides the key (app id + key, or OpenID Connect, where
 * the app id is the client id).
 *
 * @example
 * ```ts
 * needsAppId('app_id_app_key'); // true
 * ```
 */
export function needsAppId(method: InitData['service']['authentication_method']): boolean {
  return method === 'app_id_app_key' || method === 'oidc';
}

/**
 * The variables of one init result. The URL is left out when the service publishes no endpoint.
 *
 * @example
 * ```ts
 * serviceVariables(init).values; // { MLAAS_SENTIMENT_ANALYSIS_API_KEY: '…', MLAAS_SENTIMENT_ANALYSIS_URL: 'https://…' }
 * ```
 */
export function serviceVariables(init: InitData): ServiceVariables {
  const names = variableNames(init.service.id);
  const values: Record<string, string> = { [names.apiKey]: init.api_key };
  if (needsAppId(init.service.authentication_method) && init.app_id !== null) values[names.appId] = init.app_id;
  if (init.service.proxy_endpoint !== null) values[names.url] = init.service.proxy_endpoint;
  return { serviceId: init.service.id, values };
}

/**
 * Fails when two service ids map to the same `<SERVICE>` part, naming both; otherwise does nothing.
 * @throws MlaasError USAGE_ERROR naming the two services and the shared name.
 *
 * @example
 * ```ts
 * assertDistinctStems(['a-b', 'a_b']); // throws: services "a-b" and "a_b" would both use MLAAS_A_B_*
 * ```
 */
export function assertDistinctStems(serviceIds: readonly string[]): void {
  const seen = new Map<string, string>();
  for (const id of serviceIds) {
    const stem = serviceVariableStem(id);
    const other = seen.get(stem);
    if (other !== undefined && other !== id) {
      throw new MlaasError(
        'USAGE_ERROR',
        `services "${other}" and "${id}" would both use the variables MLAAS_${stem}_*`,
        { hint: 'Name only one of them with --service.' },
      );
    }
    seen.set(stem, id);
  }
}

/**
 * All variables of several services, after checking their names do not collide.
 *
 * @example
 * ```ts
 * const env = mergeVariables(inits.map(serviceVariables));
 * ```
 */
export function mergeVariables(services: readonly ServiceVariables[]): Record<string, string> {
  assertDistinctStems(services.map((s) => s.serviceId));
  return Object.assign({}, ...services.map((s) => s.values)) as Record<string, string>;
}
