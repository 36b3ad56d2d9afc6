/**
 * @module create-fake-3scale
 * The fake 3scale Admin API server: a seeded in-memory tenant behind `node:http`, with per-endpoint call
 * counts, a request log, injected faults and latency, and the `/__fake/` control API. Listens on loopback
 * only.
 */
import { randomBytes } from 'node:crypto';
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CONTROL_PREFIX, handleControl } from './control/control-api.js';
import { type EndpointTarget, UNMATCHED_KEY } from './endpoints.js';
import { FaultBook } from './faults/fault-book.js';
import {
  DEFAULT_FAULT_STATUS,
  DEFAULT_RETRY_AFTER_SECONDS,
  DEFAULT_STORE_THEN_STATUS,
  type FaultSpec,
  type LatencySpec,
} from './faults/fault-spec.js';
import { dropConnection, sendErrorStatus, sendMalformed, sendThenReset, sendWire } from './faults/inject.js';
import { primaryToken, seededToken } from './http/access-tokens.js';
import { executeAdminRequest, prepareAdminRequest } from './http/admin-api.js';
import { toWire } from './http/reply.js';
import { ADMIN_API_PREFIX, STATS_API_PREFIX } from './http/routes.js';
import { type AuthrepInput, type AuthrepResult, authrep } from './usage/authrep.js';
import { CallStats } from './record/call-stats.js';
import { type RecordedRequest, RequestLog } from './record/request-log.js';
import type { RenderContext } from './represent/representation.js';
import { defaultSeed } from './seed/load-seed.js';
import type { Seed } from './seed/seed-types.js';
import { buildTenant } from './tenant/build-tenant.js';
import type { Tenant } from './tenant/tenant.js';

/** Largest request body accepted (3scale bodies are a few hundred bytes). */
export const MAX_BODY_BYTES = 1_048_576;
/** Bytes of random admin token when none is given (3scale access tokens are 64 hex characters). */
export const ACCESS_TOKEN_BYTES = 32;

export interface Fake3scaleOptions {
  /** The tenant to serve; default: the shipped default seed. Checked at construction. */
  seed?: Seed;
  /** The admin access token; default: 64 random hex characters. */
  accessToken?: string;
  /** Clock for `created_at`/`updated_at` (and the request log). */
  now?: () => Date;
  /** Source of randomness for random latency, in [0, 1). */
  random?: () => number;
  /** Faults in force from the start. */
  faults?: Partial<Record<EndpointTarget, FaultSpec>>;
  /** Latency in force from the start. */
  latency?: Partial<Record<EndpointTarget, LatencySpec>>;
}

/** A running (or ready to run) fake. */
export interface Fake3scale {
  /** Starts listening (port 0 = any free port) and resolves with the base URL, e.g. `http://127.0.0.1:40123`. */
  listen(port?: number, host?: string): Promise<string>;
  /** Stops listening, ends every connection (hanging ones too). */
  close(): Promise<void>;
  /** The base URL; throws before `listen` resolved. */
  readonly url: string;
  readonly accessToken: string;
  /** The live tenant, for inspecting (or arranging) accounts and applications in tests. */
  readonly state: Tenant;
  /** Calls per endpoint key (every key present, zeros included) plus `unmatched`. */
  stats(): Record<string, number>;
  /** Sets or (with `null`) clears the fault of an endpoint or of `*` (all endpoints without their own). */
  setFault(endpoint: EndpointTarget, fault: FaultSpec | null): void;
  /** Sets or (with `null`) clears the latency of an endpoint or of `*`. */
  setLatency(endpoint: EndpointTarget, latency: LatencySpec | null): void;
  /**
   * Clears faults, latency, counts and the request log, ends hanging responses and — unless
   * `keepState` — restores the tenant to the seed.
   */
  reset(options?: { keepState?: boolean }): void;
  /** The request log, oldest first (parameter names only, never the token). */
  requests(): RecordedRequest[];
  /**
   * Authorises and reports usage of an application (`{ application_id, usage: { hits: 5 } }`), as the
   * gateway would: recorded for the Analytics API unless a limit of its plan would be passed.
   */
  authrep(input: AuthrepInput): AuthrepResult;
}

