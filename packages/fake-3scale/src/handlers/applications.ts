/**
 * @module handlers/applications
 * An account's applications: list (with the undocumented `state` filter), create, read, update,
 * suspend/resume/accept, delete; and the tenant-wide Application Find.
 */
import { type Params, paramString } from '../http/params.js';
import { created, emptyOk, ok } from '../http/reply.js';
import { renderApplication } from '../represent/application.js';
import { renderPlan } from '../represent/plan.js';
import { adminUrl, collectionBody, entityBody } from '../represent/representation.js';
import type { ApplicationRecord } from '../tenant/records.js';
import { type ApplicationEvent, type ApplicationInput, parseId } from '../tenant/tenant.js';
import { type AdminRequest, type Handler, assertSeesService, canSeeService } from './admin-request.js';
import { pageOf } from '../http/paging.js';

/** The application the path names, if the caller may see its product (else 404, as for a missing one). */
function visibleApplication(request: AdminRequest, idParam: string | undefined): ApplicationRecord {
  const { pathParams, ctx } = request;
  const app = ctx.tenant.getApplication(parseId(pathParams.account_id), parseId(idParam));
  assertSeesService(request, app.serviceId);
  return app;
}

function applicationInput(params: Params): ApplicationInput {
  return {
    planId: paramString(params, 'plan_id'),
    name: paramString(params, 'name'),
    description: paramString(params, 'description'),
    userKey: paramString(params, 'user_key'),
    applicationId: paramString(params, 'application_id'),
    applicationKey: paramString(params, 'application_key'),
    redirectUrl: paramString(params, 'redirect_url'),
    firstTrafficAt: paramString(params, 'first_traffic_at'),
    firstDailyTrafficAt: paramString(params, 'first_daily_traffic_at'),
    extra: otherParams(params),
  };
}

/** String parameters that are neither builtin ones nor the token: candidates for extra fields. */
function otherParams(params: Params): Record<string, string> {
  const extra: Record<string, string> = {};
  for (const name of Object.keys(params)) {
    if (name === 'access_token' || name === 'provider_key') continue;
    const text = paramString(params, name);
    if (text !== undefined) extra[name] = text;
  }
  return extra;
}

/**
 * `GET /admin/api/applications`: every application of the tenant's products the caller may see, by id,
 * paginated like the services list, filtered by `service_id`, `plan_id`, `state` and `account`.
 */
export const listAllApplications: Handler = (request) => {
  const { params, ctx, ignorePaging } = request;
  const all = ctx.tenant
    .searchApplications({
      serviceId: paramString(params, 'service_id'),
      planId: paramString(params, 'plan_id'),
      state: paramString(params, 'state'),
      account: paramString(params, 'account'),
    })
    .filter((a) => canSeeService(request, a.serviceId));
  const { items, meta } = ignorePaging ? { items: all, meta: undefined } : pageOf(all, params);
  return ok(
    collectionBody(
      'applications',
      'application',
      items.map((a) => renderApplication(ctx, a)),
      meta,
    ),
  );
};

/**
 * `PUT …/applications/{id}/change_plan`: `plan_id` of another plan of the application's product; answers
 * with the plan (porta renders the new plan, or the requested one when it was already the application's).
 */
export const changeApplicationPlan: Handler = (request) => {
  const { pathParams, params, ctx } = request;
  visibleApplication(request, pathParams.id);
  const app = ctx.tenant.changeApplicationPlan(
    parseId(pathParams.account_id),
    parseId(pathParams.id),
    paramString(params, 'plan_id'),
  );
  return ok(entityBody('application_plan', renderPlan(ctx, ctx.tenant.getPlan(app.planId))));
};

/** `GET /admin/api/accounts/{account_id}/applications`: no pagination, no service filter. */
export const listApplications: Handler = (request) => {
  const { pathParams, params, ctx } = request;
  const apps = ctx.tenant
    .applicationsOf(parseId(pathParams.account_id), paramString(params, 'state'))
    .filter((a) => canSeeService(request, a.serviceId));
  return ok(
    collectionBody(
      'applications',
      'application',
      apps.map((a) => renderApplication(ctx, a)),
    ),
  );
};

/** `POST /admin/api/accounts/{account_id}/applications`: 201; no duplicate guard. */
export const createApplication: Handler = ({ pathParams, params, ctx }) => {
  const app = ctx.tenant.createApplication(parseId(pathParams.account_id), applicationInput(params));
  return created(
    entityBody('application', renderApplication(ctx, app)),
    adminUrl(ctx, `accounts/${app.accountId}/applications/${app.id}`),
  );
};

/** `GET /admin/api/accounts/{account_id}/applications/{id}`. */
export const readApplication: Handler = (request) => {
  const { pathParams, ctx } = request;
  const app = visibleApplication(request, pathParams.id);
  return ok(entityBody('application', renderApplication(ctx, app)));
};

/** `PUT /admin/api/accounts/{account_id}/applications/{id}`. */
export const updateApplication: Handler = (request) => {
  const { pathParams, params, ctx } = request;
  visibleApplication(request, pathParams.id);
  const input = applicationInput(params);
  // plan_id, application_id and keys are not updatable here.
  const app = ctx.tenant.updateApplication(parseId(pathParams.account_id), parseId(pathParams.id), {
    name: input.name,
    description: input.description,
    redirectUrl: input.redirectUrl,
    firstTrafficAt: input.firstTrafficAt,
    firstDailyTrafficAt: input.firstDailyTrafficAt,
    userKey: input.userKey,
    extra: input.extra,
  });
  return ok(entityBody('application', renderApplication(ctx, app)));
};

/** `PUT …/applications/{id}/suspend|resume|accept`. */
export function transitionApplication(event: ApplicationEvent): Handler {
  return (request) => {
    const { pathParams, ctx } = request;
    visibleApplication(request, pathParams.id);
    const app = ctx.tenant.transitionApplication(parseId(pathParams.account_id), parseId(pathParams.id), event);
    return ok(entityBody('application', renderApplication(ctx, app)));
  };
}

/** `DELETE /admin/api/accounts/{account_id}/applications/{id}`: an empty 200. */
export const deleteApplication: Handler = (request) => {
  const { pathParams, ctx } = request;
  visibleApplication(request, pathParams.id);
  ctx.tenant.deleteApplication(parseId(pathParams.account_id), parseId(pathParams.id));
  return emptyOk();
};

/** `GET /admin/api/applications/find`. */
export const findApplication: Handler = (request) => {
  const { params, ctx } = request;
  const app = ctx.tenant.findApplication({
    applicationId: paramString(params, 'application_id'),
    userKey: paramString(params, 'user_key'),
    appId: paramString(params, 'app_id'),
    serviceId: paramString(params, 'service_id'),
  });
  assertSeesService(request, app.serviceId);
  return ok(entityBody('application', renderApplication(ctx, app)));
};
