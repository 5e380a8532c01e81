import { type ApiKey, isId, PayrailError, paymentResource, refundResource } from '@payrail/core';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { accountOf } from '../../accounts/account-request';
import { audit } from '../../accounts/audit';
import type { AccountsDeps } from '../../accounts/deps';
import { authorizeFinancialOperation } from '../../accounts/financial-password';
import { requireMerchantPermission } from '../../accounts/roles';
import { changeRole, inviteStaff, removeMerchantUser } from '../../accounts/staff';
import { generateApiKey } from '../../auth/api-keys';
import { listPage } from '../../http/list-page';
import { paymentIdParams } from '../../http/schemas/payments';
import { ok200, ok201, ok202 } from './responses';
import {
  accountPaymentsQuery,
  auditQuery,
  changeRoleBody,
  createApiKeyBody,
  financialProof,
  inviteStaffBody,
  sessionIdParams,
} from './schemas';

const cancelAccountBody = z.strictObject({ ...financialProof }).nullish();
const captureAccountBody = z
  .strictObject({
    amount: z.number().int().positive().optional(),
    ...financialProof,
  })
  .nullish();
const refundAccountBody = z
  .strictObject({
    amount: z.number().int().positive().optional(),
    reason: z.string().min(1).max(500).optional(),
    ...financialProof,
  })
  .nullish();

function apiKeyResource(key: ApiKey) {
  return {
    id: key.id,
    object: 'api_key' as const,
    mode: key.mode,
    prefix: key.displayPrefix,
    created_at: key.createdAt.toISOString(),
    expires_at: key.expiresAt?.toISOString() ?? null,
    last_used_at: key.lastUsedAt?.toISOString() ?? null,
    revoked_at: key.revokedAt?.toISOString() ?? null,
  };
}

const notFound = (what: string, id: string) =>
  new PayrailError('PAYRAIL_ERR_NOT_FOUND', { param: 'id', message: `No ${what} ${id.slice(0, 64)}.` });

/**
 * What a merchant user does from the personal account: payments of their merchant (money-moving calls
 * behind the financial password), API keys, the audit log. Every lookup is scoped to the user's
 * merchant; another merchant's object is a 404, a role without the permission a 403.
 */
