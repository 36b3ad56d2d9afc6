/**
 * @module http/routes/web-ui
 * The self-service web page: `GET /` answers the page (never cached, with the issuer it signs in with written
 * into `<meta>` tags, so no inline script is needed), and `GET /web/<version>/<file>` its scripts and style
 * sheets, read once at start from `packages/helper/web`, precompressed, and cached for a year under a URL that
 * changes with their content. A strict Content-Security-Policy allows this origin and the issuer's only.
 * The routes declare no schema, so the OpenAPI document (which lists the API) leaves them out.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants as zlib, gzipSync } from 'node:zlib';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { HelperError } from '../../errors/helper-error.js';
import { escapeHtml } from '../../idp/pages.js';

/** Where the page's files live (the same path from `src/` and from `dist/`). */
export const WEB_DIR = fileURLToPath(new URL('../../../web/', import.meta.url));

/** URL prefix of the versioned assets. */
export const WEB_ASSET_PREFIX = '/web';

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

export interface WebUiOptions {
  /** The OpenID Connect issuer the page signs in with. */
  issuer: string;
  /** The issuer's public client for the page. */
  clientId: string;
  /** Defaults to {@link WEB_DIR}; tests may point elsewhere. */
  directory?: string;
}

interface Asset {
  type: string;
  identity: Buffer;
  gzip: Buffer;
  br: Buffer;
}

/**
 * The page's Content-Security-Policy: scripts, styles, images and API calls from this origin only; token
 * calls to the issuer's origin too; no frames, no plugins, no `<base>`; forms nowhere but here.
 * @example contentSecurityPolicy('https://sso.example.org/realms/mlaas')
 */
export function contentSecurityPolicy(issuer: string): string {
  const issuerOrigin = new URL(issuer).origin;
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self'",
    `connect-src 'self' ${issuerOrigin}`,
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/**
 * Registers `GET /` and the versioned assets.
 * @throws Error when the page's files are missing (a broken installation: the helper does not start).
 * @example registerWebUi(app, { issuer: config.oidc.issuer, clientId: config.webUi.clientId });
 */
export function registerWebUi(app: FastifyInstance, options: WebUiOptions): { version: string } {
  const directory = options.directory ?? WEB_DIR;
  const assets = new Map<string, Asset>();
  const digest = createHash('sha256');
  for (const name of readdirSync(directory).sort()) {
    const type = TYPES[extname(name)];
    if (type === undefined) continue;
    const identity = readFileSync(join(directory, name));
    digest.update(name).update(identity);
    assets.set(name, {
      type,
      identity,
      gzip: gzipSync(identity, { level: 9 }),
      br: brotliCompressSync(identity, { params: { [zlib.BROTLI_PARAM_QUALITY]: 11 } }),
    });
  }
  const version = digest.digest('hex').slice(0, 12);
  const base = `${WEB_ASSET_PREFIX}/${version}`;
  const csp = contentSecurityPolicy(options.issuer);
  const html = readFileSync(join(directory, 'index.html'), 'utf8')
    .replaceAll('{{BASE}}', base)
    .replaceAll('{{ISSUER}}', escapeHtml(options.issuer))
    .replaceAll('{{CLIENT_ID}}', escapeHtml(options.clientId));

  app.get('/', async (_request, reply) =>
    reply
      .header('content-security-policy', csp)
      .header('cache-control', 'no-store')
      .type('text/html; charset=utf-8')
      .send(html),
  );

  app.get(`${WEB_ASSET_PREFIX}/:version/:file`, async (request: FastifyRequest, reply: FastifyReply) => {
    const params = request.params as { version: string; file: string };
    const asset = assets.get(params.file);
    if (asset === undefined || params.version !== version) {
      throw new HelperError('NOT_FOUND', 'There is no such file of the web page; reload the page.');
    }
    const accepted = String(request.headers['accept-encoding'] ?? '');
    const [encoding, body] = /\bbr\b/.test(accepted)
      ? ['br', asset.br]
      : /\bgzip\b/.test(accepted)
        ? ['gzip', asset.gzip]
        : [null, asset.identity];
    if (encoding !== null) reply.header('content-encoding', encoding);
    return reply
      .header('vary', 'accept-encoding')
      .header('cache-control', 'public, max-age=31536000, immutable')
      .header('content-security-policy', csp)
      .type(asset.type)
      .send(body);
  });
  return { version };
}
