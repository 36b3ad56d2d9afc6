/**
 * @module sdk/client
 * `MlaasClient`: the helper API for programs, with the CLI's settings, token store and refresh. Every
 * response is checked against the API contract before it is returned.
 */
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import type {
  AuditData,
  HealthData,
  InitData,
  KeysData,
  RevokeData,
  RotateData,
  ServicesData,
  ServiceSelector,
  UsageData,
  UsagePeriod,
} from '@mlaas/contract';
import { Session, type SignInReason } from '../auth/session.js';
import type { Env } from '../config/paths.js';
import { assertSecureUrl } from '../config/secure-url.js';
import { resolveSettings, type Settings } from '../config/settings.js';
import type { StoredTokens } from '../store/token-set.js';
import type { TokenStore } from '../store/token-store.js';
import { CLI_VERSION } from '../version.js';
import {
  AUDIT_RESPONSE,
  ERROR_ENVELOPE,
  HEALTH_RESPONSE,
  INIT_RESPONSE,
  KEYS_RESPONSE,
  REVOKE_RESPONSE,
  ROTATE_RESPONSE,
  SERVICES_RESPONSE,
  USAGE_RESPONSE,
} from './_contract-schemas.js';
import { MlaasError } from '../lib/errors.js';
import { retryDelayMs } from './retry-policy.js';
import { findSchemaProblem, type JsonSchema } from './schema-check.js';
import { createTransport, type HttpResponse, type HttpTransport } from '../lib/transport.js';

/** Options of {@link MlaasClient}; every setting falls back to `MLAAS_*`, then `config.json`, then the defaults. */
export interface MlaasClientOptions {
  /** Profile whose settings and tokens to use (`MLAAS_PROFILE`, else `default`). */
  profile?: string;
  keycloakUrl?: string;
  keycloakRealm?: string;
  keycloakClientId?: string;
  helperUrl?: string;
  /** PEM file with a CA certificate to trust in addition to the system's. */
  caFile?: string;
  /** Allow plain HTTP to hosts other than this machine. */
  allowInsecureHttp?: boolean;
  /** Overrides `MLAAS_CONFIG_DIR` / `XDG_CONFIG_HOME`. */
  configDir?: string;
  /** Environment to read `MLAAS_*` variables from (default `process.env`). */
  env?: Env;
  /** Use this access token as is (default `MLAAS_ACCESS_TOKEN`). */
  accessToken?: string;
  /** Sign in with these whenever needed (default `MLAAS_USERNAME` + `MLAAS_PASSWORD`). */
  credentials?: { username: string; password: string };
  /** Where tokens live (default: the CLI's store for the profile). */
  tokenStore?: TokenStore;
  /** Sends HTTP requests (default: `node:http`/`node:https` with the CA file). */
  transport?: HttpTransport;
  /** Receives one line per HTTP call (method, masked URL, status, duration). */
  trace?: (line: string) => void;
  /** Receives warnings, such as the one-time notice that tokens are kept in a plain file. */
  warn?: (message: string) => void;
  /** Already resolved settings (the CLI passes its own); the setting options above are then ignored. */
  settings?: Settings;
  /** Signs the user in when needed (the CLI prompts); without it, a needed sign-in throws AUTH_REQUIRED. */
  signIn?: (reason: SignInReason, session: Session) => Promise<StoredTokens>;
  /** Text of the hint on AUTH_REQUIRED errors. */
  signInHint?: string;
}

/** Options of {@link MlaasClient.request}. */
export interface RequestOptions {
  /** Send the access token (default true). */
  auth?: boolean;
  /** Schema of the whole response envelope; without one, only the envelope's shape is checked. */
  schema?: JsonSchema;
}

const GENERIC_SUCCESS: JsonSchema = {
  type: 'object',
  required: ['status', 'data'],
  properties: { status: { const: 'success' }, data: {} },
};

/**
 * A client of the MLaaS helper. Shares the CLI's configuration, token store and refresh: after
 * `mlaas login`, a program using the same profile is signed in too.
 *
 * @example
 * ```ts
 * import { MlaasClient } from 'mlaas';
 *
 * const client = new MlaasClient({ profile: 'default' });
 * const { services } = await client.listServices();
 * const { api_key, service } = await client.initService({ name: 'Sentiment Analysis' });
 * ```
 */
