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
import type { Handler } from './admin-request.js';

/** `GET …/applications/{application_id}/keys`. */
export const listKeys: Handler = ({ pathParams, ctx }) => {
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
export const createKey: Handler = ({ pathParams, params, ctx }) => {
  const app = ctx.tenant.addKey(
    parseId(pathParams.account_id),
    parseId(pathParams.application_id),
    paramString(params, 'key'),
  );
  return created(entityBody('application', renderApplication(ctx, app)));
};

/** `DELETE …/applications/{application_id}/keys/{key}`. */
export const deleteKey: Handler = ({ pathParams, ctx }) => {
  ctx.tenant.removeKey(parseId(pathParams.account_id), parseId(pathParams.application_id), pathParams.key ?? '');
  return emptyOk();
};
