/**
 * @module handlers/services
 * Service List (paginated) and Service Read, Proxy Read and Application Plan List.
 */
import { paramString } from '../http/params.js';
import { ok } from '../http/reply.js';
import { renderPlan } from '../represent/plan.js';
import { renderProxy } from '../represent/proxy.js';
import { type PageMeta, collectionBody, entityBody } from '../represent/representation.js';
import { renderService } from '../represent/service.js';
import { parseId } from '../tenant/tenant.js';
import { type Handler, assertSeesService, canSeeService } from './admin-request.js';

/** `per_page` default and maximum (spec: "Default and max is 500"). */
export const MAX_PER_PAGE = 500;

/**
 * A paging parameter as porta's pagination filter reads it: an integer within range, else the default —
 * silently, with no error, so `per_page=1000` gives 500 items, not 1000.
 */
export function pagingValue(raw: string | undefined, fallback: number, max = Number.MAX_SAFE_INTEGER): number {
  if (raw === undefined || !/^\d+$/.test(raw.trim())) return fallback;
  const value = Number(raw.trim());
  return value >= 1 && value <= max ? value : fallback;
}

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
  const page = pagingValue(paramString(params, 'page'), 1);
  const perPage = pagingValue(paramString(params, 'per_page'), MAX_PER_PAGE, MAX_PER_PAGE);
  const items = all.slice((page - 1) * perPage, page * perPage);
  const meta: PageMeta | undefined =
    perPage < all.length
      ? {
          per_page: perPage,
          total_entries: all.length,
          total_pages: Math.ceil(all.length / perPage),
          current_page: page,
        }
      : undefined;
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
