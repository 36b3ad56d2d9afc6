/**
 * @module http/params
 * Request parameters as Rails merges them: query string, then the body (form-encoded or JSON) on top, for
 * every method — 3scale's Python client even sends account-find criteria as a JSON body on a GET. Where each parameter came from is kept for the request log and the auth kind.
 */

/** Parameter values: strings from query and forms; any JSON value from a JSON body. */
export type Params = Record<string, unknown>;

export type BodyType = 'none' | 'form' | 'json' | 'other';
export type ParamSource = 'query' | 'form' | 'json';

export interface ParsedParams {
  params: Params;
  /** Where each parameter's effective value came from. */
  sources: Map<string, ParamSource>;
  queryKeys: string[];
  bodyKeys: string[];
  bodyType: BodyType;
}

/** A body that claims to be JSON but is not: Rails answers 400 (ActionDispatch ParseError). */
export class BadBodyError extends Error {}

/** `name[]=a&name[]=b` → `name: ['a', 'b']`; otherwise the last value wins, as in Rails. */
function addFormPairs(pairs: URLSearchParams, into: Params): string[] {
  const keys: string[] = [];
  for (const [rawKey, value] of pairs) {
    if (rawKey.endsWith('[]')) {
      const key = rawKey.slice(0, -2);
      const current = into[key];
      into[key] = Array.isArray(current) ? [...(current as unknown[]), value] : [value];
      if (!keys.includes(key)) keys.push(key);
    } else {
      into[rawKey] = value;
      if (!keys.includes(rawKey)) keys.push(rawKey);
    }
  }
  return keys;
}

/** Parses query and body into one parameter set. */
export function parseParams(search: URLSearchParams, contentType: string | undefined, body: Buffer): ParsedParams {
  const query: Params = {};
  const queryKeys = addFormPairs(search, query);
  const bodyParams: Params = {};
  let bodyKeys: string[] = [];
  let bodyType: BodyType = 'none';
  const mediaType = (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (body.length > 0) {
    if (mediaType === 'application/json' || mediaType.endsWith('+json')) {
      bodyType = 'json';
      let parsed: unknown;
      try {
        parsed = JSON.parse(body.toString('utf8'));
      } catch {
        throw new BadBodyError('invalid JSON body');
      }
      if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) {
        Object.assign(bodyParams, parsed);
        bodyKeys = Object.keys(parsed);
      } else {
        // Rails puts a non-object JSON body under `_json`.
        bodyParams._json = parsed;
        bodyKeys = ['_json'];
      }
    } else if (mediaType === 'application/x-www-form-urlencoded') {
      bodyType = 'form';
      bodyKeys = addFormPairs(new URLSearchParams(body.toString('utf8')), bodyParams);
    } else {
      // Rails parses no parameters from other media types (text/plain, none, …).
      bodyType = 'other';
    }
  }
  const sources = new Map<string, ParamSource>();
  for (const key of queryKeys) sources.set(key, 'query');
  for (const key of bodyKeys) sources.set(key, bodyType === 'json' ? 'json' : 'form');
  return { params: { ...query, ...bodyParams }, sources, queryKeys, bodyKeys, bodyType };
}

/**
 * A parameter as a string, or `undefined` when absent or nil. Numbers and booleans from JSON bodies read
 * as their text, as Rails would compare them.
 */
export function paramString(params: Params, name: string): string | undefined {
  const value = params[name];
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}
