/**
 * @module handlers/accounts
 * Account Find, Account Read and Signup Express.
 */
import { paramString } from '../http/params.js';
import { created, ok } from '../http/reply.js';
import { renderAccount, renderUser } from '../represent/account.js';
import { adminUrl, collectionBody, entityBody } from '../represent/representation.js';
import { parseId } from '../tenant/tenant.js';
import type { Handler } from './admin-request.js';

/** `GET /admin/api/accounts/find`: username, else user_id, else email; 404 when none matches. */
export const findAccount: Handler = ({ params, ctx }) => {
  const account = ctx.tenant.findAccount({
    username: paramString(params, 'username'),
    userId: paramString(params, 'user_id'),
    email: paramString(params, 'email'),
  });
  return ok(entityBody('account', renderAccount(ctx, account)));
};

/** `GET /admin/api/accounts/{id}`. */
export const readAccount: Handler = ({ pathParams, ctx }) => {
  const account = ctx.tenant.getAccount(parseId(pathParams.id));
  return ok(entityBody('account', renderAccount(ctx, account)));
};

/** `POST /admin/api/signup`: 201 with the new account; 422 with field errors. */
export const signup: Handler = ({ params, ctx }) => {
  const account = ctx.tenant.signup({
    orgName: paramString(params, 'org_name'),
    name: paramString(params, 'name'),
    username: paramString(params, 'username'),
    email: paramString(params, 'email'),
    password: paramString(params, 'password'),
    applicationPlanId: paramString(params, 'application_plan_id'),
  });
  return created(entityBody('account', renderAccount(ctx, account)), adminUrl(ctx, `accounts/${account.id}`));
};

/** `GET /admin/api/accounts/{account_id}/users`: the account's users, admins first. */
export const listUsers: Handler = ({ pathParams, ctx }) => {
  const account = ctx.tenant.getAccount(parseId(pathParams.account_id));
  return ok(
    collectionBody(
      'users',
      'user',
      ctx.tenant.usersOf(account.id).map((user) => renderUser(ctx, user)),
    ),
  );
};
