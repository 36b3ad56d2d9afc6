/**
 * @module idp/mount-issuer
 * Serves oidc-provider from the helper's Fastify server under the issuer's path: requests there are taken
 * over before Fastify reads their body (oidc-provider parses its own), with the mount path stripped the
 * way Express and koa-mount strip it, so the provider builds its URLs under the prefix.
 */
import type { IncomingMessage } from 'node:http';
import type { FastifyInstance } from 'fastify';
import type Provider from 'oidc-provider';

/** Headers on every issuer response (pages set a stricter policy of their own). */
const ISSUER_HEADERS: Readonly<Record<string, string>> = {
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
};

/**
 * Registers the catch-all route for `${mountPath}/*`. More specific routes (the sign-in pages) win.
 * @example await app.register(mountIssuer, { provider, mountPath: '/realms/mlaas' });
 */
export async function mountIssuer(
  app: FastifyInstance,
  options: { provider: Provider; mountPath: string },
): Promise<void> {
  const { mountPath } = options;
  const callback = options.provider.callback();

  app.all(`${mountPath}/*`, {
    onRequest: async (request, reply) => {
      reply.hijack();
      const req = request.raw as IncomingMessage & { originalUrl?: string };
      const url = req.url ?? '/';
      req.originalUrl = url;
      const rest = url.slice(mountPath.length);
      req.url = rest.startsWith('/') ? rest : `/${rest}`;
      reply.raw.setHeader('x-request-id', request.id);
      for (const [name, value] of Object.entries(ISSUER_HEADERS)) reply.raw.setHeader(name, value);
      await callback(req, reply.raw);
    },
    handler: async () => undefined,
  });
}
