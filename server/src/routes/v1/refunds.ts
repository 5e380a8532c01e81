import { isId, PayrailError, refundResource } from '@payrail/core';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { scopeOf } from '../../http/auth';
import { reservedId } from '../../http/idempotency';
import { errorResponses } from '../../http/schemas/common';
import { paymentIdParams } from '../../http/schemas/payments';
import { refundBody, refundIdParams, refundListSchema, refundSchema } from '../../http/schemas/refunds';
import { assertPaymentId } from './payments';

export const refundRoutes: FastifyPluginAsyncZod = async (app) => {
  const { store, orchestrator } = app.services;
  const tags = ['refunds'];
  const security = [{ apiKey: [] }];

  app.post(
    '/payments/:id/refunds',
    {
      schema: {
        tags,
        security,
        summary: 'Refund a captured payment',
        description:
          'Refunds all (no amount) or part of what is still refundable. The sum of refunds never exceeds the captured amount, also under concurrent requests.',
        params: paymentIdParams,
        body: refundBody,
        response: { 201: refundSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      assertPaymentId(request.params.id);
      const scope = scopeOf(request);
      const reserved = reservedId(request, 'refund');
      // A retry after an attempt with this key died or failed (5xx, 409 — possibly after the provider
      // refunded): answer with the refund it created, as stored (`pending` until the refund sync settles
      // it, or `failed`), never refund twice.
      const created =
        reserved.resumed && reserved.id ? await store.refunds.get({ ...scope, id: reserved.id }) : null;
      if (created && created.paymentId === request.params.id) {
        return reply.code(201).send(refundResource(created));
      }
      const refund = await orchestrator.refundPayment({
        ...(reserved.id ? { refundId: reserved.id } : {}),
        scope,
        paymentId: request.params.id,
        amount: request.body?.amount,
        reason: request.body?.reason ?? null,
      });
      return reply.code(201).send(refundResource(refund));
    },
  );

  app.get(
    '/payments/:id/refunds',
    {
      schema: {
        tags,
        security,
        summary: 'List the refunds of a payment, oldest first',
        params: paymentIdParams,
        response: { 200: refundListSchema, ...errorResponses },
      },
    },
    async (request) => {
      assertPaymentId(request.params.id);
      const payment = await store.payments.get({ ...scopeOf(request), id: request.params.id });
      if (!payment) {
        throw new PayrailError('PAYRAIL_ERR_NOT_FOUND', {
          param: 'id',
          message: `No payment ${request.params.id}.`,
        });
      }
      const refunds = await store.refunds.listByPayment({ paymentId: payment.id });
      return { object: 'list' as const, data: refunds.map(refundResource), has_more: false };
    },
  );

  app.get(
    '/refunds/:id',
    {
      schema: {
        tags,
        security,
        summary: 'Retrieve a refund',
        params: refundIdParams,
        response: { 200: refundSchema, ...errorResponses },
      },
    },
    async (request) => {
      const { id } = request.params;
      const refund = isId('refund', id) ? await store.refunds.get({ ...scopeOf(request), id }) : null;
      if (!refund)
        throw new PayrailError('PAYRAIL_ERR_NOT_FOUND', { param: 'id', message: `No refund ${id}.` });
      return refundResource(refund);
    },
  );
};
