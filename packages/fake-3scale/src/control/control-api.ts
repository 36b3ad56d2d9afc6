/**
 * @module control/control-api
 * The fake's own HTTP control surface under `/__fake/` (no authentication; the fake listens on loopback
 * only): call counts, faults, latency, reset, state and the request log — the same operations a test has
 * as methods, for tests that run the fake in another process.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { EndpointTarget } from '../endpoints.js';
import { isFake3scaleError } from '../errors.js';
import { checkTarget, type FaultSpec, type LatencyRange, type LatencySpec } from '../faults/fault-spec.js';
import type { RecordedRequest } from '../record/request-log.js';
import type { AuthrepInput, AuthrepResult } from '../usage/authrep.js';

/** The path prefix of the control API. */
export const CONTROL_PREFIX = '/__fake/';

/** What the control API can do to the fake. */
export interface ControlTarget {
  stats(): Record<string, number>;
  setFault(endpoint: EndpointTarget, fault: FaultSpec | null): void;
  setLatency(endpoint: EndpointTarget, latency: LatencySpec | null): void;
  describeFaults(): { faults: Record<string, FaultSpec>; latency: Record<string, LatencyRange> };
  reset(options?: { keepState?: boolean }): void;
  snapshot(): Record<string, unknown>;
  requests(): RecordedRequest[];
  authrep(input: AuthrepInput): AuthrepResult;
}

function sendJson(res: ServerResponse, status: number, value: unknown): void {
  const body = `${JSON.stringify(value)}\n`;
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': String(Buffer.byteLength(body)),
  });
  res.end(body);
}

function readJsonObject(body: Buffer): Record<string, unknown> {
  if (body.length === 0) return {};
  const parsed: unknown = JSON.parse(body.toString('utf8'));
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new TypeError('the body must be a JSON object');
  return parsed as Record<string, unknown>;
}

/**
 * Serves one control request:
 * - `GET stats` → call counts per endpoint;
 * - `GET faults` → faults and latencies in force;
 * - `POST faults` `{"endpoint":"services.list","fault":{"kind":"status","status":503,"times":2}}` (`fault: null` clears);
 * - `POST latency` `{"endpoint":"*","latency":30}` (or `{"ms":30}`, `{"min":10,"max":50}`, `null`);
 * - `POST reset` (optional `{"keep_state":true}`) → faults, latency, counts and log cleared, tenant re-seeded;
 * - `GET state` → the tenant's accounts, products, plans and applications;
 * - `GET requests` → the request log;
 * - `POST authrep` `{"application_id":1409620000001,"usage":{"hits":3}}` (or `user_key`, `app_id`; optional
 *   `timestamp`) → records usage unless a plan limit would be passed (409).
 */
export function handleControl(
  req: IncomingMessage,
  res: ServerResponse,
  pathname: string,
  body: Buffer,
  target: ControlTarget,
): void {
  const action = pathname.slice(CONTROL_PREFIX.length);
  const method = req.method ?? 'GET';
  const routes: Record<string, { method: string; run: () => unknown }> = {
    stats: { method: 'GET', run: () => target.stats() },
    state: { method: 'GET', run: () => target.snapshot() },
    requests: { method: 'GET', run: () => target.requests() },
    faults: {
      method: method === 'GET' ? 'GET' : 'POST',
      run: () => {
        if (method === 'GET') return target.describeFaults();
        const input = readJsonObject(body);
        target.setFault(checkTarget(input.endpoint), (input.fault ?? null) as FaultSpec | null);
        return target.describeFaults();
      },
    },
    latency: {
      method: 'POST',
      run: () => {
        const input = readJsonObject(body);
        target.setLatency(checkTarget(input.endpoint), (input.latency ?? null) as LatencySpec | null);
        return target.describeFaults();
      },
    },
    reset: {
      method: 'POST',
      run: () => {
        const input = readJsonObject(body);
        target.reset({ keepState: input.keep_state === true });
        return { reset: true };
      },
    },
  };
  if (action === 'authrep' && method === 'POST') {
    try {
      const result = target.authrep(readJsonObject(body) as AuthrepInput);
      sendJson(res, result.status, result.body);
    } catch (error) {
      sendJson(res, 400, { error: 'bad control request', problems: [(error as Error).message] });
    }
    return;
  }
  const route = Object.hasOwn(routes, action) ? routes[action] : undefined;
  if (!route) {
    sendJson(res, 404, { error: `unknown control endpoint ${pathname}` });
    return;
  }
  if (route.method !== method) {
    res.setHeader('allow', route.method);
    sendJson(res, 405, { error: `use ${route.method} for ${pathname}` });
    return;
  }
  try {
    sendJson(res, 200, route.run());
  } catch (error) {
    const problems =
      isFake3scaleError(error) && error.problems.length > 0 ? error.problems : [(error as Error).message];
    sendJson(res, 400, { error: 'bad control request', problems });
  }
}
