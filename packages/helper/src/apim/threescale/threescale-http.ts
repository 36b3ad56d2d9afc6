/**
 * @module apim/threescale/threescale-http
 * The wire to 3scale's Account Management API: JSON endpoints, the admin token in an `Authorization: Basic`
 * header (never in a URL), a timeout on every call, bounded retries for reads, and every failure turned
 * into a HelperError with an UPSTREAM_* or CONFIG_ERROR code. It knows no 3scale resource; the adapter does.
 */
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { HelperError } from '../../errors/helper-error.js';
import type { LogSink } from '../../log/logger.js';
import { DEFAULT_RETRY_POLICY, RETRY_STATUSES, retryDelayMs, type RetryPolicy } from './retry-policy.js';

/** Longest response body read, in bytes (a 500-service page is well under this). */
const MAX_BODY_BYTES = 32 * 1024 * 1024;
/**
 * Connections to 3scale open at once; more calls wait for a free one (within their timeout). Enough for the
 * catalog's proxy reads in one wave and a busy list, few enough to bound the buffers a burst can hold.
 */
const MAX_CONNECTIONS = 64;

export interface ThreescaleHttpOptions {
  /** Admin portal base URL, e.g. https://acme-admin.3scale.net */
  baseUrl: string;
  accessToken: string;
  timeoutMs: number;
  retry?: RetryPolicy;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  log?: LogSink;
  /**
   * Called after every HTTP call to 3scale with its operation (method and path with ids as `{id}`: a closed
   * set, safe as a metric label), its outcome (`ok`, or the status or error kind) and its duration.
   */
  onCall?: (operation: string, outcome: string, seconds: number) => void;
}

export type Params = Record<string, string | number | undefined>;

export interface ThreescaleHttp {
  /** GET `path` (without `.json`); resolves with the parsed body, or null on 404. Retried per policy. */
  get(path: string, params?: Params): Promise<unknown>;
  /** POST a form to `path`; never retried. Resolves with the parsed body. */
  post(path: string, form: Params): Promise<unknown>;
  /** PUT a form to `path` (updates, state changes); never retried. Resolves with the parsed body, null on 404. */
  put(path: string, form: Params): Promise<unknown>;
  /** DELETE `path`; never retried. Resolves with true when removed, false when it was not there (404). */
  delete(path: string): Promise<boolean>;
  /** Closes the kept-alive connections. */
  close(): void;
}

/**
 * Creates the client.
 * @example const http = createThreescaleHttp({ baseUrl, accessToken, timeoutMs: 5_000 });
 *          const page = await http.get('/admin/api/services', { page: 1, per_page: 500 });
 */
