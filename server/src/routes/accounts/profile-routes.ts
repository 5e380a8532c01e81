import { PayrailError } from '@payrail/core';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { accountOf } from '../../accounts/account-request';
import { audit } from '../../accounts/audit';
import type { AccountsDeps } from '../../accounts/deps';
import { issueStepUp, setFinancialPassword } from '../../accounts/financial-password';
import { changePassword } from '../../accounts/password-change';
import { clearSessionCookie } from '../../accounts/sessions';
import { confirmTotpEnrolment, disableTotp, startTotpEnrolment } from '../../accounts/totp';
import { updateUser } from '../../accounts/user-record';
import { sessionResource, userResource } from '../../accounts/user-resource';
import { ok200 } from './responses';
import {
  changePasswordBody,
  financialPasswordBody,
  notificationSettingsBody,
  sessionIdParams,
  stepUpBody,
  totpConfirmBody,
  totpDisableBody,
  totpStartBody,
} from './schemas';

/** The logged-in user's own account: profile, CSRF token, sessions, passwords, 2FA. */
export const profileRoutes: FastifyPluginAsyncZod<{ deps: AccountsDeps }> = async (app, { deps }) => {
  const { store, clock } = deps;
  const tags = ['account'];
  const security = [{ session: [] }];

  app.get(
    '/me',
    { schema: { tags, security, summary: 'The logged-in user', response: ok200 } },
    async (request) => userResource(accountOf(request).user),
  );

  app.get(
    '/csrf',
    { schema: { tags, security, summary: 'A CSRF token for X-CSRF-Token', response: ok200 } },
    async (request, reply) => ({
      csrf_token: reply.generateCsrf({ userInfo: accountOf(request).session.id }),
    }),
  );

  app.post(
    '/settings',
    {
      schema: {
        tags,
        security,
        summary: 'Notification channel and language',
        body: notificationSettingsBody,
        response: ok200,
      },
    },
    async (request) => {
      const { user } = accountOf(request);
      const b = request.body;
      if (b.notify_channel === 'telegram' && user.telegramId === null) {
        throw new PayrailError('PAYRAIL_ERR_VALIDATION', {
          param: 'notify_channel',
          message: 'Link a Telegram account before choosing Telegram notifications.',
        });
      }
      const updated = await updateUser(
        store,
        user.id,
        (u) => ({ notifyChannel: b.notify_channel ?? u.notifyChannel, locale: b.locale ?? u.locale }),
        clock.now(),
      );
      return userResource(updated);
    },
  );

  app.post(
    '/logout',
    { schema: { tags, security, summary: 'End this session', response: ok200 } },
    async (request, reply) => {
      const { user, session } = accountOf(request);
      const now = clock.now();
      await store.sessions.revoke({ userId: user.id, id: session.id, now });
      await audit(store, request, now, user, 'logout', { session_id: session.id });
      clearSessionCookie(reply);
      return { status: 'logged_out' };
    },
  );

  app.get(
    '/sessions',
    { schema: { tags, security, summary: 'Active sessions of this user, newest first', response: ok200 } },
    async (request) => {
      const { user, session } = accountOf(request);
      const sessions = await store.sessions.listActive({ userId: user.id, now: clock.now() });
      return { object: 'list', data: sessions.map((s) => sessionResource(s, session.id)), has_more: false };
    },
  );

  app.delete(
    '/sessions/:id',
    {
      schema: {
        tags,
        security,
        summary: 'Revoke one of your sessions',
        params: sessionIdParams,
        response: ok200,
      },
    },
    async (request) => {
      const { user } = accountOf(request);
      const now = clock.now();
      const revoked = await store.sessions.revoke({ userId: user.id, id: request.params.id, now });
      if (!revoked) {
        throw new PayrailError('PAYRAIL_ERR_NOT_FOUND', {
          param: 'id',
          message: `No session ${request.params.id.slice(0, 64)}.`,
        });
      }
      await audit(store, request, now, user, 'session.revoked', { session_id: request.params.id });
      return { id: request.params.id, object: 'session', revoked: true };
    },
  );

  app.post(
    '/password',
    {
      schema: {
        tags,
        security,
        summary: 'Change the login password; other sessions end',
        body: changePasswordBody,
        response: ok200,
      },
    },
    async (request) => {
      const { user, session } = accountOf(request);
      await changePassword(
        deps,
        request,
        user,
        session.id,
        request.body.current_password,
        request.body.new_password,
      );
      return { status: 'password_changed' };
    },
  );

  app.post(
    '/financial_password',
    {
      schema: {
        tags,
        security,
        summary: 'Set or change the financial (second-level) password',
        body: financialPasswordBody,
        response: ok200,
      },
    },
    async (request) => {
      const { user } = accountOf(request);
      const updated = await setFinancialPassword(deps, request, user, {
        currentPassword: request.body.current_password,
        financialPassword: request.body.financial_password,
      });
      return userResource(updated);
    },
  );

  app.post(
    '/step_up',
    {
      schema: {
        tags,
        security,
        summary: 'A short-lived token for one money-moving operation',
        description: 'Bound to the operation, object and amount; single-use; valid 5 minutes.',
        body: stepUpBody,
        response: ok200,
      },
    },
    async (request) => {
      const { user } = accountOf(request);
      const b = request.body;
      const { token, expiresAt } = await issueStepUp(deps, request, user, b.financial_password, {
        operation: b.operation,
        objectId: b.object_id ?? null,
        amount: b.amount ?? null,
      });
      return { step_up_token: token, expires_at: expiresAt.toISOString() };
    },
  );

  app.post(
    '/mfa/totp',
    { schema: { tags, security, summary: 'Start TOTP enrolment', body: totpStartBody, response: ok200 } },
    async (request) => {
      const { secret, otpauthUri } = await startTotpEnrolment(
        deps,
        accountOf(request).user,
        request.body.current_password,
      );
      return { secret, otpauth_uri: otpauthUri };
    },
  );

  app.post(
    '/mfa/totp/confirm',
    {
      schema: {
        tags,
        security,
        summary: 'Turn TOTP on with a first code; returns recovery codes once',
        body: totpConfirmBody,
        response: ok200,
      },
    },
    async (request) => {
      const codes = await confirmTotpEnrolment(deps, request, accountOf(request).user, request.body.code);
      return { mfa_enabled: true, recovery_codes: codes };
    },
  );

  app.post(
    '/mfa/totp/disable',
    { schema: { tags, security, summary: 'Turn TOTP off', body: totpDisableBody, response: ok200 } },
    async (request) => {
      const updated = await disableTotp(deps, request, accountOf(request).user, {
        currentPassword: request.body.current_password,
        code: request.body.code,
      });
      return userResource(updated);
    },
  );
};
