import { isId, type Payment, PayrailError } from '@payrail/core';
import { type PayerAuthentication, payerAuthenticationOf } from '@payrail/plugin-cards';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { errorResponses } from '../http/schemas/common';
import {
  buyerPaymentSchema,
  buyerPaymentView,
  payParams,
  verificationSchema,
  verifyBody,
} from '../http/schemas/pay';

/**
 * The payer-authentication challenge page (3-D-Secure-like): a card enrolled by its issuer sends the
 * buyer here (`next_action.url`); the right code continues the authorization, the third wrong one fails
 * the payment with `authentication_failed`. The code is compared by the issuer's argon2id hash and never
 * stored or logged.
 */
export const verifyRoutes: FastifyPluginAsyncZod = async (app) => {
  const { store, registry, orchestrator } = app.services;
  const tags = ['payment page'];

  const noChallenge = (id: string) =>
    new PayrailError('PAYRAIL_ERR_NOT_FOUND', {
      param: 'paymentId',
      message: `No verification is waiting for payment ${id.slice(0, 64)}.`,
    });

  async function challengeOf(paymentId: string): Promise<{ payment: Payment; auth: PayerAuthentication }> {
    const payment = isId('payment', paymentId) ? await store.payments.getById({ id: paymentId }) : null;
    const ref = payment?.provider;
    const provider = ref ? registry.provider(ref.id, ref.instanceId)?.provider : undefined;
    const auth = provider ? payerAuthenticationOf(provider) : undefined;
    if (!payment || !auth || auth.state(paymentId) === undefined) throw noChallenge(paymentId);
    return { payment, auth };
  }

  app.get(
    '/pay/:paymentId/verify',
    {
      schema: {
        tags,
        summary: 'The payer-authentication challenge',
        params: payParams,
        response: { 200: verificationSchema, ...errorResponses },
      },
    },
    async (request) => {
      const { paymentId } = request.params;
      const { payment, auth } = await challengeOf(paymentId);
      return {
        object: 'verification' as const,
        state: auth.state(paymentId)!,
        attempts_left: auth.attemptsLeft(paymentId),
        payment: buyerPaymentView(payment),
      };
    },
  );

  app.post(
    '/pay/:paymentId/verify',
    {
      schema: {
        tags,
        summary: 'Answer the payer-authentication challenge',
        description:
          'A wrong code is a 422 PAYRAIL_ERR_VERIFICATION_CODE_WRONG with details.attempts_left; the third wrong code fails the payment (decline authentication_failed). The right code continues the authorization and answers the payment.',
        params: payParams,
        body: verifyBody,
        response: { 200: buyerPaymentSchema, ...errorResponses },
      },
    },
    async (request) => {
      const { paymentId } = request.params;
      const { auth } = await challengeOf(paymentId);
      // An abandoned challenge: settle the payment (canceled as expired) instead of leaving it waiting.
      if (auth.state(paymentId) === 'expired') {
        return buyerPaymentView(await orchestrator.syncPayment({ paymentId }));
      }
      const result = await auth.verify({ paymentId, code: request.body.code });
      if (result.state === 'pending') {
        throw new PayrailError('PAYRAIL_ERR_VERIFICATION_CODE_WRONG', {
          param: 'code',
          message:
            result.attemptsLeft > 0
              ? `The code is wrong; ${result.attemptsLeft} attempt(s) left.`
              : 'The code is being checked by another request; wait for its result.',
          details: { attempts_left: result.attemptsLeft },
        });
      }
      // Authenticated: the provider authorizes now. Failed: the payment fails with authentication_failed.
      return buyerPaymentView(await orchestrator.syncPayment({ paymentId }));
    },
  );
};
