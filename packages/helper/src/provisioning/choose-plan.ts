/**
 * @module provisioning/choose-plan
 * Which plan a self-service key is created on.
 */
import type { ServicePlan } from '../apim/api-manager.js';

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
