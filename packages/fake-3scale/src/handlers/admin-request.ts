/**
 * @module handlers/admin-request
 * What every Admin API handler receives and returns: an authenticated request with merged parameters,
 * and a {@link Reply}. Handlers throw tenant errors; the caller renders them.
 */
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
}

export type Handler = (request: AdminRequest) => Reply;
