/**
 * @module http/routes/openapi
 * `GET /api/openapi.json`: the OpenAPI 3.1 document generated from the same route schemas that validate
 * requests and serialise responses, so it cannot drift from what is served.
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
          '{"status":"success","data":…} or {"status":"error","error":{"code":…,"message":…}}.',
      },
      components: {
        securitySchemes: {
          bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'An OIDC access token.' },
        },
      },
    },
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