export class MlaasClient {
  /** The effective settings and where each came from. */
  readonly settings: Settings;
  /** The profile's sign-in state. */
  readonly session: Session;
  /** The HTTP transport every call of this client goes through. */
  readonly transport: HttpTransport;

  constructor(options: MlaasClientOptions = {}) {
    const env = options.env ?? process.env;
    this.settings =
      options.settings ??
      resolveSettings({
        env,
        ...(options.configDir !== undefined ? { configDir: options.configDir } : {}),
        flags: {
          profile: options.profile,
          keycloakUrl: options.keycloakUrl,
          keycloakRealm: options.keycloakRealm,
          keycloakClientId: options.keycloakClientId,
          helperUrl: options.helperUrl,
          caFile: options.caFile,
          allowInsecureHttp: options.allowInsecureHttp,
        },
      });
    const settings = this.settings;
    this.transport =
      options.transport ??
      createTransport({ ...readExtraCa(settings), ...(options.trace ? { trace: options.trace } : {}) });
    const fromEnv =
      env.MLAAS_USERNAME && env.MLAAS_PASSWORD
        ? { username: env.MLAAS_USERNAME, password: env.MLAAS_PASSWORD }
        : undefined;
    const accessToken = options.accessToken ?? (env.MLAAS_ACCESS_TOKEN || undefined);
    const warn = options.warn;
    this.session = new Session({
      issuer: settings.issuer,
      clientId: settings.keycloakClientId.value,
      profile: settings.profile.value,
      configDir: settings.configDir,
      allowInsecureHttp: settings.allowInsecureHttp.value,
      send: this.transport,
      openStore: () =>
        options.tokenStore !== undefined
          ? Promise.resolve(options.tokenStore)
          : import('../store/open-store.js').then(({ openTokenStore }) =>
              openTokenStore({
                kind: settings.tokenStore.value,
                configDir: settings.configDir,
                env,
                ...(warn ? { warn } : {}),
              }),
            ),
      accessToken,
      credentials: options.credentials ?? fromEnv,
      signIn: options.signIn,
      signInHint: options.signInHint ?? 'Sign in with `mlaas login`, or set MLAAS_USERNAME and MLAAS_PASSWORD.',
    });
  }

  /**
   * `GET /api/health`: whether the helper is up (no sign-in needed).
   *
   * @example
   * ```ts
   * const { status } = await new MlaasClient().health(); // 'healthy'
   * ```
   */
  health(): Promise<HealthData> {
    return this.request<HealthData>('GET', '/api/health', undefined, { auth: false, schema: HEALTH_RESPONSE });
  }

  /**
   * `GET /api/services`: the ML services, their gateway endpoints and which ones have a key already.
   *
   * @example
   * ```ts
   * const { services, user } = await client.listServices();
   * for (const s of services) console.log(s.name, s.has_api_key ? s.api_key_preview : '-');
   * ```
   * With `{ all: true }`, also the services an entitlements policy keeps from the caller, marked
   * `entitled: false` with the roles or groups that would grant them (`granted_by`).
   */
  listServices(view: { all?: boolean } = {}): Promise<ServicesData> {
    const path = view.all === true ? '/api/services?all=true' : '/api/services';
    return this.request<ServicesData>('GET', path, undefined, { schema: SERVICES_RESPONSE });
  }

  /**
   * `POST /api/services/init`: the API key for a service, created on first use (idempotent).
   * @throws MlaasError SERVICE_NOT_FOUND for an unknown id or name.
   *
   * @example
   * ```ts
   * const { api_key, service, is_new } = await client.initService({ id: 'sentiment-analysis' });
   * ```
   */
  initService(selector: ServiceSelector): Promise<InitData> {
    const body =
      'id' in selector && typeof selector.id === 'string' && selector.id !== ''
        ? { service_id: selector.id }
        : 'name' in selector && typeof selector.name === 'string' && selector.name !== ''
          ? { service_name: selector.name }
          : undefined;
    if (body === undefined) throw new TypeError('initService needs { id } or { name } with a non-empty string');
    return this.request<InitData>('POST', '/api/services/init', body, { schema: INIT_RESPONSE });
  }

