/**
 * @module http/authenticate
 * Reads the bearer token of a request and asks the verifier whom it speaks for.
 */
import type { FastifyRequest } from 'fastify';
import type { Identity } from '../apim/api-manager.js';
import type { TokenVerifier } from '../auth/token-verifier.js';
import { MlaasError } from '../errors/mlaas-error.js';

declare module 'fastify' {
  interface FastifyRequest {
    identity: Identity | null;
  }
}

/** RFC 6750 §2.1: `Authorization: Bearer <token>`, scheme case-insensitive. */
const BEARER = /^Bearer +([^ ]+) *$/i;

/**
 * Creates the preHandler of protected routes: sets `request.identity` or throws MISSING_AUTH / INVALID_TOKEN.
 * @example app.get('/api/services', { preHandler: authenticate(verifier) }, handler)
 */
export function authenticate(verifier: TokenVerifier) {
  return async function authenticateRequest(request: FastifyRequest): Promise<void> {
    const header = request.headers.authorization;
    if (header === undefined || header.trim() === '') {
      throw new MlaasError('MISSING_AUTH', 'Sign in first: send an access token as "Authorization: Bearer <token>".');
    }
    const match = BEARER.exec(header);
    if (match === null) {
      throw new MlaasError('MISSING_AUTH', 'The Authorization header must be "Bearer <token>".');
    }
    request.identity = await verifier.verify(match[1] as string);
  };
}
