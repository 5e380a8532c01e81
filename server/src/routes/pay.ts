import { isId, PayrailError } from '@payrail/core';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { errorResponses } from '../http/schemas/common';
import { buyerPaymentSchema, buyerPaymentView, cardBody, payParams } from '../http/schemas/pay';

/**
 * The buyer's endpoints. No API key: the unguessable payment id is the capability. Card data arrives only
 * here, goes to the orchestrator in memory, and is never logged (see http/logging.ts; the request body is
 * not part of any log line). The hosted HTML page comes later; for now both answer JSON.
 */
export const payRoutes: FastifyPluginAsyncZod = async (app) => {
  const { store, orchestrator } = app.services;
  const tags = ['payment page'];

  const notFound = (id: string) =>
    new PayrailError('PAYRAIL_ERR_NOT_FOUND', {
      param: 'paymentId',
      message: `No payment ${id.slice(0, 64)}.`,
    });

  app.get(
    '/pay/:paymentId',
    {
      schema: {
        tags,
        summary: 'The payment as the buyer sees it',
        params: payParams,
        response: { 200: buyerPaymentSchema, ...errorResponses },
      },
    },
    async (request) => {
      const { paymentId } = request.params;
      const payment = isId('payment', paymentId) ? await store.payments.getById({ id: paymentId }) : null;
      if (!payment) throw notFound(paymentId);
      return buyerPaymentView(payment);
    },
  );

  app.post(
    '/pay/:paymentId',
    {
      schema: {
        tags,
        summary: 'Pay with a card',
        description:
          'Submits the buyer’s card for a payment awaiting a payment method. A decline is a 200 with status "failed" and a decline code.',
        params: payParams,
        body: cardBody,
        response: { 200: buyerPaymentSchema, ...errorResponses },
      },
    },
    async (request) => {
      const { paymentId } = request.params;
      if (!isId('payment', paymentId)) throw notFound(paymentId);
      const card = request.body;
      const payment = await orchestrator.confirmPayment({
        paymentId,
        paymentMethod: {
          type: 'card',
          number: card.number,
          expMonth: card.exp_month,
          expYear: card.exp_year,
          cvc: card.cvc,
          ...(card.holder !== undefined ? { holder: card.holder } : {}),
        },
        client: { ip: request.ip, userAgent: request.headers['user-agent'] },
      });
      return buyerPaymentView(payment);
    },
  );
};
