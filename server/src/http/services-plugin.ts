import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { AppServices } from '../services';

/** Shares the services (store, registry, orchestrator, clock, logger) with every route group. */
async function servicesPlugin(app: FastifyInstance, services: AppServices) {
  app.decorate('services', services);
}

export const servicesDecorator = fp<AppServices>(servicesPlugin, {
  name: 'payrail-services',
  fastify: '5.x',
});
