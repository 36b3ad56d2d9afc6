/**
 * @module represent/account
 * Developer accounts. The JSON account carries no users; the XML one nests the bought plans
 * and the users.
 */
import type { AccountRecord, UserRecord } from '../tenant/records.js';
import { formatTime } from './_json.js';
import { type XmlElement, el } from './_xml.js';
import { accountPlanXml, planXml } from './plan.js';
import { type RenderContext, type Rendered, adminUrl } from './representation.js';

export function renderAccount(ctx: RenderContext, account: AccountRecord): Rendered {
  const { tenant } = ctx;
  const appPlans = new Map(tenant.applicationsOf(account.id).map((app) => [app.planId, tenant.getPlan(app.planId)]));
  return {
    json: {
      id: account.id,
      created_at: formatTime(account.createdAt),
      updated_at: formatTime(account.updatedAt),
      credit_card_stored: false,
      monthly_billing_enabled: true,
      monthly_charging_enabled: true,
      state: account.state,
      annotations: {},
      links: [
        { rel: 'self', href: adminUrl(ctx, `accounts/${account.id}`) },
        { rel: 'users', href: adminUrl(ctx, `accounts/${account.id}/users`) },
      ],
      org_name: account.orgName,
    },
    xml: {
      name: 'account',
      content: [
        ...el('id', account.id),
        ...el('created_at', formatTime(account.createdAt)),
        ...el('updated_at', formatTime(account.updatedAt)),
        ...el('state', account.state),
        ...el('annotations', []),
        ...el('org_name', account.orgName),
        ...el('extra_fields', []),
        ...el('monthly_billing_enabled', true),
        ...el('monthly_charging_enabled', true),
        ...el('credit_card_stored', false),
        ...el('plans', [
          accountPlanXml(tenant.accountPlan, tenant.settings.accountApprovalRequired),
          ...[...appPlans.values()].map(planXml),
        ]),
        ...el('users', tenant.usersOf(account.id).map(userXml)),
      ],
    },
  };
}

/** A user of a developer account (porta's UserRepresenter; the username and email are builtin fields). */
export function renderUser(ctx: RenderContext, user: UserRecord): Rendered {
  return {
    json: {
      id: user.id,
      state: user.state,
      role: user.role,
      created_at: formatTime(user.createdAt),
      updated_at: formatTime(user.updatedAt),
      links: [
        { rel: 'account', href: adminUrl(ctx, `accounts/${user.accountId}`) },
        { rel: 'self', href: adminUrl(ctx, `accounts/${user.accountId}/users/${user.id}`) },
      ],
      username: user.username,
      email: user.email,
    },
    xml: userXml(user),
  };
}

function userXml(user: UserRecord): XmlElement {
  return {
    name: 'user',
    content: [
      ...el('id', user.id),
      ...el('created_at', formatTime(user.createdAt)),
      ...el('updated_at', formatTime(user.updatedAt)),
      ...el('account_id', user.accountId),
      ...el('state', user.state),
      ...el('role', user.role),
      ...el('username', user.username),
      ...el('email', user.email),
      ...el('extra_fields', []),
    ],
  };
}
