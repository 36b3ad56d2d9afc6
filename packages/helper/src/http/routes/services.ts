/**
 * @module http/routes/services
 * `GET /api/services` and `POST /api/services/init`: authenticate, limit, call provisioning, shape the data.
 */
import {
  ErrorEnvelope,
  InitRequest,
  InitResponse,
  ServicesQuery,
  ServicesResponse,
  type InitData,
} from '@mlaas/contract';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Identity } from '../../apim/api-manager.js';
import type { SessionCheck } from '../../auth/session-check.js';
import type { TokenVerifier } from '../../auth/token-verifier.js';
import type { HelperMetrics } from '../../metrics/metrics.js';
import type { ServiceSelector } from '@mlaas/contract';
import type { KeyGrant, Provisioning } from '../../provisioning/provisioning.js';
import { authenticate, requireActiveSession } from '../authenticate.js';
import { createLimit, type Check } from '../rate-limits.js';
import { requestOrigin } from '../request-origin.js';
import { createServicesRenderer, serviceSummary } from '../render-services.js';

export interface ServiceRoutesOptions {
  provisioning: Provisioning;
  verifier: TokenVerifier;
  metrics: HelperMetrics;
  exposeKeysInList: boolean;
  limits: { ipPerMinute: number; userPerMinute: number; initPerMinute: number };
  /** Asked before a key is created or revealed; null when the check is off. */
  sessionCheck: SessionCheck | null;
}

const INIT_HINT = 'Send a JSON object with either "service_id" (an id from the services list) or "service_name".';
const BEARER = [{ bearerAuth: [] }];
const JSON_TYPE = 'application/json; charset=utf-8';

export function registerServiceRoutes(app: FastifyInstance, options: ServiceRoutesOptions): void {
  const { provisioning, metrics } = options;
  const limitIp = createLimit(app, 'ip', options.limits.ipPerMinute, metrics);
  const limitUser = createLimit(app, 'user', options.limits.userPerMinute, metrics);
  const limitInit = createLimit(app, 'init', options.limits.initPerMinute, metrics);
  const signIn = authenticate(options.verifier);
  const activeSession = options.sessionCheck === null ? null : requireActiveSession(options.sessionCheck);
  const renderList = createServicesRenderer(options.exposeKeysInList);

  app.get(
    '/api/services',
    {
      // The list reveals keys only when EXPOSE_KEYS_IN_LIST is on: only then is the session checked.
      onRequest: hooks(limitIp, signIn, limitUser, options.exposeKeysInList ? activeSession : null),
      schema: {
        summary: 'ML services, their gateway endpoints, and which ones already have a key',
        description:
          'Only the services the caller is entitled to under the entitlements policy; with all=true also the ' +
          'others, marked entitled: false with the roles or groups that would grant them.',
        tags: ['services'],
        security: BEARER,
        querystring: ServicesQuery,
        response: { 200: ServicesResponse, '4xx': ErrorEnvelope, '5xx': ErrorEnvelope },
      },
    },
    async (request, reply) => {
      const identity = requireIdentity(request);
      const all = (request.query as ServicesQuery).all === 'true';
      const listing = await provisioning.listServices(identity, all ? { all } : undefined);
      return reply.type(JSON_TYPE).send(renderList(listing, identity));
    },
  );

  app.post(
    '/api/services/init',
    {
      onRequest: hooks(limitIp, signIn, limitUser, limitInit, activeSession),
      config: { validationHint: INIT_HINT },
      schema: {
        summary: 'Get the API key for a service, creating the account and the key on first use (idempotent)',
        tags: ['services'],
        security: BEARER,
        body: InitRequest,
        response: { 200: InitResponse, '4xx': ErrorEnvelope, '5xx': ErrorEnvelope },
      },
    },
    async (request, reply) => {
      const identity = requireIdentity(request);
      const grant = await provisioning.initServiceKey(
        identity,
        toSelector(request.body as InitRequestBody),
        requestOrigin(request),
      );
      if (grant.isNew) metrics.keysIssued.inc();
      reply.header('cache-control', 'no-store');
      return { status: 'success' as const, data: toInitDto(grant) };
    },
  );
}

type Hook = Check | ReturnType<typeof authenticate> | ReturnType<typeof requireActiveSession>;

/** The hooks that do something: a limit set to 0 is left out rather than run as a no-op. */
function hooks(...candidates: (Hook | null)[]): Hook[] {
  return candidates.filter((hook): hook is Hook => hook !== null);
}

type InitRequestBody = { service_id: string | number } | { service_name: string };

function toSelector(body: InitRequestBody): ServiceSelector {
  return 'service_id' in body ? { id: String(body.service_id) } : { name: body.service_name };
}

function requireIdentity(request: FastifyRequest): Identity {
  if (request.identity === null) throw new TypeError('route registered without authentication');
  return request.identity;
}

function toInitDto(grant: KeyGrant): InitData {
  return {
    api_key: grant.apiKey,
    app_id: grant.appId,
    service: serviceSummary(grant.service),
    plan: grant.plan,
    is_new: grant.isNew,
    account_id: grant.account.id,
    expires_at: grant.expiresAt === null ? null : grant.expiresAt.toISOString(),
  };
}
