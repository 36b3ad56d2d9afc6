/**
 * @module http/request-origin
 * Where a request came from, as the audit trail records it.
 */
import type { FastifyRequest } from 'fastify';
import type { RequestOrigin } from '../audit/audit-log.js';
import { printable } from '../lib/printable.js';

/** User-Agent strings are cut here: enough for a client's name and version, not for a payload. */
const MAX_CLIENT_LENGTH = 200;

export function requestOrigin(request: FastifyRequest): RequestOrigin {
  const agent = request.headers['user-agent'];
  return {
    clientAddress: request.ip ?? null,
    client: typeof agent === 'string' && agent !== '' ? printable(agent, MAX_CLIENT_LENGTH) : null,
    requestId: request.id,
  };
}
