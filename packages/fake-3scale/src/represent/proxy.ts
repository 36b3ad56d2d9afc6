/**
 * @module represent/proxy
 * A product's gateway configuration. Nil properties are omitted (a self-managed product
 * without a production URL has no `endpoint`), except `api_backend`, which is always rendered. JSON links
 * are relative paths; XML has no links and carries `policies_config` as a JSON string.
 */
import type { ProxyRecord, ServiceRecord } from '../tenant/records.js';
import { type JsonOut, formatTime, omitNull } from './_json.js';
import { type XmlElement, el } from './_xml.js';
import type { RenderContext, Rendered } from './representation.js';

const TEXT_PLAIN = 'text/plain; charset=us-ascii';
const DEFAULT_POLICIES = [{ name: 'apicast', version: 'builtin', configuration: {}, enabled: true }];

export function renderProxy(_ctx: RenderContext, proxy: ProxyRecord, service: ServiceRecord): Rendered {
  const fields: [string, JsonOut][] = [
    ['service_id', proxy.serviceId],
    ['endpoint', omitNull(proxy.endpoint)],
    ['api_backend', proxy.apiBackend],
    ['credentials_location', proxy.credentialsLocation],
    ['auth_app_key', proxy.authAppKey],
    ['auth_app_id', proxy.authAppId],
    ['auth_user_key', proxy.authUserKey],
    ['error_auth_failed', 'Authentication failed'],
    ['error_auth_missing', 'Authentication parameters missing'],
    ['error_status_auth_failed', 403],
    ['error_headers_auth_failed', TEXT_PLAIN],
    ['error_status_auth_missing', 403],
    ['error_headers_auth_missing', TEXT_PLAIN],
    ['error_no_match', 'No Mapping Rule matched'],
    ['error_status_no_match', 404],
    ['error_headers_no_match', TEXT_PLAIN],
    ['error_limits_exceeded', 'Usage limit exceeded'],
    ['error_status_limits_exceeded', 429],
    ['error_headers_limits_exceeded', TEXT_PLAIN],
    ['secret_token', proxy.secretToken],
    ['sandbox_endpoint', omitNull(proxy.sandboxEndpoint)],
    ['api_test_path', '/'],
    ['policies_config', DEFAULT_POLICIES],
    ['created_at', formatTime(proxy.createdAt)],
    ['updated_at', formatTime(proxy.updatedAt)],
    ['deployment_option', service.deploymentOption],
    ['lock_version', proxy.lockVersion],
  ];
  if (service.backendVersion === 'oidc') {
    fields.push(
      ['oidc_issuer_endpoint', omitNull(proxy.oidcIssuerEndpoint)],
      ['oidc_issuer_type', omitNull(proxy.oidcIssuerType)],
      ['jwt_claim_with_client_id', omitNull(proxy.jwtClaimWithClientId)],
      ['jwt_claim_with_client_id_type', omitNull(proxy.jwtClaimWithClientIdType)],
    );
  }
  const base = `/admin/api/services/${proxy.serviceId}`;
  const json: { [key: string]: JsonOut } = Object.fromEntries(fields);
  json.links = [
    { rel: 'mapping_rules', href: `${base}/proxy/mapping_rules` },
    { rel: 'self', href: `${base}/proxy` },
    { rel: 'service', href: base },
  ];
  const xmlContent: XmlElement[] = fields.flatMap(([name, value]) => {
    if (name === 'policies_config') return el(name, JSON.stringify(value));
    return el(name, value as string | number | null | undefined);
  });
  return { json, xml: { name: 'proxy', content: xmlContent } };
}
