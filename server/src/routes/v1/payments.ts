import { isId, PayrailError, paymentResource } from '@payrail/core';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { scopeOf } from '../../http/auth';
import { reservedId } from '../../http/idempotency';
import { listPage } from '../../http/list-page';
import { errorResponses } from '../../http/schemas/common';
import {
  cancelBody,
  captureBody,
  createPaymentBody,
  listPaymentsQuery,
  paymentIdParams,
  paymentListSchema,
  paymentSchema,
} from '../../http/schemas/payments';
import { assertShopFilter } from '../../shops/shop-service';
import { customerOf, savedCardFor } from './saved-card-for-payment';

/** A malformed id names no payment: answered like an unknown one, without a store round trip. */
export function assertPaymentId(id: string): void {
  if (!isId('payment', id)) {
    throw new PayrailError('PAYRAIL_ERR_NOT_FOUND', {
      param: 'id',
      message: `No payment ${id.slice(0, 64)}.`,
    });
  }
}

export const paymentRoutes: FastifyPluginAsyncZod = async (app) => {
  const { store, orchestrator, registry } = app.services;
  const methods = [...new Set(registry.providers.flatMap((p) => p.plugin.paymentMethods))];
  const tags = ['payments'];
  const security = [{ apiKey: [] }];

  app.post(
    '/payments',
    {
      schema: {
        tags,
        security,
        summary: 'Create a payment',
        description:
          'For cards the payment starts as requires_payment_method with next_action = redirect to Payrail’s payment page. Send an Idempotency-Key to make retries safe.',
        body: createPaymentBody(methods),
        response: { 201: paymentSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const body = request.body;
      const scope = scopeOf(request);
      const savedCard = await savedCardFor(app.services, scope, body);
      const reserved = reservedId(request, 'payment');
      // A retry after an attempt with this key died or failed (5xx, 409): answer with the payment it
      // created, never create a second one — and go on with it if it never reached the provider.
      const created =
        reserved.resumed && reserved.id ? await store.payments.get({ ...scope, id: reserved.id }) : null;
      if (created) {
        if (savedCard && !(await store.storedCards.forPayment({ paymentId: created.id }))) {
          await store.storedCards.attachToPayment({ paymentId: created.id, storedCardId: savedCard.id });
        }
        const resumed = await orchestrator.resumeCreatedPayment({
          payment: created,
          client: { ip: request.ip, userAgent: request.headers['user-agent'] },
        });
        return reply.code(201).send(paymentResource(resumed));
      }
      const payment = await orchestrator.createPayment({
        ...(reserved.id ? { id: reserved.id } : {}),
        scope,
        request: {
          amount: body.amount,
          currency: body.currency,
          method: body.method,
          captureMethod: body.capture_method,
          orderId: body.order_id ?? null,
          description: body.description ?? null,
          customer: customerOf(body),
          returnUrl: body.return_url ?? null,
          metadata: body.metadata ?? {},
          shopId: body.shop_id ?? null,
          client: body.client ?? null,
          billing: body.billing ?? null,
        },
        client: { ip: request.ip, userAgent: request.headers['user-agent'] },
      });
      // One-click: the payment page then asks the buyer for the CVC only.
      if (savedCard)
        await store.storedCards.attachToPayment({ paymentId: payment.id, storedCardId: savedCard.id });
      return reply.code(201).send(paymentResource(payment));
    },
  );

  app.get(
    '/payments/:id',
    {
      schema: {
        tags,
        security,
        summary: 'Retrieve a payment',
        params: paymentIdParams,
        response: { 200: paymentSchema, ...errorResponses },
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
      return paymentResource(payment);
    },
  );

  app.get(
    '/payments',
    {
      schema: {
        tags,
        security,
        summary: 'List payments, newest first',
        querystring: listPaymentsQuery,
        response: { 200: paymentListSchema, ...errorResponses },
      },
    },
    async (request) => {
      const q = request.query;
      if (q.starting_after !== undefined && !isId('payment', q.starting_after)) {
        throw new PayrailError('PAYRAIL_ERR_VALIDATION', {
          param: 'starting_after',
          message: 'starting_after must be a payment id (pay_…) from a previous page.',
        });
      }
      await assertShopFilter(store, scopeOf(request).merchantId, q.shop_id);
      const page = await store.payments.list({
        ...scopeOf(request),
        limit: q.limit,
        startingAfter: q.starting_after,
        status: q.status,
        orderId: q.order_id,
        shopId: q.shop_id,
        createdGte: q.created_gte,
        createdLt: q.created_lt,
      });
      return listPage(page, paymentResource);
    },
  );

  app.post(
    '/payments/:id/capture',
    {
      schema: {
        tags,
        security,
        summary: 'Capture an authorized payment',
        description:
          'Captures all or part of an authorized payment (capture_method "manual"); the rest is released.',
        params: paymentIdParams,
        body: captureBody,
        response: { 200: paymentSchema, ...errorResponses },
      },
    },
    async (request) => {
      assertPaymentId(request.params.id);
      const payment = await orchestrator.capturePayment({
        scope: scopeOf(request),
        paymentId: request.params.id,
        amount: request.body?.amount,
      });
      return paymentResource(payment);
    },
  );

  app.post(
    '/payments/:id/cancel',
    {
      schema: {
        tags,
        security,
        summary: 'Cancel a payment',
        description: 'Cancels an unpaid payment or voids an authorization. Send no body or {}.',
        params: paymentIdParams,
        body: cancelBody,
        response: { 200: paymentSchema, ...errorResponses },
      },
    },
    async (request) => {
      assertPaymentId(request.params.id);
      const payment = await orchestrator.cancelPayment({
        scope: scopeOf(request),
        paymentId: request.params.id,
      });
      return paymentResource(payment);
    },
  );
};
