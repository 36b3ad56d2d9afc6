/**
 * @module provisioning/choose-plan
 * Which plan a self-service key is created on, and which plan an existing key should be on when the
 * entitlements policy gives tiers by group.
 */
import type { ApiService, ServicePlan } from '../apim/api-manager.js';
import { isTierPlan, tierPlan, type Holder } from '../entitlements/entitlement.js';
import type { EntitlementPolicy } from '../entitlements/policy.js';

/**
 * The service's default plan when it is offered for self-service; else its first published, non-custom
 * plan; else null (the caller answers NO_PLANS_FOUND). Custom plans are per-application copies and hidden
 * plans are not for self-service, so neither is ever chosen.
 * @example choosePlan([{ ..., isDefault: true }]) // that plan
 */
export function choosePlan(plans: readonly ServicePlan[]): ServicePlan | null {
  const offered = plans.filter((plan) => !plan.isCustom && plan.state === 'published');
  return offered.find((plan) => plan.isDefault) ?? offered[0] ?? null;
}

/**
 * The plan a person's key should be on: the tier their groups give (any plan but a custom copy); else the usual
 * choice ({@link choosePlan}).
 * @example planFor(policy, service, identity, plans)
 */
export function planFor(
  policy: EntitlementPolicy | null,
  service: Pick<ApiService, 'id' | 'systemName'>,
  holder: Holder,
  plans: readonly ServicePlan[],
): ServicePlan | null {
  const tier = tierPlan(
    policy,
    service,
    holder,
    plans.filter((plan) => !plan.isCustom),
  );
  return tier ?? choosePlan(plans);
}

/**
 * The plan an existing key should move to after a tier change, or null to leave it where it is: to the tier the
 * person's groups give now; off a tier plan they no longer hold, to the usual plan. A plan an administrator
 * chose outside the tiers is left alone.
 * @example planMove(policy, service, identity, plans, application.planId)?.id
 */
export function planMove(
  policy: EntitlementPolicy | null,
  service: Pick<ApiService, 'id' | 'systemName'>,
  holder: Holder,
  plans: readonly ServicePlan[],
  currentPlanId: string,
): ServicePlan | null {
  if (policy === null) return null;
  const tier = tierPlan(
    policy,
    service,
    holder,
    plans.filter((plan) => !plan.isCustom),
  );
  if (tier !== null) return tier.id === currentPlanId ? null : tier;
  const current = plans.find((plan) => plan.id === currentPlanId);
  if (current === undefined || !isTierPlan(policy, service, current)) return null;
  const usual = choosePlan(plans);
  return usual === null || usual.id === currentPlanId ? null : usual;
}
