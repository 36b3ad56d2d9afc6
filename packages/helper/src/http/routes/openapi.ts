/**
 * @module http/routes/openapi
 * `GET /api/openapi.json`: the OpenAPI 3.1 document generated from the same route schemas that validate
 * requests and serialise responses, so it cannot drift from what is served. It describes the API only: a
 * route that declares no schema (the embedded issuer's OpenID Connect endpoints and sign-in pages, the demo
 * gateway) is left out, since nothing here could say truthfully what it answers. The issuer is described by
 * its own discovery document.
 */
import swagger from '@fastify/swagger';
import type { FastifyInstance } from 'fastify';

/** Registers the document generator; must run before the routes it describes are added. */
export async function registerOpenApi(app: FastifyInstance, version: string): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'MLaaS helper API',
        version,
        description:
          'Self-service API keys for ML services. Every response is an envelope: ' +
          '{"status":"success","data":…} or {"status":"error","error":{"code":…,"message":…}}. ' +
          'The OpenID Connect issuer is not part of this API: it is described by its discovery document ' +
          '(<issuer>/.well-known/openid-configuration).',
      },
      components: {
        securitySchemes: {
          bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'An OIDC access token.' },
        },
      },
    },
    transform: ({ schema, url }) => ({ schema: declaresSchema(schema) ? schema : { hide: true }, url }),
  });

  app.get(
    '/api/openapi.json',
    {
      schema: {
        summary: 'This document',
        tags: ['meta'],
        response: { 200: { type: 'object', additionalProperties: true } },
      },
    },
    async () => app.swagger(),
  );
}

/** True for a route registered with a schema of its own (what the document can describe). */
function declaresSchema(schema: object | undefined | null): boolean {
  return schema !== undefined && schema !== null && Object.keys(schema).length > 0;
}
