import type { FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { ProblemSchema } from '../schemas';

/** The OpenAPI description (/docs/json) and its UI (/docs). */
export async function registerOpenApi(app: FastifyInstance): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Energy auction API',
        version: '1.0.0',
        description:
          'Sealed-bid P2P energy auctions on Hyperledger Fabric. A 201 on bids means the batch ' +
          'carrying them is committed on the ledger. Errors are application/problem+json.',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  // Document the problem+json answers of every /v1 route (a root hook: it sees every route).
  app.addHook('onRoute', (route) => {
    if (!route.url.startsWith('/v1/') || !route.schema) return;
    const response = (route.schema.response ?? {}) as Record<string, unknown>;
    route.schema.response = { ...response, '4xx': ProblemSchema, '5xx': ProblemSchema };
  });
}