const LOOPBACK = /^(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|::1|localhost)$/;

function readBody(req: IncomingMessage): Promise<Buffer | 'too-large'> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) tooLarge = true;
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(tooLarge ? 'too-large' : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/**
 * A fake 3scale Admin API.
 * @example
 * const fake = createFake3scale({ seed: seedWithServices(1200) });
 * const url = await fake.listen();
 * fake.setFault('applications.create', { kind: 'store_then_timeout', times: 1 });
 * // … run the adapter against `url` with `fake.accessToken` …
 * assert.equal(fake.stats()['services.list'], 3);
 * await fake.close();
 */
export function createFake3scale(options: Fake3scaleOptions = {}): Fake3scale {
  const now = options.now ?? (() => new Date());
  const random = options.random ?? Math.random;
  const seed = options.seed ?? defaultSeed();
  const accessToken = options.accessToken ?? randomBytes(ACCESS_TOKEN_BYTES).toString('hex');
  if (typeof accessToken !== 'string' || accessToken === '')
    throw new TypeError('accessToken must be a non-empty string');
  let tenant = buildTenant(seed, { now });
  const tokens = [primaryToken(accessToken), ...(seed.access_tokens ?? []).map(seededToken)];
  const faults = new FaultBook();
  for (const [target, fault] of Object.entries(options.faults ?? {}))
    faults.setFault(target as EndpointTarget, fault ?? null);
  for (const [target, latency] of Object.entries(options.latency ?? {}))
    faults.setLatency(target as EndpointTarget, latency ?? null);
  const stats = new CallStats();
  const log = new RequestLog();
  const hanging = new Set<ServerResponse>();
  const timers = new Set<NodeJS.Timeout>();
  let baseUrl: string | undefined;
  let server: Server | undefined;

  const hang = (res: ServerResponse) => {
    hanging.add(res);
    res.on('close', () => hanging.delete(res));
  };
  const endHanging = () => {
    for (const res of hanging) res.socket?.destroy();
    hanging.clear();
  };
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        timers.delete(timer);
        resolve();
      }, ms);
      timers.add(timer);
    });

  const fake: Fake3scale = {
    async listen(port = 0, host = '127.0.0.1') {
      if (!LOOPBACK.test(host)) throw new TypeError(`the fake listens on loopback only, not ${host}`);
      if (server) throw new TypeError('already listening');
      const srv = createServer((req, res) => {
        handle(req, res).catch((error: unknown) => {
          console.error('fake-3scale: internal error', error);
          if (!res.headersSent) sendErrorStatus(res, 500);
          else res.destroy();
        });
      });
      server = srv;
      await new Promise<void>((resolve, reject) => {
        srv.once('error', reject);
        srv.listen(port, host, () => {
          srv.off('error', reject);
          resolve();
        });
      });
      const address = srv.address() as AddressInfo;
      const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
      baseUrl = `http://${shownHost}:${address.port}`;
      return baseUrl;
    },
    async close() {
      const srv = server;
      if (!srv) return;
      server = undefined;
      baseUrl = undefined;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      endHanging();
      await new Promise<void>((resolve) => {
        srv.close(() => resolve());
        srv.closeAllConnections();
      });
    },
    get url() {
      if (baseUrl === undefined) throw new TypeError('the fake is not listening: await listen() first');
      return baseUrl;
    },
    accessToken,
    get state() {
      return tenant;
    },
    stats: () => stats.snapshot(),
    setFault: (endpoint, fault) => faults.setFault(endpoint, fault),
    setLatency: (endpoint, latency) => faults.setLatency(endpoint, latency),
    reset(resetOptions = {}) {
      faults.clear();
      stats.clear();
      log.clear();
      endHanging();
      if (!resetOptions.keepState) tenant = buildTenant(seed, { now });
    },
    requests: () => log.list(),
    authrep: (input) => authrep(tenant, input, now()),
  };

  /** Links are absolute URLs on the host the client used, as 3scale's are; the tenant is the one current now. */
  function renderContext(req: IncomingMessage): RenderContext {
    return { baseUrl: `http://${req.headers.host ?? 'localhost'}`, tenant };
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake.invalid');
    const body = await readBody(req);
    if (body === 'too-large') {
      sendErrorStatus(res, 413, { connection: 'close' });
      return;
    }
    if (url.pathname.startsWith(CONTROL_PREFIX)) {
      handleControl(req, res, url.pathname, body, {
        stats: fake.stats,
        setFault: fake.setFault,
        setLatency: fake.setLatency,
        describeFaults: () => faults.describe(),
        reset: (o) => fake.reset(o),
        snapshot: () => tenant.snapshot(),
        requests: fake.requests,
        authrep: fake.authrep,
      });
      return;
    }
    if (!url.pathname.startsWith(ADMIN_API_PREFIX) && !url.pathname.startsWith(STATS_API_PREFIX)) {
      sendErrorStatus(res, 404);
      return;
    }

    const method = req.method ?? 'GET';
    const prepared = prepareAdminRequest(
      {
        method,
        pathname: url.pathname,
        search: url.searchParams,
        contentType: req.headers['content-type'],
        authorization: req.headers.authorization,
        body,
      },
      tokens,
    );
    stats.count(prepared.endpoint ?? UNMATCHED_KEY);
    const record = log.add({
      at: now().toISOString(),
      method,
      path: url.pathname,
      endpoint: prepared.endpoint,
      format: prepared.format === 'unknown' ? null : prepared.format,
      queryKeys: prepared.parsed?.queryKeys ?? [...new Set(url.searchParams.keys())],
      bodyKeys: prepared.parsed?.bodyKeys ?? [],
      bodyType: prepared.parsed?.bodyType ?? 'json',
      auth: prepared.credential.kind,
      authorized: prepared.authorized,
      status: null,
      fault: null,
    });
    const key = prepared.endpoint;
    if (key === null) {
      // An unknown route is answered (404) at once: latency and faults, `*` included, apply to endpoints only.
      const { reply, format } = executeAdminRequest(prepared, renderContext(req), false);
      const wire = toWire(reply, format);
      record.status = wire.status;
      sendWire(res, wire);
      return;
    }
    const delay = faults.delayFor(key, random);
    if (delay > 0) await sleep(delay);
    if (res.destroyed) return;

    const fault = faults.take(key);
    record.fault = fault?.kind ?? null;
    switch (fault?.kind) {
      case 'down':
        dropConnection(res);
        return;
      case 'status':
        record.status = fault.status ?? DEFAULT_FAULT_STATUS;
        sendErrorStatus(res, record.status);
        return;
      case 'rate_limited':
        record.status = 429;
        sendErrorStatus(res, 429, { 'retry-after': String(fault.retryAfter ?? DEFAULT_RETRY_AFTER_SECONDS) });
        return;
      case 'hang':
        hang(res);
        return;
      default:
        break;
    }

    const { reply, format } = executeAdminRequest(prepared, renderContext(req), fault?.kind === 'ignore_paging');
    const wire = toWire(reply, format);
    switch (fault?.kind) {
      case 'store_then_timeout':
        hang(res);
        return;
      case 'store_then_status':
        record.status = fault.status ?? DEFAULT_STORE_THEN_STATUS;
        sendErrorStatus(res, record.status);
        return;
      case 'malformed':
        record.status = wire.status;
        sendMalformed(res, wire);
        return;
      case 'reset':
        sendThenReset(res, wire);
        return;
      default:
        record.status = wire.status;
        sendWire(res, wire);
    }
  }

  return fake;
}