  /**
   * `GET /api/keys`: your keys on every service, with their state (`active`, `grace`, `expired`, …) and deadlines.
   *
   * @example
   * ```ts
   * for (const key of (await client.listKeys()).keys) console.log(key.service_id, key.state, key.expires_at);
   * ```
   */
  listKeys(): Promise<KeysData> {
    return this.request<KeysData>('GET', '/api/keys', undefined, { schema: KEYS_RESPONSE });
  }

  /**
   * `GET /api/services/{id}/usage`: your hits on a service per hour (`day`) or per day (`week`, the default,
   * and `month`), and every limit of your plan with what it has used and when it resets. With
   * `usage_available: false` the API manager could not count usage just now; the limits are still listed.
   * @throws MlaasError KEY_NOT_FOUND without a key on the service, SERVICE_NOT_FOUND for an unknown service.
   *
   * @example
   * ```ts
   * const usage = await client.getUsage('sentiment-analysis', { period: 'week' });
   * for (const limit of usage.limits) console.log(limit.metric, limit.period, limit.used, '/', limit.max);
   * ```
   */
  getUsage(serviceId: string, options: { period?: UsagePeriod } = {}): Promise<UsageData> {
    const query = options.period === undefined ? '' : `?period=${encodeURIComponent(options.period)}`;
    return this.request<UsageData>('GET', `/api/services/${encodeURIComponent(serviceId)}/usage${query}`, undefined, {
      schema: USAGE_RESPONSE,
    });
  }

  /**
   * `POST /api/services/{id}/key/rotate`: a new key at once; the old key keeps working for `graceSeconds`
   * (the helper's default when absent; 0 stops it now).
   * @throws MlaasError KEY_NOT_FOUND without a key on the service, NOT_ROTATABLE for OIDC services,
   *   VALIDATION_ERROR for a grace outside the allowed range.
   *
   * @example
   * ```ts
   * const { api_key, previous } = await client.rotateKey('sentiment-analysis', { graceSeconds: 3600 });
   * ```
   */
  rotateKey(serviceId: string, options: { graceSeconds?: number } = {}): Promise<RotateData> {
    const body = options.graceSeconds === undefined ? {} : { grace_seconds: options.graceSeconds };
    return this.request<RotateData>('POST', `/api/services/${encodeURIComponent(serviceId)}/key/rotate`, body, {
      schema: ROTATE_RESPONSE,
    });
  }

  /**
   * `DELETE /api/services/{id}/key`: stops every key you hold on the service at once.
   * @throws MlaasError KEY_NOT_FOUND without a key on the service.
   *
   * @example
   * ```ts
   * const { revoked } = await client.revokeKey('sentiment-analysis');
   * ```
   */
  revokeKey(serviceId: string): Promise<RevokeData> {
    return this.request<RevokeData>('DELETE', `/api/services/${encodeURIComponent(serviceId)}/key`, undefined, {
      schema: REVOKE_RESPONSE,
    });
  }

  /**
   * `GET /api/audit`: your key events, newest first; pass `next_before` as `before` for older ones.
   *
   * @example
   * ```ts
   * const { events, next_before } = await client.keyHistory({ limit: 20 });
   * ```
   */
  keyHistory(page: { limit?: number; before?: number } = {}): Promise<AuditData> {
    const query = new URLSearchParams();
    if (page.limit !== undefined) query.set('limit', String(page.limit));
    if (page.before !== undefined) query.set('before', String(page.before));
    const suffix = query.size > 0 ? `?${query.toString()}` : '';
    return this.request<AuditData>('GET', `/api/audit${suffix}`, undefined, { schema: AUDIT_RESPONSE });
  }

  /**
   * Calls any helper route and returns the `data` of its success envelope. Error envelopes become
   * {@link MlaasError}s with the helper's code; anything off-contract is INVALID_RESPONSE.
   *
   * @example
   * ```ts
   * const data = await client.request<{ status: string }>('GET', '/api/ready', undefined, { auth: false });
   * ```
   */
  async request<T = unknown>(method: string, path: string, body?: unknown, options: RequestOptions = {}): Promise<T> {
    if (!path.startsWith('/')) throw new TypeError('path must start with "/"');
    const auth = options.auth ?? true;
    const url = `${this.settings.helperUrl.value}${path}`;
    if (auth) assertSecureUrl(url, 'The helper URL', this.settings.allowInsecureHttp.value);
    const headers: Record<string, string> = {
      accept: 'application/json',
      'user-agent': `mlaas-cli/${CLI_VERSION} node/${process.version}`,
    };
    const payload = body === undefined ? undefined : JSON.stringify(body);
    if (payload !== undefined) headers['content-type'] = 'application/json';

    let token = auth ? await this.session.accessToken() : undefined;
    let response = await this.sendWithRetries({
      method,
      url,
      headers: withToken(headers, token),
      ...(payload !== undefined ? { body: payload } : {}),
    });
    if (auth && response.status === 401 && token !== undefined) {
      // The token looked valid but was refused (revoked, or the issuer's keys changed): refresh once.
      token = await this.session.accessToken({ rejected: token });
      response = await this.sendWithRetries({
        method,
        url,
        headers: withToken(headers, token),
        ...(payload !== undefined ? { body: payload } : {}),
      });
    }
    return parseResponse<T>(response, url, options.schema ?? GENERIC_SUCCESS);
  }

