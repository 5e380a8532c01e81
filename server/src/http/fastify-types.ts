import type { MerchantScope } from '@payrail/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AppServices } from '../services';
import type { HeldIdempotencyKey } from './idempotency';

/** What this server adds to Fastify's types: the shared services and the authenticated caller. */
declare module 'fastify' {
  interface FastifyInstance {
    /** Store, registry, orchestrator, clock and logger, shared by every route group. */
    services: AppServices;
    /** onRequest hook for the merchant API: resolves the API key into `request.merchantScope`. */
    authenticateApiKey: (request: FastifyRequest, reply: FastifyReply) => Promise<void>;
  }
  interface FastifyRequest {
    /** The merchant and mode of the API key; null on routes that need no key. */
    merchantScope: MerchantScope | null;
    /** Set by the idempotency hooks while this request owns an Idempotency-Key. */
    idempotency: HeldIdempotencyKey | null;
  }
}
