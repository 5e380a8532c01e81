import type { FastifyPluginAsync } from 'fastify';
import { authenticateIssuerKey } from '../../issuers/issuer-auth';
import { issuerEnrolmentRoutes } from './enrolments';
import { issuerRangeRoutes } from './ranges';
import { issuerStatisticsRoutes } from './statistics';

/**
 * The issuer API (`/v1/issuer`): banks using Payrail's payer-authentication service manage their IIN
 * ranges and enrolled cards with an issuer key (`ik_…`, checked in onRequest before the body is parsed).
 * Its own context: the merchant API's key hook and idempotency do not apply here, and a merchant key is
 * refused (403 PAYRAIL_ERR_ISSUER_KEY_REQUIRED).
 */
export const issuerApi: FastifyPluginAsync = async (app) => {
  app.addHook('onRequest', (request) => authenticateIssuerKey(app.services.store, request));
  await app.register(issuerRangeRoutes);
  await app.register(issuerEnrolmentRoutes);
  await app.register(issuerStatisticsRoutes);
};