  private async sendWithRetries(req: Parameters<HttpTransport>[0]): Promise<HttpResponse> {
    for (let attempt = 1; ; attempt += 1) {
      const response = await this.transport(req);
      const delay = retryDelayMs(req.method, response.status, header(response, 'retry-after'), attempt);
      if (delay === null) return response;
      await sleep(delay);
    }
  }
}

function withToken(headers: Record<string, string>, token: string | undefined): Record<string, string> {
  return token === undefined ? headers : { ...headers, authorization: `Bearer ${token}` };
}

function header(response: HttpResponse, name: string): string | null {
  const value = response.headers[name];
  return Array.isArray(value) ? (value[0] ?? null) : (value ?? null);
}

function parseResponse<T>(response: HttpResponse, url: string, schema: JsonSchema): T {
  const origin = new URL(url).origin;
  const requestId = header(response, 'x-request-id') ?? undefined;
  let json: unknown;
  try {
    json = JSON.parse(response.body.toString('utf8'));
  } catch {
    throw new MlaasError(
      'INVALID_RESPONSE',
      `${origin} answered HTTP ${response.status} without a JSON body; is it the MLaaS helper?`,
      {
        status: response.status,
        ...(requestId ? { requestId } : {}),
        hint: 'Check --mlaas-helper-url (MLAAS_HELPER_URL).',
      },
    );
  }
  if (response.status >= 200 && response.status < 300) {
    const problem = findSchemaProblem(schema, json);
    if (problem !== null) {
      throw new MlaasError('INVALID_RESPONSE', `the helper's answer does not match the API contract (${problem})`, {
        status: response.status,
        ...(requestId ? { requestId } : {}),
        hint: 'The helper and this CLI may be of different versions.',
      });
    }
    return (json as { data: T }).data;
  }
  if (findSchemaProblem(ERROR_ENVELOPE, json) === null) {
    const { code, message, request_id } = (
      json as { error: { code: MlaasError['code']; message: string; request_id?: string } }
    ).error;
    const id = request_id ?? requestId;
    return throwHelperError(code, message, response, id);
  }
  throw new MlaasError('INVALID_RESPONSE', `${origin} answered HTTP ${response.status} with an unexpected body`, {
    status: response.status,
    ...(requestId ? { requestId } : {}),
  });
}

function throwHelperError(
  code: MlaasError['code'],
  message: string,
  response: HttpResponse,
  requestId: string | undefined,
): never {
  const retryAfter = header(response, 'retry-after');
  const hint =
    code === 'INVALID_TOKEN' || code === 'MISSING_AUTH'
      ? 'Sign in again with `mlaas login`.'
      : code === 'RATE_LIMITED' && retryAfter !== null
        ? `Try again in ${retryAfter} s.`
        : undefined;
  throw new MlaasError(code, message, {
    status: response.status,
    ...(requestId ? { requestId } : {}),
    ...(hint ? { hint } : {}),
  });
}

function readExtraCa(settings: Settings): { extraCa?: string } {
  const path = settings.caFile.value;
  if (path === null) return {};
  try {
    const pem = readFileSync(path, 'utf8');
    if (!pem.includes('-----BEGIN CERTIFICATE-----')) throw new Error('no PEM certificate in it');
    return { extraCa: pem };
  } catch (error) {
    throw new MlaasError(
      'INVALID_SETTING',
      `${settings.caFile.origin}: cannot use ${path} as a CA file: ${(error as Error).message}`,
      { cause: error },
    );
  }
}
