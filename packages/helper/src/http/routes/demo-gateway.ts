/**
 * @module http/routes/demo-gateway
 * A stand-in for the API gateway in the embedded stack, so the last step of the journey — calling the ML
 * service with the key — works on one machine. `/gateway/<service id>/…` checks the key where the service's
 * catalog entry says the gateway reads it (header, query or HTTP Basic), like APIcast does, and answers with a
 * small deterministic demo model. Every accepted call is counted against the plan's limits (the catalog's);
 * a call over a limit gets a 429 naming the limit and when it resets, in its body and in `Retry-After` and
 * `RateLimit-*` headers. Only mounted with the embedded store.
 */
import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ApiService, Application } from '../../apim/api-manager.js';
import type { Admission, LimitState } from '../../apim/embedded/hit-counter.js';

export interface DemoGatewayOptions {
  listServices(): Promise<readonly ApiService[]>;
  findApplicationByKey(key: string): Application | null;
  /** Counts a call against the plan's limits, or refuses it; every call passes when absent. */
  admitCall?(application: Application): Admission;
  now?: () => Date;
}

/** Seconds of each limit period, for the `RateLimit-Policy` window (calendar months are called 30 days). */
const PERIOD_SECONDS: Record<string, number> = {
  minute: 60,
  hour: 3_600,
  day: 86_400,
  week: 604_800,
  month: 2_592_000,
};

/** APIcast's default answers when credentials are missing or wrong (a proxy's `error_*` settings). */
const AUTH_MISSING = 'Authentication parameters missing';
const AUTH_FAILED = 'Authentication failed';

export function registerDemoGateway(app: FastifyInstance, options: DemoGatewayOptions): void {
  const handler = async (request: FastifyRequest<{ Params: { service: string } }>, reply: FastifyReply) => {
    const service = (await options.listServices()).find((s) => s.id === request.params.service);
    if (service === undefined) {
      return reply.code(404).type('text/plain; charset=us-ascii').send('No Mapping Rule matched');
    }
    const key = presentedKey(request, service);
    if (key === null) return reply.code(403).type('text/plain; charset=us-ascii').send(AUTH_MISSING);
    const application = options.findApplicationByKey(key);
    if (application === null || application.serviceId !== service.id || application.state !== 'live') {
      return reply.code(403).type('text/plain; charset=us-ascii').send(AUTH_FAILED);
    }
    const admission = options.admitCall?.(application);
    const now = options.now?.() ?? new Date();
    if (admission !== undefined && !admission.admitted) {
      const { refusedBy } = admission;
      const seconds = secondsUntil(refusedBy.resetsAt, now);
      rateLimitHeaders(reply, refusedBy, now);
      if (seconds !== null) reply.header('retry-after', String(seconds));
      return reply.code(429).send({
        error: 'Usage limit exceeded',
        message: `The ${refusedBy.limit.period} limit of ${refusedBy.limit.max} calls is reached${
          refusedBy.resetsAt === null ? '' : `; it resets at ${refusedBy.resetsAt.toISOString()}`
        }.`,
        limit: { metric: refusedBy.limit.metric, period: refusedBy.limit.period, max: refusedBy.limit.max },
        resets_at: refusedBy.resetsAt === null ? null : refusedBy.resetsAt.toISOString(),
      });
    }
    // The limit closest to being reached is the one a client should pace itself by.
    const tightest = admission?.admitted
      ? admission.limits.reduce<LimitState | null>(
          (best, state) => (best === null || state.limit.max - state.used < best.limit.max - best.used ? state : best),
          null,
        )
      : null;
    if (tightest !== null) rateLimitHeaders(reply, tightest, now);
    return { service: service.id, model: 'demo', result: demoResult(service.id, request.body) };
  };
  app.route({ method: ['GET', 'POST'], url: '/gateway/:service', handler, schema: { hide: true } });
  app.route({ method: ['GET', 'POST'], url: '/gateway/:service/*', handler, schema: { hide: true } });
}

function secondsUntil(at: Date | null, now: Date): number | null {
  return at === null ? null : Math.max(1, Math.ceil((at.getTime() - now.getTime()) / 1000));
}

/** The IETF RateLimit header fields (draft-ietf-httpapi-ratelimit-headers) for one limit. */
function rateLimitHeaders(reply: FastifyReply, state: LimitState, now: Date): void {
  const seconds = secondsUntil(state.resetsAt, now);
  reply.header('ratelimit-limit', String(state.limit.max));
  reply.header('ratelimit-remaining', String(Math.max(0, state.limit.max - state.used)));
  if (seconds !== null) reply.header('ratelimit-reset', String(seconds));
  const window = PERIOD_SECONDS[state.limit.period];
  if (window !== undefined) reply.header('ratelimit-policy', `${state.limit.max};w=${window}`);
}

function presentedKey(request: FastifyRequest, service: ApiService): string | null {
  const { location, keyParameter } = service.credentials;
  if (location === 'basic') {
    const header = request.headers.authorization ?? '';
    if (!/^Basic /i.test(header)) return null;
    const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
    // The key is the user name; the password is empty (APIcast's user_key-in-Basic convention).
    const user = decoded.split(':')[0] ?? '';
    return user === '' ? null : user;
  }
  if (keyParameter === null) return null;
  if (location === 'header') {
    const value = request.headers[keyParameter.toLowerCase()];
    return typeof value === 'string' && value !== '' ? value : null;
  }
  const value = (request.query as Record<string, unknown>)[keyParameter];
  return typeof value === 'string' && value !== '' ? value : null;
}

/** The demo models: small, deterministic, and honest about being demos. */
function demoResult(serviceId: string, body: unknown): unknown {
  const input = body !== null && typeof body === 'object' ? (body as Record<string, unknown>) : {};
  const text = typeof input.text === 'string' ? input.text : 'MLaaS makes getting an API key easy';
  if (serviceId.includes('sentiment')) {
    const positive = (text.match(/\b(good|great|easy|love|excellent|happy|fast)\b/gi) ?? []).length;
    const negative = (text.match(/\b(bad|slow|hate|poor|broken|sad|hard)\b/gi) ?? []).length;
    const label = positive > negative ? 'positive' : negative > positive ? 'negative' : 'neutral';
    return { text, label };
  }
  if (serviceId.includes('embedding')) {
    const digest = createHash('sha256').update(text).digest();
    return {
      text,
      dimensions: 8,
      vector: [...digest.subarray(0, 8)].map((b) => Math.round((b / 127.5 - 1) * 1000) / 1000),
    };
  }
  return {
    labels: [
      { label: 'tabby cat', score: 0.71 },
      { label: 'tiger cat', score: 0.19 },
    ],
  };
}
