import fastifyCookie from '@fastify/cookie';
import fastifyCsrf from '@fastify/csrf-protection';
import fastifyRateLimit from '@fastify/rate-limit';
import { PayrailError } from '@payrail/core';
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import '../../accounts/account-request';
import type { AccountsDeps } from '../../accounts/deps';
import { isPspStaff } from '../../accounts/roles';
import { authenticateSession } from '../../accounts/sessions';
import { sendError, statusOf, toPayrailError } from '../../http/errors';
import { accountReportScope, backofficeReportScope } from '../../reports/report-scopes';
import { acquiringBankRoutes } from '../backoffice/acquiring-bank-routes';
import { applicationRoutes } from '../backoffice/application-routes';
import { backofficeIssuerRoutes } from '../backoffice/issuer-routes';
import { backofficeMerchantRoutes } from '../backoffice/merchant-routes';
import { backofficeTicketRoutes } from '../backoffice/ticket-routes';
import { whoamiRoutes } from '../backoffice/whoami-routes';
import { reportRoutes } from '../v1/reports';
import { authRoutes } from './auth-routes';
import { buyerRoutes } from './buyer-routes';
import { merchantRoutes } from './merchant-routes';
import { onboardingRoutes } from './onboarding-routes';
import { profileRoutes } from './profile-routes';
import { shopAccountRoutes } from './shop-routes';
import { ticketRoutes } from './ticket-routes';
import { webhookAccountRoutes } from './webhook-routes';

/** The CSRF secret cookie; `__Host-` for the same reasons as the session cookie. */
export const CSRF_COOKIE = '__Host-payrail_csrf';

/** Translates the cookie/CSRF/rate-limit plugins' errors into Payrail's, then answers as everywhere. */
function accountErrorHandler(app: FastifyInstance) {
  app.setErrorHandler((error, request, reply) => {
    const code = (error as { code?: unknown }).code;
    const mapped =
      typeof code === 'string' && code.startsWith('FST_CSRF_')
        ? new PayrailError('PAYRAIL_ERR_CSRF_INVALID')
        : toPayrailError(error);
    if (statusOf(mapped) >= 500) request.log.error({ err: error, code: mapped.code }, 'request failed');
    else request.log.info({ code: mapped.code, param: mapped.param }, 'request rejected');
    return sendError(request, reply, mapped);
  });
}

/**
 * The personal account's JSON API, for the web UI (docs/accounts.md):
 * - `/v1/auth/*`: public (register, confirm, login, recovery), rate-limited per IP and per login;
 * - `/v1/account/*`: the session cookie is required (checked in onRequest, before the body is parsed)
 *   and every POST/DELETE carries an `X-CSRF-Token`.
 * Both are contexts of their own, so the merchant API's API-key hook never runs here and vice versa.
 */
export const accountsApi: FastifyPluginAsync<{ deps: AccountsDeps }> = async (app, { deps }) => {
  await app.register(fastifyCookie, { secret: deps.options.cookieSecret });
  await app.register(fastifyCsrf, {
    cookieKey: CSRF_COOKIE,
    cookieOpts: { path: '/', secure: true, httpOnly: true, sameSite: 'lax', signed: true },
    // Tokens are bound to the session: one stolen from another session does not validate.
    getUserInfo: (request) => request.account?.session.id ?? '',
    csrfOpts: { hmacKey: deps.options.cookieSecret },
    getToken: (request) => {
      const header = request.headers['x-csrf-token'];
      return typeof header === 'string' ? header : '';
    },
  });
  app.decorateRequest('account', null);
  accountErrorHandler(app);

  await app.register(
    async (auth) => {
      await auth.register(fastifyRateLimit, {
        global: true,
        max: deps.options.rateLimitPerIp,
        timeWindow: 60_000,
        keyGenerator: (request) => `ip:${request.ip}`,
        errorResponseBuilder: (_request, context) =>
          new PayrailError('PAYRAIL_ERR_RATE_LIMITED', {
            message: `Too many requests; retry in ${context.after}.`,
          }),
      });
      await auth.register(authRoutes, { deps });
    },
    { prefix: '/v1/auth' },
  );

  await app.register(
    async (account) => {
      account.addHook('onRequest', async (request) => {
        await authenticateSession(deps.store, request, deps.clock.now());
      });
      account.addHook('preHandler', (request, reply, done) => {
        if (request.method === 'GET' || request.method === 'HEAD') return done();
        account.csrfProtection(request, reply, done);
      });
      await account.register(profileRoutes, { deps });
      await account.register(merchantRoutes, { deps });
      await account.register(onboardingRoutes, { deps });
      await account.register(shopAccountRoutes, { deps });
      await account.register(ticketRoutes, { deps });
      await account.register(webhookAccountRoutes, { deps });
      await account.register(buyerRoutes, { deps, prefix: '/buyer' });
      await account.register(reportRoutes, {
        scope: accountReportScope,
        modeParam: true,
        security: [{ session: [] }],
      });
    },
    { prefix: '/v1/account' },
  );

  // The PSP's back office: the same session cookie and CSRF rules, and only PSP staff (admin, support)
  // get past the hook; each route then checks its own permission (accounts/roles.ts).
  await app.register(
    async (backoffice) => {
      backoffice.addHook('onRequest', async (request) => {
        await authenticateSession(deps.store, request, deps.clock.now());
        if (!request.account || !isPspStaff(request.account.user)) {
          throw new PayrailError('PAYRAIL_ERR_FORBIDDEN', {
            message: 'The back office is for PSP staff accounts (admin, support).',
          });
        }
      });
      backoffice.addHook('preHandler', (request, reply, done) => {
        if (request.method === 'GET' || request.method === 'HEAD') return done();
        backoffice.csrfProtection(request, reply, done);
      });
      // Back-office route modules register here.
      await backoffice.register(whoamiRoutes);
      await backoffice.register(backofficeIssuerRoutes);
      await backoffice.register(applicationRoutes, { deps });
      await backoffice.register(backofficeMerchantRoutes, { deps });
      await backoffice.register(acquiringBankRoutes, { deps });
      await backoffice.register(backofficeTicketRoutes, { deps });
      await backoffice.register(reportRoutes, {
        prefix: '/merchants/:merchantId',
        scope: backofficeReportScope(deps.store),
        modeParam: true,
        security: [{ session: [] }],
      });
    },
    { prefix: '/v1/backoffice' },
  );
};
