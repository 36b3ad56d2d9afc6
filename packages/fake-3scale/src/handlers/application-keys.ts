/**
 * @module handlers/application-keys
 * App keys of an application: list, create (201 with the *application*, not the key) and delete (an empty
 * 200).
 */
import { paramString } from '../http/params.js';
import { created, emptyOk, ok } from '../http/reply.js';
import { renderKey } from '../represent/application-key.js';
import { renderApplication } from '../represent/application.js';
import { collectionBody, entityBody } from '../represent/representation.js';
import { parseId } from '../tenant/tenant.js';
import { type AdminRequest, type Handler, assertSeesService } from './admin-request.js';

/** 404 unless the caller may see the product of the application the path names. */
function checkVisible(request: AdminRequest): void {
  const { pathParams, ctx } = request;
  const app = ctx.tenant.getApplication(parseId(pathParams.account_id), parseId(pathParams.application_id));
  assertSeesService(request, app.serviceId);
}

/** `GET …/applications/{application_id}/keys`. */
export const listKeys: Handler = (request) => {
  const { pathParams, ctx } = request;
  checkVisible(request);
  const app = ctx.tenant.getApplication(parseId(pathParams.account_id), parseId(pathParams.application_id));
  return ok(
    collectionBody(
      'keys',
      'key',
      app.keys.map((k) => renderKey(ctx, app, k)),
    ),
  );
};

/** `POST …/applications/{application_id}/keys`: `key` optional (3scale generates one). */
export const createKey: Handler = (request) => {
  const { pathParams, params, ctx } = request;
  checkVisible(request);
  const app = ctx.tenant.addKey(
    parseId(pathParams.account_id),
    parseId(pathParams.application_id),
    paramString(params, 'key'),
  );
  return created(entityBody('application', renderApplication(ctx, app)));
};

/** `DELETE …/applications/{application_id}/keys/{key}`. */
export const deleteKey: Handler = (request) => {
  const { pathParams, ctx } = request;
  checkVisible(request);
  ctx.tenant.removeKey(parseId(pathParams.account_id), parseId(pathParams.application_id), pathParams.key ?? '');
  return emptyOk();
};
