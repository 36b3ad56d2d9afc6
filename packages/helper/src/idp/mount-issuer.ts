/**
 * @module idp/mount-issuer
 * Serves oidc-provider from the helper's Fastify server under the issuer's path: requests there are taken
 * over before Fastify reads their body (oidc-provider parses its own), with the mount path stripped the
 * way Express and koa-mount strip it, so the provider builds its URLs under the prefix.
 *
 * The provider builds every URL it publishes (discovery, `jwks_uri`, the device `verification_uri`) from the
 * request's host and scheme. Those are replaced here by the configured issuer URL's, and the client address
 * by the one the helper worked out from its trusted proxies: nothing a client sends can change them.
 */
import type { IncomingMessage } from 'node:http';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type Provider from 'oidc-provider';
import { errorPage, ISSUER_CSP, PAGE_HEADERS } from './pages.js';

/** Headers on every issuer response (pages set a stricter policy of their own). */
const ISSUER_HEADERS: Readonly<Record<string, string>> = {
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  // Covers what oidc-provider renders itself (the sign-out auto-submit page); it adds its script's hash.
  'content-security-policy': ISSUER_CSP,
};

export interface MountIssuerOptions {
  provider: Provider;
  /** The configured issuer URL: the only origin the provider ever sees. */
  issuer: string;
  /** Path of the device code page, where a per-address limit applies. */
  devicePagePath: string;
  /** Requests per minute and address to the device code page; 0 for no limit. */
  devicePagePerMinute: number;
}

/**
 * Registers the catch-all route for `${mountPath}/*`. More specific routes (the sign-in pages) win.
 * Needs `@fastify/rate-limit` registered on `app` when the device page has a limit.
 * @example await app.register(mountIssuer, { provider, issuer, devicePagePath: '/realms/mlaas/device', devicePagePerMinute: 30 });
 */
export async function mountIssuer(app: FastifyInstance, options: MountIssuerOptions): Promise<void> {
  const issuerUrl = new URL(options.issuer);
  const mountPath = issuerUrl.pathname.replace(/\/+$/, '');
  const forwardedProto = issuerUrl.protocol.replace(/:$/, '');
  const callback = options.provider.callback();
  // The provider trusts X-Forwarded-*: they are always overwritten below, never taken from the client.
  options.provider.proxy = true;
  const limitDevicePage =
    options.devicePagePerMinute > 0
      ? app.createRateLimit({
          max: options.devicePagePerMinute,
          timeWindow: 60_000,
          keyGenerator: (r) => `device:${r.ip}`,
        })
      : null;

  async function devicePageAllowed(request: FastifyRequest, reply: FastifyReply): Promise<boolean> {
    if (limitDevicePage === null) return true;
    const path = (request.raw.url ?? '').split('?')[0];
    if (path !== options.devicePagePath && path !== `${options.devicePagePath}/`) return true;
    const result = await limitDevicePage(request);
    if (result.isAllowed || !result.isExceeded) return true;
    reply
      .code(429)
      .headers(PAGE_HEADERS)
      .header('retry-after', String(result.ttlInSeconds))
      .send(errorPage('too_many_requests', 'Too many attempts from this address; wait a minute and try again.'));
    return false;
  }

  app.all(`${mountPath}/*`, {
    onRequest: async (request, reply) => {
      if (!(await devicePageAllowed(request, reply))) return reply;
      reply.hijack();
      const req = request.raw as IncomingMessage & { originalUrl?: string };
      const url = req.url ?? '/';
      req.originalUrl = url;
      const rest = url.slice(mountPath.length);
      req.url = rest.startsWith('/') ? rest : `/${rest}`;
      req.headers.host = issuerUrl.host;
      req.headers['x-forwarded-host'] = issuerUrl.host;
      req.headers['x-forwarded-proto'] = forwardedProto;
      req.headers['x-forwarded-for'] = request.ip;
      delete req.headers.forwarded;
      reply.raw.setHeader('x-request-id', request.id);
      for (const [name, value] of Object.entries(ISSUER_HEADERS)) reply.raw.setHeader(name, value);
      await callback(req, reply.raw);
      return reply;
    },
    handler: async () => undefined,
  });
}
