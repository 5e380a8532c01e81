import { isId, PayrailError } from '@payrail/core';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { errorResponses } from '../http/schemas/common';
import { buyerPaymentSchema, buyerPaymentView, payBody, payParams } from '../http/schemas/pay';
import { assertCanSave, cardInputOf, saveCardIfAsked } from './pay-card';
import { verifyRoutes } from './pay-verify';

/**
 * The buyer's endpoints. No API key: the unguessable payment id is the capability. Card data arrives only
 * here, goes to the orchestrator in memory, and is never logged (see http/logging.ts; the request body is
 * not part of any log line). The hosted HTML page comes later; for now both answer JSON.
 */
export const payRoutes: FastifyPluginAsyncZod = async (app) => {
  const { store, orchestrator } = app.services;
  const tags = ['payment page'];
  await app.register(verifyRoutes);

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
      return buyerPaymentView(payment, await store.storedCards.forPayment({ paymentId }));
    },
  );

  app.post(
    '/pay/:paymentId',
    {
      schema: {
        tags,
        summary: 'Pay with a card, or with the saved card and its CVC',
        description:
          'Submits the buyer’s card for a payment awaiting a payment method; `save_card: true` keeps it for the merchant’s customer. For a payment created with a saved card (`payment_method: "pm_…"`), send only `{ "cvc" }`. A decline is a 200 with status "failed" and a decline code.',
        params: payParams,
        body: payBody,
        response: { 200: buyerPaymentSchema, ...errorResponses },
      },
    },
    async (request) => {
      const { paymentId } = request.params;
      if (!isId('payment', paymentId)) throw notFound(paymentId);
      const body = request.body;
      const [current, savedCard] = await Promise.all([
        store.payments.getById({ id: paymentId }),
        store.storedCards.forPayment({ paymentId }),
      ]);
      if (!current) throw notFound(paymentId);
      assertCanSave(app.services, current, body);
      const { card, fromVault } = cardInputOf(app.services, body, savedCard);
      const payment = await orchestrator.confirmPayment({
        paymentId,
        // Just read: saves the orchestrator a second read (its version check catches a stale copy).
        payment: current,
        paymentMethod: card,
        client: { ip: request.ip, userAgent: request.headers['user-agent'] },
      });
      if (!fromVault) await saveCardIfAsked(app.services, payment, card, body);
      return buyerPaymentView(payment, savedCard);
    },
  );
};
