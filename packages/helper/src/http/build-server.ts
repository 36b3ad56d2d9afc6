/**
 * @module http/build-server
 * Assembles the Fastify server: limits, request ids, security headers, logging and metrics hooks, the
 * routes, and the single error handler that turns every failure into the error envelope.
 */
import rateLimit from '@fastify/rate-limit';
import Fastify, {
  LogController,
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
} from 'fastify';
import type { Redis } from 'ioredis';
import type { Socket } from 'node:net';
import type { SessionCheck } from '../auth/session-check.js';
import type { TokenVerifier } from '../auth/token-verifier.js';
import type { HelperConfig, TrustProxy } from '../config/config.js';
import { HelperError, isHelperError } from '../errors/helper-error.js';
import { lazyChildLogger } from '../log/lazy-child-logger.js';
import type { Logger } from '../log/logger.js';
import type { HelperMetrics } from '../metrics/metrics.js';
import type { KeyLifecycle } from '../provisioning/key-lifecycle.js';
import type { Provisioning } from '../provisioning/provisioning.js';
import { toErrorResponse } from './error-response.js';
import { REQUEST_ID_HEADER, requestIdFor } from './request-id.js';
import { registerHealthRoutes, type ReadinessCheck } from './routes/health.js';
import { registerMetricsRoute } from './routes/metrics.js';
import { registerOpenApi } from './routes/openapi.js';
import { registerKeyRoutes } from './routes/keys.js';
import { registerServiceRoutes } from './routes/services.js';
import { registerUsageRoutes } from './routes/usage.js';
import type { UsageReader } from '../usage/usage-report.js';
import { registerWebUi } from './routes/web-ui.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** One line telling how a valid request looks, returned on VALIDATION_ERROR. */
    validationHint?: string;
  }
}

export interface ServerDependencies {
  config: HelperConfig;
  logger: Logger;
  metrics: HelperMetrics;
  provisioning: Provisioning;
  /** The key lifecycle routes are served only with one. */
  lifecycle?: KeyLifecycle;
  /** The usage route is served only with one. */
  usage?: UsageReader;
  verifier: TokenVerifier;
  /** Asked before a key is created or revealed; null when the check is off. */
  sessionCheck?: SessionCheck | null;
  readiness: readonly ReadinessCheck[];
  version: string;
  /** Serve /metrics on this server (false when it has a port of its own). */
  serveMetrics: boolean;
  /** Shared counters for rate limits across replicas; in-process counters when null. */
  redis?: Redis | null;
}

/** Headers on every response: no sniffing, no framing, no referrer, nothing cached unless a route says so. */
const SECURITY_HEADERS: Record<string, string> = {
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
  'cache-control': 'no-store',
};
const SECURITY_HEADER_ENTRIES = Object.entries(SECURITY_HEADERS);

/**
 * Builds the helper's HTTP server (not yet listening).
 * @example const app = await buildServer(deps); await app.listen({ port: 5000, host: '127.0.0.1' });
 */
