import { PayrailError } from '@payrail/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { audit } from '../../accounts/audit';
import { buyerContactResource, confirmBuyerContact } from '../../accounts/buyer/buyer-contacts';
import type { AccountsDeps } from '../../accounts/deps';
import { passwordLogin } from '../../accounts/login';
import { parseLogin } from '../../accounts/login-name';
import { forgotPassword, resetPassword } from '../../accounts/password-recovery';
import { confirmEmail, register } from '../../accounts/registration';
import { startSession } from '../../accounts/sessions';
import { confirmTelegram } from '../../accounts/telegram-confirmation';
import { completeMfaLogin } from '../../accounts/totp';
import { userResource } from '../../accounts/user-resource';
import { ok200, ok202 } from './responses';
import {
  forgotBody,
  loginBody,
  mfaLoginBody,
  registerBody,
  resetBody,
  telegramConfirmBody,
  tokenBody,
} from './schemas';

/** The per-login bucket: the normalised login, so "A@x.io" and "a@x.io " share one. */
function loginKey(request: FastifyRequest): string {
  const login = (request.body as { login?: unknown } | undefined)?.login;
  const parsed = typeof login === 'string' ? parseLogin(login) : null;
  return `login:${parsed?.login ?? String(login).slice(0, 254)}`;
}

/**
 * Public endpoints of the personal account (`/v1/auth/*`): no session, no API key. Every request counts
 * against a per-IP limit; login and recovery also against a per-login limit.
 */
export const authRoutes: FastifyPluginAsyncZod<{ deps: AccountsDeps }> = async (app, { deps }) => {
  const { store, clock, options } = deps;
  const tags = ['auth'];
  // A second limiter keyed by login (the per-IP one runs in onRequest; @fastify/rate-limit lets only
  // one of its hooks run per request, so this one is applied by hand).
  const loginLimiter = app.createRateLimit({
    max: options.rateLimitPerLogin,
    timeWindow: 60_000,
    keyGenerator: loginKey,
  });
  const perLogin = async (request: FastifyRequest, reply: FastifyReply) => {
    const result = await loginLimiter(request);
    if (result.isAllowed || !result.isExceeded) return;
    reply.header('retry-after', String(result.ttlInSeconds));
    throw new PayrailError('PAYRAIL_ERR_RATE_LIMITED', {
      message: `Too many attempts for this login; retry in ${result.ttlInSeconds} seconds.`,
    });
  };

  app.post(
    '/register',
    {
      schema: {
        tags,
        summary: 'Register with an email address or a Telegram @username',
        description:
          'Always 202 with the same body, whether or not the login was free. An email login then gets a confirmation link; a Telegram login is confirmed with POST /v1/auth/telegram/confirm.',
        body: registerBody,
        response: ok202,
      },
    },
    async (request, reply) => {
      const b = request.body;
      const result = await register(deps, request, {
        login: b.login,
        password: b.password,
        accountType: b.account_type,
        locale: b.locale,
        ...(b.merchant_name !== undefined ? { merchantName: b.merchant_name } : {}),
      });
      return reply.code(202).send({ status: 'pending_confirmation', confirmation: result.confirmation });
    },
  );

  app.post(
    '/email/confirm',
    {
      schema: {
        tags,
        summary: 'Confirm an email login with the token from its link',
        body: tokenBody,
        response: ok200,
      },
    },
    async (request) => {
      const user = await confirmEmail(deps, request, request.body.token);
      return { status: 'confirmed', user: userResource(user) };
    },
  );

  app.post(
    '/contact/confirm',
    {
      schema: {
        tags,
        summary:
          "Confirm a buyer's contact email with the token from its link (no session: the mailbox proves it)",
        body: tokenBody,
        response: ok200,
      },
    },
    async (request) => {
      const contact = await confirmBuyerContact(deps, request, request.body.token);
      return { status: 'confirmed', contact: buyerContactResource(contact) };
    },
  );

  app.post(
    '/telegram/confirm',
    {
      schema: {
        tags,
        summary: 'Confirm a Telegram login with Telegram Login Widget data',
        body: telegramConfirmBody,
        response: ok200,
      },
    },
    async (request) => {
      const user = await confirmTelegram(deps, request, request.body);
      return { status: 'confirmed', user: userResource(user) };
    },
  );

  app.post(
    '/login',
    {
      preHandler: perLogin,
      schema: {
        tags,
        summary: 'Log in; sets the session cookie',
        description:
          'Unknown login, wrong password and a locked account all answer 401 PAYRAIL_ERR_LOGIN_FAILED. With 2FA on, the answer is {mfa_required: true, mfa_token}: finish with POST /v1/auth/login/mfa.',
        body: loginBody,
        response: ok200,
      },
    },
    async (request, reply) => {
      const result = await passwordLogin(deps, request, request.body.login, request.body.password);
      if (result.kind === 'mfa') {
        return { mfa_required: true, mfa_token: result.mfaToken, expires_at: result.expiresAt.toISOString() };
      }
      const now = clock.now();
      const session = await startSession(store, request, reply, result.user, now, options.sessionTtlMs);
      await audit(store, request, now, result.user, 'login.succeeded', { session_id: session.id });
      request.account = { user: result.user, session };
      return { user: userResource(result.user), csrf_token: reply.generateCsrf({ userInfo: session.id }) };
    },
  );

  app.post(
    '/login/mfa',
    {
      schema: { tags, summary: 'Second step of a login with 2FA', body: mfaLoginBody, response: ok200 },
    },
    async (request, reply) => {
      const user = await completeMfaLogin(deps, request, request.body.mfa_token, request.body.code);
      const now = clock.now();
      const session = await startSession(store, request, reply, user, now, options.sessionTtlMs);
      await audit(store, request, now, user, 'login.succeeded', { session_id: session.id, mfa: true });
      request.account = { user, session };
      return { user: userResource(user), csrf_token: reply.generateCsrf({ userInfo: session.id }) };
    },
  );

  app.post(
    '/password/forgot',
    {
      preHandler: perLogin,
      schema: {
        tags,
        summary: 'Send a password reset link',
        description: 'Always 202: the answer never tells whether the account exists.',
        body: forgotBody,
        response: ok202,
      },
    },
    async (request, reply) => {
      await forgotPassword(deps, request, request.body.login);
      return reply.code(202).send({ status: 'sent_if_exists' });
    },
  );

  app.post(
    '/password/reset',
    {
      schema: {
        tags,
        summary: 'Set a new password with a reset token; logs out every session',
        body: resetBody,
        response: ok200,
      },
    },
    async (request) => {
      await resetPassword(deps, request, request.body.token, request.body.new_password);
      return { status: 'password_reset' };
    },
  );
};
