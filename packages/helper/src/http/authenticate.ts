/**
 * @module http/authenticate
 * Reads the bearer token of a request and asks the verifier whom it speaks for.
 */
import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import type { Identity } from '../apim/api-manager.js';
import type { SessionCheck } from '../auth/session-check.js';
import type { TokenVerifier } from '../auth/token-verifier.js';
import { HelperError } from '../errors/helper-error.js';

declare module 'fastify' {
  interface FastifyRequest {
    identity: Identity | null;
  }
}

/** RFC 6750 §2.1: `Authorization: Bearer <token>`, scheme case-insensitive. */
const BEARER = /^Bearer +([^ ]+) *$/i;

/**
 * Creates the hook of protected routes: sets `request.identity` or fails with MISSING_AUTH / INVALID_TOKEN.
 * A token verified before is answered synchronously (most requests); only new tokens wait for verification.
 * @example app.get('/api/services', { onRequest: authenticate(verifier) }, handler)
 */
export function authenticate(verifier: TokenVerifier) {
  return function authenticateRequest(
    request: FastifyRequest,
    _reply: FastifyReply,
    done: HookHandlerDoneFunction,
  ): void {
    const header = request.headers.authorization;
    if (header === undefined || header.trim() === '') {
      done(new HelperError('MISSING_AUTH', 'Sign in first: send an access token as "Authorization: Bearer <token>".'));
      return;
    }
    const match = BEARER.exec(header);
    if (match === null) {
      done(new HelperError('MISSING_AUTH', 'The Authorization header must be "Bearer <token>".'));
      return;
    }
    const token = match[1] as string;
    const identity = verifier.known(token);
    if (identity !== null) {
      request.identity = identity;
      done();
      return;
    }
    verifier.verify(token).then((verified) => {
      request.identity = verified;
      done();
    }, done);
  };
}

/**
 * Creates the hook of routes that create or reveal a key: after `authenticate`, asks the issuer whether the
 * token's session is still active (one call per such request).
 * @example app.post('/api/services/init', { onRequest: [authenticate(verifier), requireActiveSession(check)] }, handler)
 */
export function requireActiveSession(check: SessionCheck) {
  return async function requireActiveSessionHook(request: FastifyRequest): Promise<void> {
    const match = BEARER.exec(request.headers.authorization ?? '');
    if (match === null) throw new HelperError('MISSING_AUTH', 'Sign in first.');
    await check(match[1] as string);
  };
}
