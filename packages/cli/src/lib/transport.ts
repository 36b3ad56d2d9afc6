/**
 * @module lib/transport
 * HTTP requests on `node:http`/`node:https`: a timeout on every call, an optional extra CA certificate,
 * and a `--verbose` line per call (method, URL with secrets masked, status, duration). Built-in `fetch` is
 * avoided on purpose: loading it costs more than a whole `mlaas services list`, and it cannot take a CA.
 */
import {
  request as httpRequest,
  type ClientRequest,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type RequestOptions,
} from 'node:http';
import { MlaasError } from './errors.js';
import { maskUrl } from './mask.js';

/**
 * Time allowed for one HTTP call, connection to last byte.
 * @example
 * ```ts
 * createTransport({ timeoutMs: DEFAULT_HTTP_TIMEOUT_MS * 2 });
 * ```
 */
export const DEFAULT_HTTP_TIMEOUT_MS = 30_000;
/** Largest response body read into memory. */
const MAX_RESPONSE_BYTES = 10 * 1024 * 1024;

/** One outgoing request. */
export interface HttpRequest {
  method: string;
  url: string;
  headers?: Record<string, string>;
  body?: string | Uint8Array;
  signal?: AbortSignal;
  /** Overrides the transport's timeout for this call. */
  timeoutMs?: number;
}

/** A complete response. */
export interface HttpResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** Sends one request and reads the whole response. Rejects with NETWORK_ERROR or TIMEOUT. */
export type HttpTransport = (request: HttpRequest) => Promise<HttpResponse>;

/** Options of {@link createTransport}. */
export interface TransportOptions {
  /** PEM certificate(s) trusted in addition to the system's roots (the `--ca-file` contents). */
  extraCa?: string;
  /** Default per-call timeout in milliseconds ({@link DEFAULT_HTTP_TIMEOUT_MS}). */
  timeoutMs?: number;
  /** Receives one line per call when verbose output is on. */
  trace?: (line: string) => void;
}

/**
 * Creates the transport every request of the CLI and SDK goes through.
 *
 * @example
 * ```ts
 * const send = createTransport({ trace: (line) => process.stderr.write(`${line}\n`) });
 * const response = await send({ method: 'GET', url: 'http://127.0.0.1:5000/api/health' });
 * ```
 */
export function createTransport(options: TransportOptions = {}): HttpTransport {
  const defaultTimeout = options.timeoutMs ?? DEFAULT_HTTP_TIMEOUT_MS;
  if (!Number.isInteger(defaultTimeout) || defaultTimeout <= 0)
    throw new TypeError('"timeoutMs" must be a positive integer');
  let ca: string[] | undefined;

  return async function send(req: HttpRequest): Promise<HttpResponse> {
    const url = new URL(req.url);
    const isHttps = url.protocol === 'https:';
    if (!isHttps && url.protocol !== 'http:') throw new TypeError(`unsupported URL scheme: ${url.protocol}`);
    // node:https (and TLS) load only for https URLs: the embedded stack on this machine needs neither.
    const make = isHttps ? (await import('node:https')).request : httpRequest;
    if (isHttps && options.extraCa !== undefined && ca === undefined) {
      const { rootCertificates } = await import('node:tls');
      ca = [...rootCertificates, options.extraCa];
    }
    const started = performance.now();
    const timeoutMs = req.timeoutMs ?? defaultTimeout;
    const shown = `${req.method} ${maskUrl(url.href)}`;
    try {
      const response = await sendOnce(make, req, url, ca, timeoutMs);
      options.trace?.(`http: ${shown} → ${response.status} (${Math.round(performance.now() - started)} ms)`);
      return response;
    } catch (error) {
      options.trace?.(`http: ${shown} → failed (${Math.round(performance.now() - started)} ms)`);
      throw error;
    }
  };
}

type RequestFunction = (
  url: URL,
  options: RequestOptions & { ca?: string[] },
  callback: (res: IncomingMessage) => void,
) => ClientRequest;

