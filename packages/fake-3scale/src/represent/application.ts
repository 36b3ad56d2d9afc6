/**
 * @module represent/application
 * Applications. The credentials shown depend on the product's authentication mode:
 * "1" → `user_key` + `provider_verification_key`; "2" → `application_id` only (keys are listed separately);
 * "oidc" → `application_id`, `redirect_url`, `client_id`, `client_secret` and the OIDC flow settings;
 * the legacy "oauth" → the same without the OIDC settings.
 * JSON says `account_id` where XML says `user_account_id`, and XML nests the plan.
 */
import type { ApplicationRecord } from '../tenant/records.js';
import { type JsonOut, formatTime } from './_json.js';
import { type XmlElement, el } from './_xml.js';
import { planXml } from './plan.js';
import { type RenderContext, type Rendered, adminUrl } from './representation.js';

export function renderApplication(ctx: RenderContext, app: ApplicationRecord): Rendered {
  const { service, plan, account } = ctx.tenant.contextOf(app);
  const version = service.backendVersion;
  const appPath = `accounts/${app.accountId}/applications/${app.id}`;
  const json: { [key: string]: JsonOut } = {
    id: app.id,
    state: app.state,
    enabled: app.state === 'live' && account.state !== 'suspended',
    created_at: formatTime(app.createdAt),
    updated_at: formatTime(app.updatedAt),
    service_id: service.id,
    service_name: service.name,
    plan_id: plan.id,
    plan_name: plan.name,
    account_id: account.id,
    org_name: account.orgName,
    // Rendered even when nil (`render_nil: true` in porta's representer).
    first_traffic_at: app.firstTrafficAt,
    first_daily_traffic_at: app.firstDailyTrafficAt,
  };
  if (version === '1') {
    json.user_key = app.userKey;
    json.provider_verification_key = app.providerVerificationKey;
  } else {
    json.application_id = app.applicationId;
  }
  if (version === 'oidc' || version === 'oauth') {
    json.redirect_url = app.redirectUrl;
    json.client_id = app.applicationId;
    json.client_secret = app.keys[0]?.value ?? null;
  }
  if (version === 'oidc') {
    json.oidc_configuration = {
      id: service.oidcConfigurationId,
      standard_flow_enabled: true,
      implicit_flow_enabled: false,
      service_accounts_enabled: false,
      direct_access_grants_enabled: false,
    };
  }
  json.links = [
    { rel: 'self', href: adminUrl(ctx, appPath) },
    { rel: 'service', href: adminUrl(ctx, `services/${service.id}`) },
    { rel: 'account', href: adminUrl(ctx, `accounts/${account.id}`) },
    { rel: 'plan', href: adminUrl(ctx, `services/${service.id}/application_plans/${plan.id}`) },
    { rel: 'keys', href: adminUrl(ctx, `${appPath}/keys`) },
    { rel: 'referrer_filters', href: adminUrl(ctx, `${appPath}/referrer_filters`) },
  ];
  if (app.name !== null) json.name = app.name;
  if (app.description !== null) json.description = app.description;
  // Defined extra fields follow the builtin ones, flat; unset ones are left out (nil is not rendered).
  const extraFields = ctx.tenant.applicationExtraFields().filter((name) => app.extraFields[name] !== undefined);
  for (const name of extraFields) json[name] = app.extraFields[name];

  const credentials: XmlElement[] =
    version === '1'
      ? [...el('user_key', app.userKey), ...el('provider_verification_key', app.providerVerificationKey)]
      : [
          ...el('application_id', app.applicationId),
          ...(version === 'oidc' || version === 'oauth' ? el('redirect_url', app.redirectUrl) : []),
          ...el(
            'keys',
            app.keys.flatMap((k) => el('key', k.value)),
          ),
        ];
  const xml: XmlElement = {
    name: 'application',
    content: [
      ...el('id', app.id),
      ...el('created_at', formatTime(app.createdAt)),
      ...el('updated_at', formatTime(app.updatedAt)),
      ...el('state', app.state),
      ...el('user_account_id', account.id),
      ...el('first_traffic_at', app.firstTrafficAt),
      ...el('first_daily_traffic_at', app.firstDailyTrafficAt),
      ...el('service_id', service.id),
      ...credentials,
      planXml(plan),
      // Builtin fields with blank values are skipped in XML (porta `fields_to_xml`).
      ...(app.name ? el('name', app.name) : []),
      ...(app.description ? el('description', app.description) : []),
      ...el(
        'extra_fields',
        // Blank values are skipped in XML (porta `extra_fields_to_xml`).
        extraFields.flatMap((name) => (app.extraFields[name]?.trim() ? el(name, app.extraFields[name]?.trim()) : [])),
      ),
    ],
  };
  return { json, xml };
}
