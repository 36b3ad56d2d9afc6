/**
 * @module represent/service
 * API products ("services"). JSON: the representer's fields in order, nil ones omitted,
 * `backend_version` as a string ("oidc" for OpenID Connect products). XML adds `account_id` and the
 * product's metrics.
 */
import type { ServiceRecord } from '../tenant/records.js';
import { formatTime, omitNull } from './_json.js';
import { el } from './_xml.js';
import { type RenderContext, type Rendered, adminUrl } from './representation.js';

/** Product settings the fake does not model, at 3scale's defaults. */
const SERVICE_DEFAULTS = {
  intentions_required: false,
  buyers_manage_apps: true,
  buyers_manage_keys: true,
  referrer_filters_required: false,
  custom_keys_enabled: true,
  buyer_key_regenerate_enabled: true,
  buyer_can_select_plan: false,
  buyer_plan_change_permission: 'request',
} as const;

export function renderService(ctx: RenderContext, service: ServiceRecord): Rendered {
  const base = `services/${service.id}`;
  const d = SERVICE_DEFAULTS;
  return {
    json: {
      id: service.id,
      name: service.name,
      state: service.state,
      system_name: service.systemName,
      backend_version: service.backendVersion,
      deployment_option: service.deploymentOption,
      support_email: omitNull(service.supportEmail),
      description: omitNull(service.description),
      intentions_required: d.intentions_required,
      buyers_manage_apps: d.buyers_manage_apps,
      buyers_manage_keys: d.buyers_manage_keys,
      referrer_filters_required: d.referrer_filters_required,
      custom_keys_enabled: d.custom_keys_enabled,
      buyer_key_regenerate_enabled: d.buyer_key_regenerate_enabled,
      mandatory_app_key: service.mandatoryAppKey,
      buyer_can_select_plan: d.buyer_can_select_plan,
      buyer_plan_change_permission: d.buyer_plan_change_permission,
      annotations: {},
      created_at: formatTime(service.createdAt),
      updated_at: formatTime(service.updatedAt),
      links: [
        { rel: 'metrics', href: adminUrl(ctx, `${base}/metrics`) },
        { rel: 'self', href: adminUrl(ctx, base) },
        { rel: 'service_plans', href: adminUrl(ctx, `${base}/service_plans`) },
        { rel: 'application_plans', href: adminUrl(ctx, `${base}/application_plans`) },
        { rel: 'features', href: adminUrl(ctx, `${base}/features`) },
      ],
    },
    xml: {
      name: 'service',
      content: [
        ...el('id', service.id),
        ...el('account_id', ctx.tenant.providerAccountId),
        ...el('name', service.name),
        ...el('state', service.state),
        ...el('system_name', service.systemName),
        ...el('backend_version', service.backendVersion),
        ...el('description', service.description),
        ...el('intentions_required', d.intentions_required),
        ...el('buyers_manage_apps', d.buyers_manage_apps),
        ...el('buyers_manage_keys', d.buyers_manage_keys),
        ...el('referrer_filters_required', d.referrer_filters_required),
        ...el('custom_keys_enabled', d.custom_keys_enabled),
        ...el('buyer_key_regenerate_enabled', d.buyer_key_regenerate_enabled),
        ...el('mandatory_app_key', service.mandatoryAppKey),
        ...el('buyer_can_select_plan', d.buyer_can_select_plan),
        ...el('buyer_plan_change_permission', d.buyer_plan_change_permission),
        ...el('annotations', []),
        ...el('deployment_option', service.deploymentOption),
        ...el('support_email', service.supportEmail),
        ...el('metrics', [
          {
            name: 'metric',
            content: [
              ...el('id', service.metricId),
              ...el('name', 'hits'),
              ...el('system_name', 'hits'),
              ...el('friendly_name', 'Hits'),
              ...el('service_id', service.id),
              ...el('description', 'Number of API hits'),
              ...el('unit', 'hit'),
            ],
          },
        ]),
      ],
    },
  };
}
