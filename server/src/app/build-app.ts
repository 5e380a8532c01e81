import Fastify, { type FastifyInstance } from 'fastify';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { defaultAccountsOptions } from '../accounts/accounts-config';
import { apiKeyAuth } from '../http/auth';
import { errorHandling, frameworkErrors, MAX_PATH_PARAM_LENGTH, requestId } from '../http/errors';
import '../http/fastify-types';
import { MIN_IDEMPOTENCY_TTL_MS } from '../http/idempotency';
import { acceptJsonOnly } from '../http/json-body';
import { loggerOptions } from '../http/logging';
import { registerOpenApi } from '../http/openapi';
import { servicesDecorator } from '../http/services-plugin';
import { accountsApi } from '../routes/accounts';
import { debugTimingRoutes } from '../routes/debug-timing';
import { healthRoutes } from '../routes/health';
import { webhookRoutes } from '../routes/hooks';
import { issuerApi } from '../routes/issuer';
import { payRoutes } from '../routes/pay';
import { paymentLookupRoutes } from '../routes/public/payment-lookup';
import { merchantApi } from '../routes/v1';
import type { AppOptions, AppServices } from '../services';
import { simulatorRoutes } from '../simulators/routes';

export const DEFAULT_BODY_LIMIT = 100 * 1024;

/**
 * Builds the HTTP app (DESIGN.md §7). Returns a ready instance: call `listen()` or `inject()` on it.
 *
 * Layout: shared services, error handling and API-key auth are `fastify-plugin` decorators (visible to
 * every context); each route group is an encapsulated plugin. The merchant API (`/v1`) adds auth and
 * idempotency hooks to its context only; the webhook context swaps the JSON parser for a raw-body one.
 */
export async function buildApp(services: AppServices, options: AppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    logger: loggerOptions(options.logger),
    genReqId: requestId,
    bodyLimit: options.bodyLimit ?? DEFAULT_BODY_LIMIT,
    // maxParamLength: path parameters the schemas allow up to 255 characters (a merchant's customer id in
    // /v1/customers/{id}, an email in /v1/account/buyer/contacts/{email}); Fastify's default is 100.
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: MAX_PATH_PARAM_LENGTH },
    // Router errors (a longer path parameter, bad percent-encoding) in the API's error shape.
    frameworkErrors,
  }).withTypeProvider<ZodTypeProvider>();

  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  acceptJsonOnly(app);

  await app.register(errorHandling);
  await app.register(servicesDecorator, services);
  await app.register(apiKeyAuth);
  await registerOpenApi(app, options.publicUrl);

  await app.register(healthRoutes);
  await app.register(merchantApi, {
    prefix: '/v1',
    idempotencyTtlMs: options.idempotencyTtlMs ?? MIN_IDEMPOTENCY_TTL_MS,
  });
  // Issuing banks (payer authentication), with their own `ik_…` keys: a context apart from the merchant API.
  await app.register(issuerApi, { prefix: '/v1/issuer' });
  await app.register(payRoutes);
  await app.register(webhookRoutes);
  // Buyers without an account (no API key, no session): its own context, rate-limited inside.
  await app.register(paymentLookupRoutes, { prefix: '/v1/public', ...options.paymentLookup });
  // The personal account (/v1/auth, /v1/account): session-authenticated, separate from the API-key context.
  const accounts = options.accounts ?? defaultAccountsOptions(options.publicUrl, services.logger);
  // Notifications go through the store's durable queue (the notifications.deliver job retries them).
  accounts.notifier.useQueue({ store: services.store, clock: services.clock });
  app.addHook('onClose', () => accounts.notifier.close());
  await app.register(accountsApi, {
    deps: {
      store: services.store,
      clock: services.clock,
      logger: services.logger,
      options: accounts,
      // The server secrets key (PAYRAIL_WEBHOOK_SECRETS_KEY) also seals TOTP secrets.
      ...(services.webhookSecrets ? { secretBox: services.webhookSecrets } : {}),
    },
  });
  if (services.simulators) await app.register(simulatorRoutes, { simulators: services.simulators });
  if (services.orchestratorTiming)
    await app.register(debugTimingRoutes, { timing: services.orchestratorTiming });

  await app.ready();
  return app;
}
