/**
 * @module web/api
 * The helper's API as the page uses it: every call carries the access token, every error envelope becomes an
 * {@link ApiError} whose text says what happened and what to do.
 */

/** What to do after each error code of the API, in words. */
const ADVICE = {
  NETWORK: 'Check your connection and try again.',
  VALIDATION_ERROR: 'Check what you entered and try again.',
  MISSING_AUTH: 'Sign in again.',
  INVALID_TOKEN: 'Your session has ended: sign in again.',
  FORBIDDEN: 'Ask your administrator for access.',
  NOT_ENTITLED: 'Ask your administrator to give you access to this service.',
  ACCOUNT_NOT_FOUND: 'Get a key for any service first: that creates your account.',
  SERVICE_NOT_FOUND: 'The service may have been removed: reload the list.',
  NOT_FOUND: 'Reload the page.',
  KEY_NOT_FOUND: 'There is no key to change here: reload the list, or get a key first.',
  METHOD_NOT_ALLOWED: 'Reload the page; it may be older than the server.',
  NO_PLANS_FOUND: 'This service has no plan to subscribe to yet: ask its owner.',
  NOT_ROTATABLE: 'This key cannot be rotated now: reload the list to see its state.',
  PAYLOAD_TOO_LARGE: 'Reload the page and try again.',
  UNSUPPORTED_MEDIA_TYPE: 'Reload the page and try again.',
  REQUEST_TIMEOUT: 'Try again.',
  RATE_LIMITED: 'Too many requests: wait a little and try again.',
  REQUEST_HEADER_TOO_LARGE: 'Sign out and in again.',
  INTERNAL_ERROR: 'Try again; if it keeps failing, tell your operators the request id.',
  CONFIG_ERROR: 'The server is not set up correctly: tell your operators the request id.',
  UPSTREAM_ERROR: 'The API manager failed: try again in a minute.',
  NOT_READY: 'The server is starting or stopping: try again in a few seconds.',
  UPSTREAM_UNAVAILABLE: 'The API manager is unavailable: try again in a minute.',
  UPSTREAM_TIMEOUT: 'The API manager did not answer in time: try again in a minute.',
};

/** An error of the API: `code`, the server's `message`, and `advice` in words. */
export class ApiError extends Error {
  constructor(code, message, { requestId = null, retryAfter = null } = {}) {
    super(message);
    this.code = code;
    this.requestId = requestId;
    this.retryAfter = retryAfter;
    const wait = retryAfter !== null && code === 'RATE_LIMITED' ? ` Try again in ${retryAfter} s.` : '';
    this.advice = (ADVICE[code] ?? 'Try again; if it keeps failing, tell your operators the request id.') + wait;
  }
}

/**
 * A client of the helper API on this origin.
 * @param auth the page's sign-in ({@link createAuth}).
 */
export function createApi(auth) {
  async function call(method, path, body, retried = false) {
    const token = await auth.accessToken();
    let response;
    try {
      response = await fetch(path, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          accept: 'application/json',
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
    } catch {
      throw new ApiError('NETWORK', 'The server cannot be reached.', {});
    }
    const envelope = await response.json().catch(() => null);
    if (response.ok && envelope?.status === 'success') return envelope.data;
    const error = envelope?.error;
    if (response.status === 401 && !retried && error?.code === 'INVALID_TOKEN') {
      await auth.tokenRefused();
      return call(method, path, body, true);
    }
    throw new ApiError(error?.code ?? 'INTERNAL_ERROR', error?.message ?? `The server answered ${response.status}.`, {
      requestId: error?.request_id ?? response.headers.get('x-request-id'),
      retryAfter: response.headers.get('retry-after'),
    });
  }

  return {
    services: () => call('GET', '/api/services'),
    keys: () => call('GET', '/api/keys'),
    history: (limit = 100) => call('GET', `/api/audit?limit=${limit}`),
    getKey: (serviceId) => call('POST', '/api/services/init', { service_id: serviceId }),
    rotate: (serviceId, graceSeconds) =>
      call('POST', `/api/services/${encodeURIComponent(serviceId)}/key/rotate`, { grace_seconds: graceSeconds }),
    revoke: (serviceId) => call('DELETE', `/api/services/${encodeURIComponent(serviceId)}/key`),
    usage: (serviceId, period) =>
      call('GET', `/api/services/${encodeURIComponent(serviceId)}/usage?period=${encodeURIComponent(period)}`),
  };
}
