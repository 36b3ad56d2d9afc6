/**
 * @module handlers/admin-request
 * What every Admin API handler receives and returns: an authenticated request with merged parameters,
 * and a {@link Reply}. Handlers throw tenant errors; the caller renders them.
 */
import { notFound } from '../errors.js';
import type { Reply } from '../http/reply.js';
import type { Params } from '../http/params.js';
import type { RenderContext } from '../represent/representation.js';

export interface AdminRequest {
  method: string;
  /** Path parameters by route name (`account_id`, `id`, …), as sent. */
  pathParams: Record<string, string>;
  params: Params;
  ctx: RenderContext;
  /** Set by the `ignore_paging` fault: list everything, like a 3scale older than 2.10. */
  ignorePaging: boolean;
  /** Products the token's owner may see (a member's permitted ones); null: all. Others answer 404. */
  visibleServiceIds?: ReadonlySet<number> | null;
}

/** Throws the 404 3scale answers for a product the caller may not see. */
export function assertSeesService(request: Pick<AdminRequest, 'visibleServiceIds'>, serviceId: number): void {
  if (!canSeeService(request, serviceId)) throw notFound('service');
}

/** Whether the caller may see a product. */
export function canSeeService(request: Pick<AdminRequest, 'visibleServiceIds'>, serviceId: number): boolean {
  return request.visibleServiceIds == null || request.visibleServiceIds.has(serviceId);
}

export type Handler = (request: AdminRequest) => Reply;
