/**
 * @module handlers/services
 * Service List (paginated) and Service Read, Proxy Read and Application Plan List.
 */
import { pageOf } from '../http/paging.js';
import { ok } from '../http/reply.js';
import { renderPlan } from '../represent/plan.js';
import { renderProxy } from '../represent/proxy.js';
import { collectionBody, entityBody } from '../represent/representation.js';
import { renderService } from '../represent/service.js';
import { parseId } from '../tenant/tenant.js';
import { type Handler, assertSeesService, canSeeService } from './admin-request.js';

/** `GET /admin/api/services`: ordered by id; metadata only when one page does not hold everything. */
export const listServices: Handler = (request) => {
  const { params, ctx, ignorePaging } = request;
  const all = ctx.tenant.listServices().filter((s) => canSeeService(request, s.id));
  if (ignorePaging) {
    return ok(
      collectionBody(
        'services',
        'service',
        all.map((s) => renderService(ctx, s)),
      ),
    );
  }
  const { items, meta } = pageOf(all, params);
  return ok(
    collectionBody(
      'services',
      'service',
      items.map((s) => renderService(ctx, s)),
      meta,
    ),
  );
};

/** `GET /admin/api/services/{id}`. */
export const readService: Handler = (request) => {
  const { pathParams, ctx } = request;
  const service = ctx.tenant.getService(parseId(pathParams.id));
  assertSeesService(request, service.id);
  return ok(entityBody('service', renderService(ctx, service)));
};

/** `GET /admin/api/services/{service_id}/proxy`. */
export const readProxy: Handler = (request) => {
  const { pathParams, ctx } = request;
  const serviceId = parseId(pathParams.service_id);
  const proxy = ctx.tenant.getProxy(serviceId);
  assertSeesService(request, proxy.serviceId);
  return ok(entityBody('proxy', renderProxy(ctx, proxy, ctx.tenant.getService(serviceId))));
};

/** `GET /admin/api/services/{service_id}/application_plans`: every plan, no pagination. */
export const listPlans: Handler = (request) => {
  const { pathParams, ctx } = request;
  const plans = ctx.tenant.plansOf(parseId(pathParams.service_id));
  assertSeesService(request, ctx.tenant.getService(parseId(pathParams.service_id)).id);
  return ok(
    collectionBody(
      'plans',
      'application_plan',
      plans.map((p) => renderPlan(ctx, p)),
    ),
  );
};