export async function buildServer(deps: ServerDependencies): Promise<FastifyInstance> {
  const { config, metrics } = deps;
  const app = Fastify({
    loggerInstance: deps.logger as FastifyBaseLogger,
    // One line per request is written by the onResponse hook below, with the route and the user.
    logController: new LogController({ disableRequestLogging: true, requestIdLogLabel: 'request_id' }),
    genReqId: requestIdFor,
    childLoggerFactory: lazyChildLogger,
    bodyLimit: config.limits.bodyBytes,
    http: { maxHeaderSize: config.limits.headerBytes },
    requestTimeout: config.limits.requestTimeoutMs,
    trustProxy: fastifyTrustProxy(config.limits.trustProxy),
    // Requests that reach a closing server on a kept-alive connection get the envelope below instead of
    // Fastify's own 503 body, which is not the API's error envelope and carries none of its headers.
    return503OnClosing: false,
    forceCloseConnections: 'idle',
    clientErrorHandler: answerClientError,
    // Errors before routing (a URL that does not decode, a bad Content-Type): the same envelope as the rest.
    frameworkErrors: (error, request, reply) => {
      setCommonHeaders(request, reply);
      void sendError(error, request, reply);
    },
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, allErrors: true, useDefaults: false } },
  });

  // JSON only: Fastify's default text/plain parser would hand strings to routes that expect objects.
  app.removeContentTypeParser('text/plain');
  // Response schemas document the API (OpenAPI) and tests check every response against them; serialising
  // with JSON.stringify is faster here than schema-compiled serialisers for these small nullable-heavy bodies.
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
  // With Redis, every replica counts into the same windows; if Redis fails, requests pass rather than fail.
  await app.register(rateLimit, {
    global: false,
    cache: 50_000,
    ...(deps.redis ? { redis: deps.redis, nameSpace: `${config.redis?.keyPrefix ?? ''}rate:`, skipOnError: true } : {}),
  });
  // Registered before any route (the document's own included), so every known path answers 405, not 404,
  // to a method it does not take.
  const methodsByPath = new Map<string, Set<string>>();
  app.addHook('onRoute', (route) => {
    const methods = methodsByPath.get(route.url) ?? new Set<string>();
    for (const method of [route.method].flat()) methods.add(method);
    methodsByPath.set(route.url, methods);
  });
  await registerOpenApi(app, deps.version);

  app.decorateRequest('identity', null);
  // While shutting down, responses to in-flight requests end their keep-alive connections, so the server
  // can close as soon as they are answered instead of waiting for clients to hang up.
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onRequest', (_request, _reply, done) => {
    if (!closing) return done();
    done(
      new HelperError('NOT_READY', 'This server is shutting down; send the request again.', { retryAfterSeconds: 1 }),
    );
  });
  app.addHook('onSend', (request, reply, payload, done) => {
    setCommonHeaders(request, reply);
    if (closing) reply.header('connection', 'close');
    done(null, payload);
  });
  const observe = createObserver(deps);
  app.addHook('onResponse', (request, reply, done) => {
    observe(request, reply);
    done();
  });

  const answerUnrouted = (request: FastifyRequest, reply: FastifyReply) => {
    const path = request.url.split('?')[0] ?? '';
    const allowed = methodsByPath.get(path);
    if (allowed !== undefined) {
      reply.header('allow', [...allowed].join(', '));
      return sendError(
        new HelperError(
          'METHOD_NOT_ALLOWED',
          `${request.method} is not supported here; use ${[...allowed].join(' or ')}.`,
        ),
        request,
        reply,
      );
    }
    return sendError(
      new HelperError('NOT_FOUND', 'There is nothing at this path; see /api/openapi.json.'),
      request,
      reply,
    );
  };
  // A request no route takes can still fail on its body first (e.g. QUERY without a Content-Type): what it
  // needs to hear is that nothing here takes it, not what is wrong with a body no route would read.
  app.setErrorHandler(async (error, request, reply) =>
    request.is404 && !isHelperError(error) ? answerUnrouted(request, reply) : sendError(error, request, reply),
  );
  app.setNotFoundHandler(async (request, reply) => answerUnrouted(request, reply));

  registerHealthRoutes(app, deps.readiness);
  registerServiceRoutes(app, {
    provisioning: deps.provisioning,
    verifier: deps.verifier,
    metrics,
    exposeKeysInList: config.apim.exposeKeysInList,
    limits: config.limits,
    sessionCheck: deps.sessionCheck ?? null,
  });
  if (deps.lifecycle !== undefined) {
    registerKeyRoutes(app, { lifecycle: deps.lifecycle, verifier: deps.verifier, metrics, limits: config.limits });
  }
  if (deps.usage !== undefined) {
    registerUsageRoutes(app, { reader: deps.usage, verifier: deps.verifier, metrics, limits: config.limits });
  }
  if (config.webUi.enabled) registerWebUi(app, { issuer: config.oidc.issuer, clientId: config.webUi.clientId });
  if (deps.serveMetrics) registerMetricsRoute(app, metrics.registry);
  return app;
}