export const merchantRoutes: FastifyPluginAsyncZod<{ deps: AccountsDeps }> = async (app, { deps }) => {
  const { store, clock } = deps;
  const { orchestrator } = app.services;
  const security = [{ session: [] }];

  /** The payment if it belongs to the user's merchant (any mode), else 404. */
  async function merchantPayment(merchantId: string, id: string) {
    const payment = isId('payment', id) ? await store.payments.getById({ id }) : null;
    if (!payment || payment.merchantId !== merchantId) throw notFound('payment', id);
    return payment;
  }

  app.get(
    '/payments',
    {
      schema: {
        tags: ['account'],
        security,
        summary: "The merchant's payments",
        querystring: accountPaymentsQuery,
        response: ok200,
      },
    },
    async (request) => {
      const merchantId = requireMerchantPermission(accountOf(request).user, 'payments:read');
      const q = request.query;
      const page = await store.payments.list({
        merchantId,
        mode: q.mode,
        limit: q.limit,
        ...(q.starting_after && isId('payment', q.starting_after) ? { startingAfter: q.starting_after } : {}),
      });
      return { object: 'list', data: page.data.map(paymentResource), has_more: page.hasMore };
    },
  );

  app.get(
    '/payments/:id',
    {
      schema: {
        tags: ['account'],
        security,
        summary: 'One payment of the merchant',
        params: paymentIdParams,
        response: ok200,
      },
    },
    async (request) => {
      const merchantId = requireMerchantPermission(accountOf(request).user, 'payments:read');
      return paymentResource(await merchantPayment(merchantId, request.params.id));
    },
  );

  app.post(
    '/payments/:id/cancel',
    {
      schema: {
        tags: ['account'],
        security,
        summary: 'Cancel a payment (financial password or step-up token required)',
        params: paymentIdParams,
        body: cancelAccountBody,
        response: ok200,
      },
    },
    async (request) => {
      const { user } = accountOf(request);
      const merchantId = requireMerchantPermission(user, 'payments:write');
      const payment = await merchantPayment(merchantId, request.params.id);
      await authorizeFinancialOperation(
        deps,
        request,
        user,
        { operation: 'payment.cancel', objectId: payment.id, amount: null },
        { financialPassword: request.body?.financial_password, stepUpToken: request.body?.step_up_token },
      );
      // The same orchestrator call as POST /v1/payments/:id/cancel, in the payment's own scope.
      const cancelled = await orchestrator.cancelPayment({
        scope: { merchantId, mode: payment.mode },
        paymentId: payment.id,
      });
      return paymentResource(cancelled);
    },
  );

  app.post(
    '/payments/:id/capture',
    {
      schema: {
        tags: ['account'],
        security,
        summary: 'Capture an authorized payment (another amount than the whole: financial password required)',
        description:
          'Capturing the whole authorized amount (no amount, or exactly amount_capturable) needs only the session; any other amount needs the financial password or a step-up token for payment.capture with that amount.',
        params: paymentIdParams,
        body: captureAccountBody,
        response: ok200,
      },
    },
    async (request) => {
      const { user } = accountOf(request);
      const merchantId = requireMerchantPermission(user, 'payments:write');
      const payment = await merchantPayment(merchantId, request.params.id);
      const amount = request.body?.amount;
      // The whole authorization is what the buyer agreed to: the session is enough. Another amount changes
      // the money moved, so it sits behind the financial password like a refund.
      const partial = amount !== undefined && amount !== payment.amountCapturable;
      if (partial) {
        await authorizeFinancialOperation(
          deps,
          request,
          user,
          { operation: 'payment.capture', objectId: payment.id, amount },
          { financialPassword: request.body?.financial_password, stepUpToken: request.body?.step_up_token },
        );
      }
      // The same orchestrator call as POST /v1/payments/:id/capture, in the payment's own scope.
      const captured = await orchestrator.capturePayment({
        scope: { merchantId, mode: payment.mode },
        paymentId: payment.id,
        ...(amount !== undefined ? { amount } : {}),
      });
      await audit(store, request, clock.now(), user, 'payment.captured', {
        payment_id: captured.id,
        amount: captured.amountCaptured,
        partial,
      });
      return paymentResource(captured);
    },
  );

  app.post(
    '/payments/:id/refunds',
    {
      schema: {
        tags: ['account'],
        security,
        summary: 'Refund a payment (financial password or step-up token required)',
        params: paymentIdParams,
        body: refundAccountBody,
        response: ok201,
      },
    },
    async (request, reply) => {
      const { user } = accountOf(request);
      const merchantId = requireMerchantPermission(user, 'payments:write');
      const payment = await merchantPayment(merchantId, request.params.id);
      const amount = request.body?.amount;
      await authorizeFinancialOperation(
        deps,
        request,
        user,
        { operation: 'payment.refund', objectId: payment.id, amount: amount ?? null },
        { financialPassword: request.body?.financial_password, stepUpToken: request.body?.step_up_token },
      );
      const refund = await orchestrator.refundPayment({
        scope: { merchantId, mode: payment.mode },
        paymentId: payment.id,
        amount,
        reason: request.body?.reason ?? null,
      });
      return reply.code(201).send(refundResource(refund));
    },
  );

  app.get(
    '/api_keys',
    {
      schema: {
        tags: ['account'],
        security,
        summary: "The merchant's API keys (prefix and last use only)",
        response: ok200,
      },
    },
    async (request) => {
      const merchantId = requireMerchantPermission(accountOf(request).user, 'api_keys:manage');
      const keys = await store.apiKeys.list({ merchantId });
      return { object: 'list', data: keys.map(apiKeyResource), has_more: false };
    },
  );

  app.post(
    '/api_keys',
    {
      schema: {
        tags: ['account'],
        security,
        summary: 'Create an API key; the secret is shown only in this answer',
        body: createApiKeyBody,
        response: ok201,
      },
    },
    async (request, reply) => {
      const { user } = accountOf(request);
      const merchantId = requireMerchantPermission(user, 'api_keys:manage');
      const b = request.body;
      const now = clock.now();
      const expiresAt = b.expires_at ? new Date(b.expires_at) : null;
      if (expiresAt && expiresAt <= now) {
        throw new PayrailError('PAYRAIL_ERR_VALIDATION', {
          param: 'expires_at',
          message: 'expires_at must be in the future.',
        });
      }
      await authorizeFinancialOperation(
        deps,
        request,
        user,
        { operation: 'api_key.create', objectId: null, amount: null },
        { financialPassword: b.financial_password, stepUpToken: b.step_up_token },
      );
      const { secret, record } = generateApiKey(merchantId, b.mode, now);
      const key = { ...record, expiresAt, lastUsedAt: null };
      await store.apiKeys.insert({ apiKey: key });
      await audit(store, request, now, user, 'api_key.created', { api_key_id: key.id, mode: key.mode });
      return reply.code(201).send({ ...apiKeyResource(key), secret });
    },
  );

  app.delete(
    '/api_keys/:id',
    {
      schema: {
        tags: ['account'],
        security,
        summary: 'Revoke an API key (effective on the next request)',
        params: sessionIdParams,
        response: ok200,
      },
    },
    async (request) => {
      const { user } = accountOf(request);
      const merchantId = requireMerchantPermission(user, 'api_keys:manage');
      const now = clock.now();
      const key = isId('apiKey', request.params.id)
        ? await store.apiKeys.revoke({ merchantId, id: request.params.id, now })
        : null;
      if (!key) throw notFound('API key', request.params.id);
      await audit(store, request, now, user, 'api_key.revoked', { api_key_id: key.id });
      return apiKeyResource(key);
    },
  );

  app.get(
    '/audit_log',
    {
      schema: {
        tags: ['account'],
        security,
        summary: "The merchant's security events, newest first",
        querystring: auditQuery,
        response: ok200,
      },
    },
    async (request) => {
      const merchantId = requireMerchantPermission(accountOf(request).user, 'audit:read');
      const page = await store.auditLog.list({
        merchantId,
        limit: request.query.limit,
        ...(request.query.starting_after ? { startingAfter: request.query.starting_after } : {}),
      });
      return listPage(page, (e) => ({
        id: e.id,
        object: 'audit_entry',
        type: e.type,
        user_id: e.userId,
        ip: e.ip,
        user_agent: e.userAgent,
        data: e.data,
        created_at: e.createdAt.toISOString(),
      }));
    },
  );

  app.get(
    '/users',
    { schema: { tags: ['account'], security, summary: "The merchant's users", response: ok200 } },
    async (request) => {
      const merchantId = requireMerchantPermission(accountOf(request).user, 'users:read');
      const users = await store.users.listByMerchant({ merchantId });
      return {
        object: 'list',
        data: users.map((u) => ({
          id: u.id,
          object: 'user',
          login: u.login,
          role: u.role,
          created_at: u.createdAt.toISOString(),
        })),
        has_more: false,
      };
    },
  );

  app.post(
    '/users',
    {
      schema: {
        tags: ['account'],
        security,
        summary: 'Invite a staff member by email (they set their password from the mailed link)',
        body: inviteStaffBody,
        response: ok202,
      },
    },
    async (request, reply) => {
      const { user } = accountOf(request);
      requireMerchantPermission(user, 'users:manage');
      await inviteStaff(deps, request, user, request.body);
      return reply.code(202).send({ status: 'invited' });
    },
  );

  app.delete(
    '/users/:id',
    {
      schema: {
        tags: ['account'],
        security,
        summary: 'Remove a user from the merchant (their sessions end at once; the login stays taken)',
        params: sessionIdParams,
        response: ok200,
      },
    },
    async (request) => {
      const { user } = accountOf(request);
      requireMerchantPermission(user, 'users:manage');
      await removeMerchantUser(deps, request, user, { userId: request.params.id });
      return { id: request.params.id, object: 'user', deleted: true };
    },
  );

  app.post(
    '/users/:id/role',
    {
      schema: {
        tags: ['account'],
        security,
        summary: "Change a user's role (owner or staff)",
        params: sessionIdParams,
        body: changeRoleBody,
        response: ok200,
      },
    },
    async (request) => {
      const { user } = accountOf(request);
      requireMerchantPermission(user, 'users:manage');
      const updated = await changeRole(deps, request, user, {
        userId: request.params.id,
        role: request.body.role,
      });
      return { id: updated.id, object: 'user', login: updated.login, role: updated.role };
    },
  );
};
