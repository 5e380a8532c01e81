import type { FastifyPluginAsync } from 'fastify';
import { addIdempotency } from '../../http/idempotency';
import { antifraudRoutes } from './antifraud';
import { eventDeliveryRoutes } from './event-deliveries';
import { eventRoutes } from './events';
import { paymentMethodRoutes } from './payment-methods';
import { paymentRoutes } from './payments';
import { refundRoutes } from './refunds';
import { reportRoutes } from './reports';
import { shopRoutes } from './shops';
import { webhookEndpointRoutes } from './webhook-endpoints';

export interface MerchantApiOptions {
  idempotencyTtlMs: number;
}

/**
 * The merchant API (`/v1`): every route needs an API key (checked in onRequest, before the body is even
 * parsed), and every POST honours Idempotency-Key. Route groups are encapsulated children of this context,
 * so they inherit both and nothing leaks to the buyer or webhook routes.
 */
export const merchantApi: FastifyPluginAsync<MerchantApiOptions> = async (app, options) => {
  app.addHook('onRequest', app.authenticateApiKey);
  addIdempotency(app, { ttlMs: options.idempotencyTtlMs });
  await app.register(paymentRoutes);
  await app.register(refundRoutes);
  await app.register(eventRoutes);
  await app.register(eventDeliveryRoutes);
  await app.register(webhookEndpointRoutes);
  await app.register(paymentMethodRoutes);
  await app.register(reportRoutes);
  await app.register(shopRoutes);
  await app.register(antifraudRoutes);
};
