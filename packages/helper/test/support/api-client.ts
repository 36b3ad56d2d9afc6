/**
 * @module test/support/api-client
 * Calls a harness's helper in-process and checks every response against the helper's own OpenAPI document.
 */
import type { Harness } from './helper-harness.js';
import { createResponseValidator, type ResponseValidator } from './openapi-validator.js';

export interface ApiResponse {
  status: number;
  headers: Record<string, string | string[] | number | undefined>;
  text: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  json: any;
}

export interface ApiClient {
  call(
    method: string,
    url: string,
    options?: { token?: string; body?: unknown; headers?: Record<string, string>; payload?: string },
  ): Promise<ApiResponse>;
  validator: ResponseValidator;
}

/** Creates a client whose every response must match the document served at /api/openapi.json. */
export async function createApiClient(h: Harness): Promise<ApiClient> {
  const doc = (await h.helper.app.inject({ method: 'GET', url: '/api/openapi.json' })).json();
  const validator = createResponseValidator(doc);
  const routes = new Map<string, string>();
  for (const path of Object.keys(doc.paths)) routes.set(path, path);

  return {
    validator,
    async call(method, url, options = {}) {
      const headers: Record<string, string> = { ...options.headers };
      if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
      const response = await h.helper.app.inject({
        method: method as 'GET',
        url,
        headers,
        ...(options.payload !== undefined
          ? { payload: options.payload }
          : options.body !== undefined
            ? { payload: options.body as object }
            : {}),
      });
      const contentType = String(response.headers['content-type'] ?? '');
      const body = contentType.startsWith('application/json') ? response.json() : response.body;
      const path = url.split('?')[0] ?? url;
      const documented = routes.get(path);
      if (documented !== undefined && doc.paths[documented][method.toLowerCase()] !== undefined) {
        validator.check(method, documented, response.statusCode, contentType, body);
      } else if (![400, 404, 405].includes(response.statusCode) || body?.status !== 'error') {
        throw new Error(`${method} ${path} answered ${response.statusCode} but is not documented`);
      }
      return { status: response.statusCode, headers: response.headers, text: response.body, json: body };
    },
  };
}
