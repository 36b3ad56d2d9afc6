/**
 * @module http/admin-api
 * One Admin API request, transport aside: route and format from the path, parameters merged from query
 * and body, the credential found and checked, then the handler — with 3scale's order of refusals: an
 * unknown route is a 404 whatever the token, an unknown suffix a 406, a bad token a 403,
 * then a token without the permission the call needs another 403 (see `access-tokens`).
 */
import type { EndpointKey } from '../endpoints.js';
import type { RenderContext } from '../represent/representation.js';
import { type AccessTokenRecord, findToken, mayUseAdminApi, mayWrite, visibleServiceIds } from './access-tokens.js';
import { type Credential, extractCredential } from './auth.js';
import { type Format, splitFormat } from './format.js';
import { BadBodyError, type ParsedParams, parseParams } from './params.js';
import { ACCESS_DENIED, NOT_ACCEPTABLE, NOT_FOUND, PERMISSION_DENIED, type Reply, errorReply } from './reply.js';
import { type RouteMatch, matchAnyRoute } from './routes.js';

const READ_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD']);

/** A request parsed and authenticated, not yet handled. */
export interface PreparedRequest {
  method: string;
  match: RouteMatch | undefined;
  endpoint: EndpointKey | null;
  format: Format | 'unknown';
  /** Undefined when the body could not be parsed. */
  parsed: ParsedParams | undefined;
  credential: Credential;
  authorized: boolean;
  /** The token the credential matched, if any. */
  token: AccessTokenRecord | undefined;
}

export interface RawRequest {
  method: string;
  /** Path under `/admin/api/` or `/stats/`, as sent. */
  pathname: string;
  search: URLSearchParams;
  contentType: string | undefined;
  authorization: string | undefined;
  body: Buffer;
}

/** Parses and authenticates; never throws. */
export function prepareAdminRequest(raw: RawRequest, tokens: readonly AccessTokenRecord[]): PreparedRequest {
  const { path, format } = splitFormat(raw.pathname);
  const match = matchAnyRoute(raw.method, path);
  let parsed: ParsedParams | undefined;
  try {
    parsed = parseParams(raw.search, raw.contentType, raw.body);
  } catch (error) {
    if (!(error instanceof BadBodyError)) throw error;
    parsed = undefined;
  }
  const credential = parsed
    ? extractCredential(parsed.params, parsed.sources, raw.authorization)
    : extractCredential({}, new Map(), raw.authorization);
  const token = findToken(tokens, credential.token);
  return {
    method: raw.method,
    match,
    endpoint: match?.key ?? null,
    format,
    parsed,
    credential,
    authorized: token !== undefined,
    token,
  };
}

/** The reply, and the format to write it in. */
export function executeAdminRequest(
  prepared: PreparedRequest,
  ctx: RenderContext,
  ignorePaging: boolean,
): { reply: Reply; format: Format } {
  const format: Format = prepared.format === 'unknown' ? 'xml' : prepared.format;
  if (!prepared.match) return { reply: NOT_FOUND, format };
  if (prepared.format === 'unknown') return { reply: NOT_ACCEPTABLE, format };
  if (!prepared.parsed) return { reply: { status: 400, body: { json: () => '', xml: () => '' } }, format };
  const { token } = prepared;
  if (token === undefined) return { reply: ACCESS_DENIED, format };
  if (!mayUseAdminApi(token, prepared.match.scope)) return { reply: PERMISSION_DENIED, format };
  // porta runs a read-only token's request in a read-only transaction, so its first write fails; the fake
  // refuses every write of such a token before it changes anything.
  if (!READ_METHODS.has(prepared.method) && !mayWrite(token)) return { reply: PERMISSION_DENIED, format };
  try {
    const reply = prepared.match.handler({
      method: prepared.method,
      pathParams: prepared.match.pathParams,
      params: prepared.parsed.params,
      ctx,
      ignorePaging,
      visibleServiceIds: visibleServiceIds(token, ctx.tenant),
    });
    return { reply, format };
  } catch (error) {
    return { reply: errorReply(error, prepared.method), format };
  }
}
