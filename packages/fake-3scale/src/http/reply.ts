/**
 * @module http/reply
 * Replies and 3scale's status codes and error bodies: 201 on create, an empty 200 on
 * delete, 403 `{"error":"Access denied"}`, 404 `{"status":"Not found"}` (empty in XML), 422
 * `{"errors":{…}}` (full messages in XML), and a 403 for a DELETE that fails validation. Tenant errors are
 * turned into replies here and nowhere else.
 */
import { type FieldErrors, isFake3scaleError } from '../errors.js';
import { toJson } from '../represent/_json.js';
import { XML_DECLARATION, escapeXml } from '../represent/_xml.js';
import type { Body } from '../represent/representation.js';
import { type Format, contentTypeOf } from './format.js';

export interface Reply {
  status: number;
  /** `null`: an empty body (`head :ok` and friends). */
  body: Body | null;
  headers?: Record<string, string>;
}

/** A reply ready for the wire. */
export interface WireReply {
  status: number;
  headers: Record<string, string>;
  payload: string;
}

const bodyOf = (json: string, xml: string): Body => ({ json: () => json, xml: () => xml });

export const ok = (body: Body): Reply => ({ status: 200, body });

/** 201 with the created record and its URL (Rails responders add `Location`). */
export const created = (body: Body, location?: string): Reply => ({
  status: 201,
  body,
  ...(location ? { headers: { location } } : {}),
});

export const emptyOk = (): Reply => ({ status: 200, body: null });

export const ACCESS_DENIED: Reply = {
  status: 403,
  body: bodyOf(toJson({ error: 'Access denied' }), `${XML_DECLARATION}<error>Access denied</error>`),
};

/** A known token without the scope, permission or write access the call needs (porta `ByAccessToken`). */
export const PERMISSION_MESSAGE = 'Your access token does not have the correct permissions';
export const PERMISSION_DENIED: Reply = {
  status: 403,
  body: bodyOf(toJson({ error: PERMISSION_MESSAGE }), `${XML_DECLARATION}<error>${PERMISSION_MESSAGE}</error>`),
};

export const NOT_FOUND: Reply = { status: 404, body: bodyOf(toJson({ status: 'Not found' }), '') };

/** Unknown format suffix (porta test `test_unknown_format`). */
export const NOT_ACCEPTABLE: Reply = { status: 406, body: null };

/** "User key has already been taken": Rails' full message, used in XML error lists. */
export function fullMessage(field: string, message: string): string {
  if (field === 'base') return message;
  const human = field.replace(/_id$/, '').replace(/_/g, ' ');
  return `${human.charAt(0).toUpperCase()}${human.slice(1)} ${message}`;
}

function validationReply(status: number, errors: FieldErrors): Reply {
  const items = Object.entries(errors).flatMap(([field, messages]) =>
    messages.map((m) => `<error>${escapeXml(fullMessage(field, m))}</error>`),
  );
  return { status, body: bodyOf(toJson({ errors }), `${XML_DECLARATION}<errors>${items.join('')}</errors>`) };
}

/** The reply for a tenant error; anything else is rethrown (a bug in the fake). */
export function errorReply(error: unknown, method: string): Reply {
  if (isFake3scaleError(error, 'ERR_NOT_FOUND')) return NOT_FOUND;
  if (isFake3scaleError(error, 'ERR_INVALID')) {
    // A DELETE whose validation fails is a 403, not a 422 (porta `Responder#error_status`).
    return validationReply(method === 'DELETE' ? 403 : 422, error.fieldErrors ?? {});
  }
  if (isFake3scaleError(error, 'ERR_REFUSED')) {
    return {
      status: 422,
      body: bodyOf(toJson({ error: error.message }), `${XML_DECLARATION}<error>${escapeXml(error.message)}</error>`),
    };
  }
  throw error;
}

/** Status, headers and payload for a format. An empty body still carries the format's content type, as `head` does. */
export function toWire(reply: Reply, format: Format): WireReply {
  const payload = reply.body === null ? '' : format === 'json' ? reply.body.json() : reply.body.xml();
  const headers: Record<string, string> = {
    'content-type': contentTypeOf(format),
    'content-length': String(Buffer.byteLength(payload)),
    ...reply.headers,
  };
  return { status: reply.status, headers, payload };
}
