import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { CORE_VERSION } from '@payrail/core';
import type { FastifyInstance } from 'fastify';
import { jsonSchemaTransform, jsonSchemaTransformObject } from 'fastify-type-provider-zod';

/**
 * The OpenAPI 3 document is generated from the routes' zod schemas: `GET /openapi.json`, and swagger-ui
 * at `/docs`. Must be registered before the routes (it collects them in an onRoute hook).
 */
export async function registerOpenApi(app: FastifyInstance, publicUrl: string): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Payrail API',
        version: CORE_VERSION,
        description:
          'Payment orchestration API. Authenticate with `Authorization: Bearer sk_test_…` (test mode) or `sk_live_…` (live mode). Amounts are integers in minor units. Send `Idempotency-Key` on POST requests to make retries safe. Errors: `{ "error": { "code", "message", "param", "request_id" } }`.',
      },
      servers: [{ url: publicUrl }],
      components: {
        securitySchemes: {
          apiKey: { type: 'http', scheme: 'bearer', description: 'A secret API key, sk_test_… or sk_live_…' },
          session: {
            type: 'apiKey',
            in: 'cookie',
            name: '__Host-payrail_session',
            description: 'Personal-account session (POST /v1/auth/login); mutations also need X-CSRF-Token.',
          },
        },
      },
    },
    transform: jsonSchemaTransform,
    transformObject: jsonSchemaTransformObject,
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
}