export function createThreescaleHttp(options: ThreescaleHttpOptions): ThreescaleHttp {
  // node:http rather than fetch: a call allocates a fraction of what fetch's streams and headers objects do,
  // which is most of what a busy helper without the account cache allocates, and nothing is loaded on the
  // first call.
  const secure = new URL(options.baseUrl).protocol === 'https:';
  const open = secure ? httpsRequest : httpRequest;
  const agent = secure
    ? new HttpsAgent({ keepAlive: true, maxSockets: MAX_CONNECTIONS })
    : new HttpAgent({ keepAlive: true, maxSockets: MAX_CONNECTIONS });
  const policy = options.retry ?? DEFAULT_RETRY_POLICY;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const random = options.random ?? Math.random;
  const base = options.baseUrl.replace(/\/+$/, '');
  // 3scale reads Basic credentials as "first non-empty of user and password"; its own clients send ":" + token.
  const authorization = `Basic ${Buffer.from(`:${options.accessToken}`).toString('base64')}`;
  let deniedLogged = false;
  let writeDeniedLogged = false;
  let statsDeniedLogged = false;

  function url(path: string, params: Params = {}): string {
    const query = new URLSearchParams();
    for (const [name, value] of Object.entries(params)) if (value !== undefined) query.set(name, String(value));
    const text = query.toString();
    return `${base}${path}.json${text === '' ? '' : `?${text}`}`;
  }

  async function send(
    method: 'GET' | 'POST' | 'PUT' | 'DELETE',
    path: string,
    target: string,
    form?: Params,
  ): Promise<{ status: number; retryAfter: string | null; body: unknown }> {
    const started = performance.now();
    const operation = operationOf(method, path);
    let outcome = 'error';
    try {
      const result = await exchange(method, target, form);
      outcome = result.status >= 200 && result.status < 300 ? 'ok' : String(result.status);
      return result;
    } catch (error) {
      outcome = (error as HelperError).code?.toLowerCase() ?? 'error';
      throw error;
    } finally {
      options.onCall?.(operation, outcome, (performance.now() - started) / 1000);
    }
  }

  async function exchange(
    method: 'GET' | 'POST' | 'PUT' | 'DELETE',
    target: string,
    form?: Params,
  ): Promise<{ status: number; retryAfter: string | null; body: unknown }> {
    const answer = await roundTrip(method, target, form);
    let body: unknown = null;
    if (answer.text.trim() !== '') {
      try {
        body = JSON.parse(answer.text);
      } catch (error) {
        if (answer.status >= 200 && answer.status < 300)
          throw new HelperError('UPSTREAM_ERROR', '3scale sent an answer that is not JSON.', { cause: error });
      }
    }
    return { status: answer.status, retryAfter: answer.retryAfter, body };
  }

  /**
   * One request and its whole answer, on a kept-alive connection. The timer covers the answer's body too and
   * is cleared as soon as it is read; redirects are not followed (a 3xx is an unexpected status).
   */
  function roundTrip(
    method: 'GET' | 'POST' | 'PUT' | 'DELETE',
    target: string,
    form?: Params,
  ): Promise<{ status: number; retryAfter: string | null; text: string }> {
    return new Promise((resolve, reject) => {
      const payload = form === undefined ? undefined : formBody(form);
      const request = open(target, {
        method,
        agent,
        headers: {
          authorization,
          accept: 'application/json',
          ...(payload === undefined
            ? {}
            : {
                'content-type': 'application/x-www-form-urlencoded',
                'content-length': String(Buffer.byteLength(payload)),
              }),
        },
      });
      let answered = false;
      let settled = false;
      const finish = (
        error: HelperError | null,
        value?: { status: number; retryAfter: string | null; text: string },
      ) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (error !== null) reject(error);
        else resolve(value as { status: number; retryAfter: string | null; text: string });
      };
      const timer = setTimeout(() => {
        finish(
          answered
            ? new HelperError('UPSTREAM_UNAVAILABLE', 'The connection to 3scale broke mid-answer.')
            : new HelperError('UPSTREAM_TIMEOUT', '3scale did not answer in time.'),
        );
        request.destroy();
      }, options.timeoutMs);
      request.on('error', (error) =>
        finish(
          answered
            ? new HelperError('UPSTREAM_UNAVAILABLE', 'The connection to 3scale broke mid-answer.', { cause: error })
            : new HelperError('UPSTREAM_UNAVAILABLE', '3scale is unreachable.', {
                cause: error,
                retryAfterSeconds: 5,
              }),
        ),
      );
      request.on('response', (response: IncomingMessage) => {
        answered = true;
        const chunks: Buffer[] = [];
        let size = 0;
        response.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_BODY_BYTES) {
            finish(new HelperError('UPSTREAM_ERROR', '3scale sent an answer too large to read.'));
            request.destroy();
          } else chunks.push(chunk);
        });
        response.on('error', (error) =>
          finish(
            new HelperError('UPSTREAM_UNAVAILABLE', 'The connection to 3scale broke mid-answer.', { cause: error }),
          ),
        );
        response.on('aborted', () =>
          finish(new HelperError('UPSTREAM_UNAVAILABLE', 'The connection to 3scale broke mid-answer.')),
        );
        response.on('end', () => {
          if (!response.complete) {
            finish(new HelperError('UPSTREAM_UNAVAILABLE', 'The connection to 3scale broke mid-answer.'));
            return;
          }
          const retryAfter = response.headers['retry-after'];
          finish(null, {
            status: response.statusCode ?? 0,
            retryAfter: typeof retryAfter === 'string' ? retryAfter : null,
            text: Buffer.concat(chunks).toString('utf8'),
          });
        });
      });
      request.end(payload);
    });
  }

  function fail(status: number, body: unknown, retryAfter: string | null): never {
    if (status === 403) {
      if (!deniedLogged) {
        deniedLogged = true;
        options.log?.error(
          { status, base },
          '3scale refused the admin access token: check THREESCALE_ADMIN_API_KEY (it needs the account_management scope, read-write)',
        );
      }
      throw new HelperError(
        'CONFIG_ERROR',
        'The helper is not allowed to use 3scale; an operator must fix its access token.',
      );
    }
    if (status === 422) {
      throw new HelperError('UPSTREAM_ERROR', `3scale refused the request: ${describeValidationErrors(body)}.`);
    }
    if (status === 429 || status === 502 || status === 503 || status === 504) {
      const seconds = Number(retryAfter);
      throw new HelperError('UPSTREAM_UNAVAILABLE', '3scale is unavailable; try again shortly.', {
        retryAfterSeconds: Number.isFinite(seconds) && seconds > 0 ? seconds : 5,
      });
    }
    throw new HelperError('UPSTREAM_ERROR', `3scale answered with HTTP ${status}.`);
  }

  return {
    close: () => agent.destroy(),
    async get(path, params) {
      const target = url(path, params);
      for (let attempt = 0; ; attempt++) {
        let result: Awaited<ReturnType<typeof send>> | null = null;
        let failure: HelperError | null = null;
        try {
          result = await send('GET', path, target);
        } catch (error) {
          failure = error as HelperError;
        }
        if (result !== null) {
          if (result.status === 404) return null;
          if (result.status === 403 && path.startsWith('/stats/')) {
            // The Analytics API has a scope of its own: a token that manages accounts may still not read it.
            if (!statsDeniedLogged) {
              statsDeniedLogged = true;
              options.log?.error(
                { status: 403, base, operation: operationOf('GET', path) },
                '3scale refused an Analytics API read: give THREESCALE_ADMIN_API_KEY the Analytics (stats) scope as well as Account Management; usage is reported unavailable until then',
              );
            }
            throw new HelperError('CONFIG_ERROR', 'The helper is not allowed to read usage from 3scale.');
          }
          if (result.status >= 200 && result.status < 300) return result.body;
          if (!RETRY_STATUSES.has(result.status) || attempt >= policy.retries)
            fail(result.status, result.body, result.retryAfter);
        } else if (failure?.code !== 'UPSTREAM_UNAVAILABLE' || attempt >= policy.retries) {
          // Only a refused or reset connection is retried; a timeout already cost the user its full wait.
          throw failure;
        }
        const delay = retryDelayMs(policy, attempt + 1, result?.retryAfter ?? null, random);
        if (delay === null) fail((result as { status: number }).status, result?.body, result?.retryAfter ?? null);
        await sleep(delay);
      }
    },
    async post(path, form) {
      const result = await send('POST', path, url(path), form);
      if (result.status >= 200 && result.status < 300) return result.body;
      if (result.status === 403 && !writeDeniedLogged) {
        // Readiness only reads, so a token that can read but not write passes it and fails on the first
        // signup or key: say so once, with the fix.
        writeDeniedLogged = true;
        options.log?.error(
          { status: result.status, base, operation: operationOf('POST', path) },
          '3scale refused a write with the admin access token: it can read but not write. Give THREESCALE_ADMIN_API_KEY read-write permission and the account_management scope (owned by an admin, or a member with the Developer accounts and Applications permissions)',
        );
      }
      if (result.status === 404)
        throw new HelperError('UPSTREAM_ERROR', '3scale does not know the account or plan of this request.');
      fail(result.status, result.body, result.retryAfter);
    },
    async put(path, form) {
      const result = await send('PUT', path, url(path), form);
      if (result.status >= 200 && result.status < 300) return result.body;
      if (result.status === 404) return null;
      fail(result.status, result.body, result.retryAfter);
    },
    async delete(path) {
      const result = await send('DELETE', path, url(path));
      if (result.status >= 200 && result.status < 300) return true;
      if (result.status === 404) return false;
      fail(result.status, result.body, result.retryAfter);
    },
  };
}

/** Method and path with ids as `{id}`: names a call without naming the account or application. */
function operationOf(method: string, path: string): string {
  return `${method} ${path.replace(/\/\d+(?=\/|$)/g, '/{id}')}`;
}

function formBody(form: Params): string {
  const body = new URLSearchParams();
  for (const [name, value] of Object.entries(form)) if (value !== undefined) body.set(name, String(value));
  return body.toString();
}

/** 422 bodies name fields and reasons (`{"errors":{"user_key":["has already been taken"]}}`); values are never echoed. */
function describeValidationErrors(body: unknown): string {
  const errors =
    (body as { errors?: unknown; error?: unknown } | null)?.errors ?? (body as { error?: unknown } | null)?.error;
  if (typeof errors === 'string') return errors.slice(0, 200);
  if (errors !== null && typeof errors === 'object') {
    const parts = Object.entries(errors as Record<string, unknown>).map(
      ([field, reasons]) =>
        `${field} ${Array.isArray(reasons) ? reasons.filter((r) => typeof r === 'string').join(', ') : 'is invalid'}`,
    );
    if (parts.length > 0) return parts.join('; ').slice(0, 300);
  }
  return 'validation failed';
}
