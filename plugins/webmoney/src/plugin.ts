import {
  assertAmount,
  defineProvider,
  type PaymentOutcome,
  type PaymentProvider,
  PayrailError,
  type ProviderPaymentView,
  parseCurrency,
} from '@payrail/core';
import { buildPaymentFormAction, purseFor } from './form';
import { parseNotification, respondToWebMoney } from './notification';
import { type ResolvedWebMoneyOptions, type WebMoneyOptions, webmoneyOptionsSchema } from './options';
import { paymentNumberFor } from './payment-number';
import { WEBMONEY_CURRENCIES } from './purses';
import { queryX18, X18_NOT_FOUND, x18AmountMinor } from './x18';

const manifest = { id: 'webmoney', name: 'WebMoney Merchant', version: '0.1.0', coreRange: '^0.1.0' };

const definition = defineProvider({
  manifest,
  optionsSchema: webmoneyOptionsSchema,
  // No refund, capture or cancel API in WebMoney Merchant (the notes document none).
  capabilities: ['webhooks'],
  paymentMethods: ['webmoney'],
  // Narrowed per instance to the configured purses by `webmoney()` below.
  currencies: WEBMONEY_CURRENCIES,
  confirmation: 'immediate',
  init(ctx): PaymentProvider {
    const options: ResolvedWebMoneyOptions = ctx.options;
    const log = ctx.logger.child({ plugin: 'webmoney', instanceId: ctx.instanceId });

    const formFor = (payment: ProviderPaymentView, returnUrl: string) =>
      buildPaymentFormAction(options, { payment, resultUrl: ctx.webhookUrl, returnUrl });

    const waiting = (payment: ProviderPaymentView): PaymentOutcome => ({
      status: 'requires_action',
      nextAction: formFor(payment, payment.returnUrl ?? `${ctx.publicUrl}/pay/${payment.id}`),
    });

    return {
      async createPayment({ payment, returnUrl }) {
        assertAmount(payment.amount);
        parseCurrency(payment.currency);
        const nextAction = formFor(payment, returnUrl);
        log.info(
          { paymentId: payment.id, paymentNo: paymentNumberFor(payment.id), currency: payment.currency },
          'webmoney: payment form prepared',
        );
        return { status: 'requires_action', nextAction };
      },

      /**
       * With `x18` configured: asks WebMoney (X18). Found → succeeded; "not found" (retval 7) → still
       * waiting for the buyer. Without `x18` the plugin cannot know and answers "still waiting"
       * (requires_action with the same form), which changes nothing; the Result URL settles it.
       */
      async syncPayment({ payment }) {
        if (!options.x18) return waiting(payment);
        const purse = purseFor(options, payment.currency);
        const result = await queryX18(ctx.http, {
          url: options.x18.url,
          wmid: options.x18.wmid,
          purse,
          paymentNo: paymentNumberFor(payment.id),
          secretKey: options.x18.secretKey ?? options.secretKey,
          hashMethod: options.x18.hashMethod,
          timeoutMs: options.x18.timeoutMs,
        });
        if (!result.found) {
          if (result.retval === X18_NOT_FOUND) return waiting(payment);
          log.warn({ paymentId: payment.id, retval: result.retval }, 'webmoney: X18 refused the query');
          throw new PayrailError('PAYRAIL_ERR_PROVIDER_REJECTED', {
            message: `WebMoney X18 answered retval ${result.retval}: ${result.retdesc}`.slice(0, 300),
            details: { retval: result.retval },
          });
        }
        const paid = x18AmountMinor(result.amount, payment.currency);
        if (paid !== payment.amount) {
          log.error(
            {
              alert: 'webmoney_x18_amount_mismatch',
              paymentId: payment.id,
              expected: payment.amount,
              received: paid,
            },
            'webmoney: X18 reports a different amount; not applied',
          );
          throw new PayrailError('PAYRAIL_ERR_PROVIDER_REJECTED', {
            message: 'WebMoney X18 reports a payment of a different amount for this payment number.',
          });
        }
        return { status: 'succeeded', amountCaptured: paid, paymentRef: result.wmTransId };
      },

      webhooks: {
        async parse(req) {
          return parseNotification(req.rawBody, options);
        },
        respond: respondToWebMoney,
      },
    };
  },
});

/**
 * The WebMoney Merchant provider. `webmoney({ purses: { USD: 'Z…' }, secretKey })`; the Result URL to
 * set in the merchant settings is `${publicUrl}/hooks/webmoney/<instanceId>`.
 */
export function webmoney(options: WebMoneyOptions & { instanceId?: string }) {
  const plugin = definition(options);
  const parsed = webmoneyOptionsSchema.safeParse(options);
  // Route only the currencies this instance has purses for (invalid options fail in the registry).
  if (!parsed.success) return plugin;
  return { ...plugin, currencies: Object.keys(parsed.data.purses) };
}