/**
 * Fastify's form of TRUST_PROXY. A hop count trusts that many addresses from the right of X-Forwarded-For
 * (the socket's peer first); a list trusts only those proxies. Either way the client address is the
 * right-most entry no trusted proxy added, so a client cannot choose it by sending X-Forwarded-For itself.
 */
function fastifyTrustProxy(trust: TrustProxy): boolean | string[] | ((address: string, hop: number) => boolean) {
  if (trust === false) return false;
  if (typeof trust === 'number') return (_address, hop) => hop < trust;
  return trust;
}

function setCommonHeaders(request: FastifyRequest, reply: FastifyReply): void {
  reply.header(REQUEST_ID_HEADER, request.id);
  for (const [name, value] of SECURITY_HEADER_ENTRIES) {
    if (!reply.hasHeader(name)) reply.header(name, value);
  }
}

async function sendError(error: unknown, request: FastifyRequest, reply: FastifyReply) {
  const response = toErrorResponse(error, request.id, request.routeOptions.config?.validationHint);
  if (response.isServerFault) {
    request.log.error({ err: error, code: response.code }, 'request failed');
  } else if (response.code === 'CONFIG_ERROR') {
    request.log.error({ err: error }, 'configuration problem');
  }
  reply.code(response.status).headers(response.headers).type('application/json; charset=utf-8');
  return reply.send(response.body);
}

/** Records each response: its duration in the histogram (label sets bound once) and one log line. */
function createObserver(deps: ServerDependencies) {
  const histograms = new Map<string, ReturnType<HelperMetrics['requestDuration']['labels']>>();
  const { logger, metrics } = deps;
  return (request: FastifyRequest, reply: FastifyReply): void => {
    const route = request.routeOptions.url ?? 'unmatched';
    const status = reply.statusCode;
    const key = `${request.method} ${route} ${status}`;
    let histogram = histograms.get(key);
    if (histogram === undefined) {
      histogram = metrics.requestDuration.labels(request.method, route, String(status));
      histograms.set(key, histogram);
    }
    histogram.observe(reply.elapsedTime / 1000);
    if (!logger.isLevelEnabled('info')) return;
    logger.info(
      {
        request_id: request.id,
        method: request.method,
        route,
        path: request.url.split('?')[0]?.slice(0, 200),
        status,
        duration_ms: Math.round(reply.elapsedTime * 100) / 100,
        user: request.identity?.userId,
      },
      'request completed',
    );
  };
}

/** Errors Node's HTTP parser meets before a request exists (oversized headers, garbage, timeouts). */
function answerClientError(error: Error & { code?: string }, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed || !socket.writable) {
    socket.destroy();
    return;
  }
  const code =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? 'REQUEST_HEADER_TOO_LARGE'
      : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? 'REQUEST_TIMEOUT'
        : 'VALIDATION_ERROR';
  const message =
    code === 'REQUEST_HEADER_TOO_LARGE'
      ? 'The request headers are too large.'
      : code === 'REQUEST_TIMEOUT'
        ? 'The request took too long to arrive.'
        : 'The request is not valid HTTP.';
  const { status, body } = toErrorResponse(new HelperError(code, message), 'none');
  const json = JSON.stringify(body);
  socket.end(
    `HTTP/1.1 ${status} ${statusText(status)}\r\nContent-Type: application/json; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(json)}\r\nConnection: close\r\n${RAW_SECURITY_HEADERS}\r\n${json}`,
  );
}

/** The security headers as raw header lines, for answers written to the socket directly. */
const RAW_SECURITY_HEADERS = Object.entries(SECURITY_HEADERS)
  .map(([name, value]) => `${name}: ${value}\r\n`)
  .join('');

function statusText(status: number): string {
  return (
    ({ 400: 'Bad Request', 408: 'Request Timeout', 431: 'Request Header Fields Too Large' } as Record<number, string>)[
      status
    ] ?? 'Error'
  );
}
