import { isId, type Mode, type Payment, PayrailError } from '@payrail/core';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { errorResponses } from '../../http/schemas/common';
import { paymentLookupBody, paymentLookupSchema } from '../../http/schemas/payment-lookup';
import { dummyProofCheck, type LookupProof, proofMatches } from '../../lookup/proof';
import { FixedWindowLimiter } from '../../lookup/rate-limiter';

export interface PaymentLookupOptions {
  /** Lookups per client IP and window (default 10 a minute). */
  perIp?: { max: number; windowMs: number };
  /** Lookups of one order or payment, from anywhere (default 10 an hour): stops spread-out guessing. */
  perTarget?: { max: number; windowMs: number };
}

/** Most payments of one order considered (an order paid again after declines has a few). */
const MAX_CANDIDATES = 20;

/**
 * `POST /v1/public/payment-lookup`: a buyer without an account finds a payment and sees its status,
 * amount, shop and date — nothing else. A wrong proof, an unknown order and a malformed id all get the
 * same 404, with the same work done, so the endpoint cannot be used to learn whether an order exists.
 * POST, not GET: the proof must not end up in URLs, proxy logs or browser history.
 */
export const paymentLookupRoutes: FastifyPluginAsyncZod<PaymentLookupOptions> = async (app, options) => {
  const { store, clock } = app.services;
  const perIp = new FixedWindowLimiter(options.perIp ?? { max: 10, windowMs: 60_000 });
  const perTarget = new FixedWindowLimiter(options.perTarget ?? { max: 10, windowMs: 3_600_000 });

  const noMatch = () =>
    new PayrailError('PAYRAIL_ERR_LOOKUP_NO_MATCH', {
      message: 'No payment matches these details. Check the shop, the order number and the proof.',
    });

  app.post(
    '/payment-lookup',
    {
      schema: {
        tags: ['payment lookup'],
        summary: 'Find a payment without an account',
        description:
          'Give the shop and order number (or the payment id) and one proof: the e-mail or phone given at payment, or the card’s last 4 digits with the amount. Answers status, amount, shop and date. Rate-limited per IP and per order; a non-match is always the same 404 PAYRAIL_ERR_LOOKUP_NO_MATCH.',
        body: paymentLookupBody,
        response: { 200: paymentLookupSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const body = request.body;
      const mode: Mode = body.test_mode ? 'test' : 'live';
      const now = clock.now().getTime();
      const target = body.payment_id ?? `${body.shop}\u0000${body.order_id}`;
      // Both counters count every attempt, found or not, so their answers say nothing about the data.
      const wait = Math.max(perIp.hit(`ip:${request.ip}`, now), perTarget.hit(`${mode}:${target}`, now));
      reply.header('cache-control', 'no-store');
      if (wait > 0) {
        reply.header('retry-after', String(Math.ceil(wait / 1000)));
        throw new PayrailError('PAYRAIL_ERR_RATE_LIMITED', {
          message: `Too many lookups; retry in ${Math.ceil(wait / 1000)} s.`,
        });
      }

      const proof: LookupProof =
        body.email !== undefined
          ? { kind: 'email', email: body.email }
          : body.phone !== undefined
            ? { kind: 'phone', phone: body.phone }
            : { kind: 'card', last4: body.card_last4 ?? '', amount: body.amount ?? '' };

      let candidates: Payment[] = [];
      if (body.payment_id !== undefined) {
        const payment = isId('payment', body.payment_id)
          ? await store.payments.getById({ id: body.payment_id })
          : null;
        if (payment && payment.mode === mode) candidates = [payment];
      } else if (body.shop !== undefined && isId('shop', body.shop)) {
        // A shop id: the payments of that shop only.
        const shop = await store.shops.getById({ id: body.shop });
        if (shop) {
          const page = await store.payments.list({
            merchantId: shop.merchantId,
            shopId: shop.id,
            mode,
            orderId: body.order_id,
            limit: MAX_CANDIDATES,
          });
          candidates = page.data;
        }
      } else if (body.shop !== undefined && isId('merchant', body.shop)) {
        const page = await store.payments.list({
          merchantId: body.shop,
          mode,
          orderId: body.order_id,
          limit: MAX_CANDIDATES,
        });
        candidates = page.data;
      }
      if (candidates.length === 0) dummyProofCheck(proof);
      const matches = candidates.filter((payment) => proofMatches(payment, proof));
      const first = matches[0];
      if (!first) throw noMatch();
      const merchant = await store.merchants.get({ id: first.merchantId });
      // The shop's name for a payment made in a shop, else the merchant's.
      const shopNames = new Map<string, string>();
      for (const shopId of new Set(matches.flatMap((p) => (p.shopId ? [p.shopId] : [])))) {
        const shop = await store.shops.get({ merchantId: first.merchantId, id: shopId });
        if (shop) shopNames.set(shopId, shop.name);
      }
      return {
        object: 'payment_lookup' as const,
        payments: matches.map((p) => ({
          status: p.status,
          amount: p.amount,
          currency: p.currency,
          shop: { name: (p.shopId && shopNames.get(p.shopId)) || (merchant?.name ?? '') },
          created_at: p.createdAt.toISOString(),
        })),
      };
    },
  );
};
