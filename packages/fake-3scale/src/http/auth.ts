/**
 * @module http/auth
 * How 3scale finds the admin token: the `access_token` parameter (query, form or JSON body)
 * if present at all, else HTTP Basic, where the first non-empty of user name and password is the token —
 * the official clients send `Basic base64(":" + token)`. There is no Bearer support: whatever follows the
 * scheme is decoded as Basic credentials, so a Bearer token never matches.
 */
import type { ParamSource, Params } from './params.js';

/** Where the credential came from, as recorded in the request log (never the value). */
export type AuthKind = 'query' | 'form' | 'json' | 'basic' | 'other-scheme' | 'none';

export interface Credential {
  kind: AuthKind;
  token: string | undefined;
}

/** The credential a request carries. */
export function extractCredential(
  params: Params,
  sources: Map<string, ParamSource>,
  authorization: string | undefined,
): Credential {
  if (Object.hasOwn(params, 'access_token') && params.access_token !== null) {
    const value = params.access_token;
    return { kind: sources.get('access_token') ?? 'query', token: typeof value === 'string' ? value : String(value) };
  }
  if (authorization === undefined || authorization.trim() === '') return { kind: 'none', token: undefined };
  const [scheme = '', rest = ''] = authorization.trim().split(/\s+/, 2);
  const decoded = Buffer.from(rest, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  const user = colon < 0 ? decoded : decoded.slice(0, colon);
  const password = colon < 0 ? '' : decoded.slice(colon + 1);
  const token = user !== '' ? user : password !== '' ? password : undefined;
  return { kind: scheme.toLowerCase() === 'basic' ? 'basic' : 'other-scheme', token };
}
