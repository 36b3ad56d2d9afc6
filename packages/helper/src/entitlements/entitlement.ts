/**
 * @module entitlements/entitlement
 * Whether a person may hold a key of a service under a policy, what would grant it, and which plan (tier)
 * their groups give. Works on anything carrying roles and groups: a token's identity, or a user as the
 * identity provider's directory describes it.
 */
import type { ApiService, ServicePlan } from '../apim/api-manager.js';
import { HelperError } from '../errors/helper-error.js';
import { groupPath, type EntitlementPolicy, type Grant, type ServiceRule } from './policy.js';

/** What a decision needs to know of a person. */
export interface Holder {
  readonly roles: readonly string[];
  readonly groups: readonly string[];
}

export interface Entitlement {
  entitled: boolean;
  /** The roles and groups that grant the service (`role:x`, `group:/y`); empty when nothing does. */
  grantedBy: readonly string[];
}

const EVERYONE: Entitlement = Object.freeze({ entitled: true, grantedBy: Object.freeze([]) as readonly string[] });
const NOBODY: Entitlement = Object.freeze({ entitled: false, grantedBy: Object.freeze([]) as readonly string[] });

/** The rule the policy has for a service: by id, else by system name; null when it names neither. */
export function ruleOf(policy: EntitlementPolicy, service: Pick<ApiService, 'id' | 'systemName'>): ServiceRule | null {
  return policy.services.get(service.id) ?? policy.services.get(service.systemName) ?? null;
}

/**
 * Whether `holder` may hold a key of `service`; with no policy, everyone may.
 * @example entitlementOf(policy, service, identity).entitled
 */
export function entitlementOf(
  policy: EntitlementPolicy | null,
  service: Pick<ApiService, 'id' | 'systemName'>,
  holder: Holder,
): Entitlement {
  if (policy === null) return EVERYONE;
  const allow = ruleOf(policy, service)?.allow ?? null;
  if (allow === null) return policy.defaultAllow ? EVERYONE : NOBODY;
  for (const grant of allow) if (holds(holder, grant)) return { entitled: true, grantedBy: texts(allow) };
  return { entitled: false, grantedBy: texts(allow) };
}

/**
 * Throws NOT_ENTITLED, naming what would grant the service, when `holder` may not hold its keys.
 * @example assertEntitled(policy, service, identity);
 */
export function assertEntitled(
  policy: EntitlementPolicy | null,
  service: Pick<ApiService, 'id' | 'systemName' | 'name'>,
  holder: Holder,
): void {
  const { entitled, grantedBy } = entitlementOf(policy, service, holder);
  if (entitled) return;
  throw new HelperError(
    'NOT_ENTITLED',
    grantedBy.length === 0
      ? `"${service.name}" is not offered to anyone here; ask an administrator.`
      : `You are not entitled to "${service.name}"; it needs ${oneOf(grantedBy)} in the identity provider — ` +
          'ask an administrator.',
  );
}

/**
 * The plan a person's groups (or roles) give on a service: the first tier of the rule they hold whose plan the
 * service offers (by id, else by name, case-insensitively); null when no tier applies.
 * @example tierPlan(policy, service, identity, plans)?.id
 */
export function tierPlan(
  policy: EntitlementPolicy | null,
  service: Pick<ApiService, 'id' | 'systemName'>,
  holder: Holder,
  plans: readonly ServicePlan[],
): ServicePlan | null {
  const tiers = policy === null ? [] : (ruleOf(policy, service)?.plans ?? []);
  for (const { grant, plan } of tiers) {
    if (!holds(holder, grant)) continue;
    const found = findPlan(plans, plan);
    if (found !== null) return found;
  }
  return null;
}

/** Whether a plan is one the policy gives as a tier of the service (so losing the tier moves off it). */
export function isTierPlan(
  policy: EntitlementPolicy | null,
  service: Pick<ApiService, 'id' | 'systemName'>,
  plan: Pick<ServicePlan, 'id' | 'name'>,
): boolean {
  const tiers = policy === null ? [] : (ruleOf(policy, service)?.plans ?? []);
  return tiers.some((tier) => matchesPlan(plan, tier.plan));
}

/** Whether the holder has the role or is in the group (a group given without its leading "/" counts too). */
export function holds(holder: Holder, grant: Grant): boolean {
  if (grant.kind === 'role') return holder.roles.includes(grant.name);
  for (const group of holder.groups) if (group === grant.name || groupPath(group) === grant.name) return true;
  return false;
}

function findPlan(plans: readonly ServicePlan[], wanted: string): ServicePlan | null {
  return plans.find((plan) => plan.id === wanted) ?? plans.find((plan) => matchesPlan(plan, wanted)) ?? null;
}

function matchesPlan(plan: Pick<ServicePlan, 'id' | 'name'>, wanted: string): boolean {
  return plan.id === wanted || plan.name.toLowerCase() === wanted.toLowerCase();
}

function texts(grants: readonly Grant[]): readonly string[] {
  return grants.map((grant) => grant.text);
}

function oneOf(items: readonly string[]): string {
  return items.length === 1 ? (items[0] as string) : `one of ${items.join(', ')}`;
}

/** Whether the policy gives tiers (plans by group) on a service. */
export function hasTiers(policy: EntitlementPolicy | null, service: Pick<ApiService, 'id' | 'systemName'>): boolean {
  return policy !== null && (ruleOf(policy, service)?.plans.length ?? 0) > 0;
}

/**
 * Whether an application's plan may no longer be the one the holder's tier gives — decided without reading the
 * service's plans, so the list can check it on every request: true when the tier the holder holds names
 * another plan, or when the holder holds no tier and the plan is a tier plan.
 * @example if (tierMayDiffer(policy, service, identity, application)) await moveToTier(...);
 */
export function tierMayDiffer(
  policy: EntitlementPolicy | null,
  service: Pick<ApiService, 'id' | 'systemName'>,
  holder: Holder,
  plan: { planId: string; planName: string },
): boolean {
  const tiers = policy === null ? [] : (ruleOf(policy, service)?.plans ?? []);
  if (tiers.length === 0) return false;
  const current = { id: plan.planId, name: plan.planName };
  const held = tiers.find((tier) => holds(holder, tier.grant));
  if (held !== undefined) return !matchesPlan(current, held.plan);
  return tiers.some((tier) => matchesPlan(current, tier.plan));
}
