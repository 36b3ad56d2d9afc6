/**
 * @module http/routes/keys
 * The key lifecycle routes: `GET /api/keys`, `POST /api/services/{id}/key/rotate`, `DELETE /api/services/{id}/key`
 * and `GET /api/audit`. Authenticate, limit, call the lifecycle core, shape the data.
 */
import {
  AuditQuery,
  AuditResponse,
  ErrorEnvelope,
  KeysResponse,
  RevokeResponse,
  RotateRequest,
  RotateResponse,
  ServiceKeyParams,
  type AuditData,
  type KeyInfo,
  type RotateData,
} from '@mlaas/contract';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Identity, KeyRecord } from '../../apim/api-manager.js';
import type { TokenVerifier } from '../../auth/token-verifier.js';
import { eventFields, type KeyEvent } from '../../audit/audit-log.js';
import type { HelperMetrics } from '../../metrics/metrics.js';
import type { KeyLifecycle, Rotation } from '../../provisioning/key-lifecycle.js';
import { authenticate } from '../authenticate.js';
import { createLimit, type Check } from '../rate-limits.js';
import { requestOrigin } from '../request-origin.js';

export interface KeyRoutesOptions {
  lifecycle: KeyLifecycle;
  verifier: TokenVerifier;
  metrics: HelperMetrics;
  limits: { ipPerMinute: number; userPerMinute: number; initPerMinute: number };
}

const BEARER = [{ bearerAuth: [] }];
const ERRORS = { '4xx': ErrorEnvelope, '5xx': ErrorEnvelope } as const;
const DEFAULT_AUDIT_LIMIT = 50;

/**
 * The rotate body with this helper's longest grace as the schema's maximum, so the API document states the
 * range a request must keep to (the maximum comes from configuration).
 */
function rotateBody(maxGraceSeconds: number) {
  const { $id: _id, ...schema } = RotateRequest as typeof RotateRequest & { $id?: string };
  const grace = RotateRequest.properties.grace_seconds;
  return { ...schema, properties: { grace_seconds: { ...grace, maximum: maxGraceSeconds } } };
}

export function registerKeyRoutes(app: FastifyInstance, options: KeyRoutesOptions): void {
  const { lifecycle, metrics } = options;
  const limitIp = createLimit(app, 'ip', options.limits.ipPerMinute, metrics);
  const limitUser = createLimit(app, 'user', options.limits.userPerMinute, metrics);
  // Changing a key is limited like getting one: each may call the API manager several times.
  const limitChange = createLimit(app, 'init', options.limits.initPerMinute, metrics);
  const signIn = authenticate(options.verifier);
  const read = hooks(limitIp, signIn, limitUser);
  const change = hooks(limitIp, signIn, limitUser, limitChange);

  app.get(
    '/api/keys',
    {
      onRequest: read,
      schema: {
        summary: "The caller's keys on every service, with their state and deadlines",
        tags: ['keys'],
        security: BEARER,
        response: { 200: KeysResponse, ...ERRORS },
      },
    },
    async (request) => {
      const keys = await lifecycle.listKeys(requireIdentity(request));
      return { status: 'success' as const, data: { keys: keys.map(toKeyInfo) } };
    },
  );

  app.post(
    '/api/services/:id/key/rotate',
    {
      onRequest: change,
      config: {
        validationHint: `Send a JSON object, optionally with "grace_seconds" between 0 and ${lifecycle.maxGraceSeconds()}.`,
      },
      schema: {
        summary: 'Replace the key with a new one; the old key keeps working for the grace period',
        tags: ['keys'],
        security: BEARER,
        params: ServiceKeyParams,
        body: rotateBody(lifecycle.maxGraceSeconds()),
        response: { 200: RotateResponse, ...ERRORS },
      },
    },
    async (request, reply) => {
      const { id } = request.params as { id: string };
      const body = (request.body ?? {}) as RotateRequest;
      const rotation = await lifecycle.rotateKey(
        requireIdentity(request),
        id,
        body.grace_seconds,
        requestOrigin(request),
      );
      reply.header('cache-control', 'no-store');
      return { status: 'success' as const, data: toRotateDto(rotation) };
    },
  );

  app.delete(
    '/api/services/:id/key',
    {
      onRequest: change,
      schema: {
        summary: "Revoke the caller's keys on a service at once; a later init issues a fresh key",
        tags: ['keys'],
        security: BEARER,
        params: ServiceKeyParams,
        response: { 200: RevokeResponse, ...ERRORS },
      },
    },
    async (request) => {
      const { id } = request.params as { id: string };
      const revocation = await lifecycle.revokeKeys(requireIdentity(request), id, requestOrigin(request));
      return {
        status: 'success' as const,
        data: {
          service_id: revocation.service.id,
          revoked: revocation.keyPreviews.map((keyPreview) => ({ key_preview: keyPreview })),
        },
      };
    },
  );

  app.get(
    '/api/audit',
    {
      onRequest: read,
      config: { validationHint: 'limit is 1 to 500; before is an event id from an earlier page.' },
      schema: {
        summary: "The caller's key events, newest first",
        tags: ['keys'],
        security: BEARER,
        querystring: AuditQuery,
        response: { 200: AuditResponse, ...ERRORS },
      },
    },
    async (request) => {
      const query = request.query as AuditQuery;
      const limit = query.limit === undefined ? DEFAULT_AUDIT_LIMIT : Number(query.limit);
      const events = await lifecycle.history(requireIdentity(request), {
        limit,
        ...(query.before === undefined ? {} : { before: Number(query.before) }),
      });
      const data: AuditData = {
        events: events.map(toAuditDto),
        next_before: events.length === limit ? (events.at(-1)?.id ?? null) : null,
      };
      return { status: 'success' as const, data };
    },
  );
}

type Hook = Check | ReturnType<typeof authenticate>;

function hooks(...candidates: (Hook | null)[]): Hook[] {
  return candidates.filter((hook): hook is Hook => hook !== null);
}

function requireIdentity(request: FastifyRequest): Identity {
  if (request.identity === null) throw new TypeError('route registered without authentication');
  return request.identity;
}

const iso = (date: Date | null): string | null => (date === null ? null : date.toISOString());

function toKeyInfo(key: KeyRecord): KeyInfo {
  return {
    service_id: key.serviceId,
    key_preview: key.keyPreview,
    state: key.state,
    created_at: iso(key.createdAt),
    expires_at: iso(key.expiresAt),
    valid_until: iso(key.validUntil),
  };
}

function toRotateDto(rotation: Rotation): RotateData {
  return {
    service_id: rotation.service.id,
    api_key: rotation.application.apiKey,
    app_id: rotation.application.appId,
    key_preview: rotation.application.keyPreview,
    expires_at: iso(rotation.application.expiresAt ?? null),
    previous: {
      key_preview: rotation.previous.keyPreview,
      valid_until: rotation.previous.validUntil.toISOString(),
    },
    rotated: rotation.rotated,
  };
}

export function toAuditDto(event: KeyEvent): AuditData['events'][number] {
  return { id: event.id, ...eventFields(event) };
}
