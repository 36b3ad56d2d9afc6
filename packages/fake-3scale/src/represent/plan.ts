/**
 * @module represent/plan
 * Application plans. JSON has `default`/`custom` as properties, `system_name`, and no
 * `service_id`; XML has `custom`/`default` as attributes, a `type`, `service_id`, no `system_name`, and an
 * empty `trial_period_days` when the column is NULL (JSON shows 0).
 */
import type { AccountPlanRecord, PlanRecord } from '../tenant/records.js';
import { JsonFloat, formatTime } from './_json.js';
import { type XmlElement, el } from './_xml.js';
import { type RenderContext, type Rendered, adminUrl } from './representation.js';

export function renderPlan(ctx: RenderContext, plan: PlanRecord): Rendered {
  return {
    json: {
      id: plan.id,
      name: plan.name,
      state: plan.state,
      setup_fee: new JsonFloat(plan.setupFee),
      cost_per_month: new JsonFloat(plan.costPerMonth),
      trial_period_days: plan.trialPeriodDays ?? 0,
      cancellation_period: plan.cancellationPeriod,
      approval_required: plan.approvalRequired,
      default: plan.isDefault,
      created_at: formatTime(plan.createdAt),
      updated_at: formatTime(plan.updatedAt),
      custom: plan.custom,
      system_name: plan.systemName,
      links: [
        { rel: 'service', href: adminUrl(ctx, `services/${plan.serviceId}`) },
        { rel: 'self', href: adminUrl(ctx, `services/${plan.serviceId}/application_plans/${plan.id}`) },
      ],
    },
    xml: planXml(plan),
  };
}

/** `<plan custom=… default=…>`: also nested in application and account XML. */
export function planXml(plan: PlanRecord): XmlElement {
  return {
    name: 'plan',
    attributes: { custom: plan.custom, default: plan.isDefault },
    content: [
      ...el('id', plan.id),
      ...el('name', plan.name),
      ...el('type', 'application_plan'),
      ...el('state', plan.state),
      ...el('approval_required', plan.approvalRequired),
      ...el('setup_fee', new JsonFloat(plan.setupFee)),
      ...el('cost_per_month', new JsonFloat(plan.costPerMonth)),
      ...el('trial_period_days', plan.trialPeriodDays),
      ...el('cancellation_period', plan.cancellationPeriod),
      ...el('service_id', plan.serviceId),
    ],
  };
}

/** The tenant's account plan as account XML nests it. */
export function accountPlanXml(plan: AccountPlanRecord, approvalRequired = false): XmlElement {
  return {
    name: 'plan',
    attributes: { default: true },
    content: [
      ...el('id', plan.id),
      ...el('name', plan.name),
      ...el('type', 'account_plan'),
      ...el('state', 'hidden'),
      ...el('approval_required', approvalRequired),
      ...el('setup_fee', new JsonFloat(0)),
      ...el('cost_per_month', new JsonFloat(0)),
      ...el('trial_period_days', null),
      ...el('cancellation_period', 0),
    ],
  };
}