function sendOnce(
  make: RequestFunction,
  req: HttpRequest,
  url: URL,
  ca: string[] | undefined,
  timeoutMs: number,
): Promise<HttpResponse> {
  return new Promise((resolve, reject) => {
    const body = req.body === undefined ? undefined : typeof req.body === 'string' ? Buffer.from(req.body) : req.body;
    const headers: Record<string, string> = { ...req.headers, connection: 'close' };
    if (body !== undefined) headers['content-length'] = String(body.byteLength);
    const outgoing = make(url, { method: req.method, headers, agent: false, ...(ca ? { ca } : {}) }, (incoming) => {
      const chunks: Buffer[] = [];
      let size = 0;
      incoming.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_RESPONSE_BYTES) {
          outgoing.destroy(
            new MlaasError(
              'INVALID_RESPONSE',
              `the response from ${url.origin} is larger than ${MAX_RESPONSE_BYTES} bytes`,
            ),
          );
          return;
        }
        chunks.push(chunk);
      });
      incoming.on('end', () => {
        clearTimeout(timer);
        resolve({ status: incoming.statusCode ?? 0, headers: incoming.headers, body: Buffer.concat(chunks) });
      });
      incoming.on('error', fail);
    });
    const timer = setTimeout(() => {
      outgoing.destroy(
        new MlaasError('TIMEOUT', `${url.origin} did not answer within ${Math.round(timeoutMs / 1000)} s`),
      );
    }, timeoutMs);
    // A caller's deadline (openid-client gives every issuer call one) is a timeout, not the user cancelling.
    const onAbort = () => {
      const reason: unknown = req.signal?.reason;
      const timedOut = reason instanceof Error && reason.name === 'TimeoutError';
      outgoing.destroy(
        timedOut
          ? new MlaasError('TIMEOUT', `${url.origin} did not answer in time`)
          : new MlaasError('CANCELLED', 'the request was cancelled'),
      );
    };
    req.signal?.addEventListener('abort', onAbort, { once: true });
    function fail(error: Error) {
      clearTimeout(timer);
      req.signal?.removeEventListener('abort', onAbort);
      reject(error instanceof MlaasError ? error : toNetworkError(error, url));
    }
    outgoing.on('error', fail);
    outgoing.end(body);
  });
}

const TLS_CODES = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER|ERR_TLS/;

function toNetworkError(error: Error & { code?: string }, url: URL): MlaasError {
  const code = error.code ?? '';
  const reason =
    code === 'ECONNREFUSED'
      ? 'connection refused'
      : code === 'ENOTFOUND' || code === 'EAI_AGAIN'
        ? 'host not found'
        : code === 'ECONNRESET'
          ? 'connection reset'
          : error.message;
  const hint = TLS_CODES.test(code)
    ? 'The server certificate is not trusted: pass the CA certificate with --ca-file (or MLAAS_CA_FILE).'
    : undefined;
  return new MlaasError('NETWORK_ERROR', `cannot reach ${url.origin}: ${reason}`, {
    cause: error,
    ...(hint ? { hint } : {}),
  });
}

/**
 * Adapts a transport to the `fetch` shape openid-client accepts as its `customFetch`, so sign-in requests
 * get the same CA, timeout and verbose lines as the helper's.
 *
 * @example
 * ```ts
 * const config = await discovery(issuerUrl, 'mlaas-cli', undefined, None(), { [customFetch]: toFetch(send) });
 * ```
 */
export function toFetch(
  send: HttpTransport,
): (
  url: string,
  init: { method: string; headers: Record<string, string>; body?: unknown; signal?: AbortSignal },
) => Promise<Response> {
  return async (url, init) => {
    const response = await send({
      method: init.method,
      url,
      headers: init.headers,
      ...(init.body === undefined || init.body === null ? {} : { body: toBody(init.body) }),
      ...(init.signal ? { signal: init.signal } : {}),
    });
    const headers = new Headers();
    for (const [name, value] of Object.entries(response.headers)) {
      if (Array.isArray(value)) for (const v of value) headers.append(name, v);
      else if (value !== undefined) headers.set(name, value);
    }
    const empty = response.body.length === 0 || response.status === 204 || response.status === 304;
    return new Response(empty ? null : response.body, { status: response.status, headers });
  };
}

function toBody(body: unknown): string | Uint8Array {
  if (typeof body === 'string') return body;
  if (body instanceof URLSearchParams) return body.toString();
  if (body instanceof Uint8Array) return body;
  if (body instanceof ArrayBuffer) return new Uint8Array(body);
  throw new TypeError('unsupported request body type');
}
