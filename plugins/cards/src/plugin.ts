import {
  assertAmount,
  type CardDisplay,
  type CardInput,
  defineProvider,
  type PaymentOutcome,
  type PaymentProvider,
  PayrailError,
  type ProviderPaymentView,
  parseCurrency,
} from '@payrail/core';
import { z } from 'zod';
import { brandInfo } from './brands';
import { cardFingerprint, PROCESS_FINGERPRINT_KEY } from './fingerprint';
import { declineCodeFor, declineMessageFor } from './response-codes';
import { type AuthorizationRecord, type CardAcquirer, SandboxAcquirer } from './sandbox-acquirer';
import { type ValidCard, validateCard } from './validate-card';

export const cardsOptionsSchema = z.strictObject({
  instanceId: z.string().optional(),
  /** Only the sandbox acquirer exists for now; live acquirers come with the vault and 3-D Secure. */
  mode: z.literal('sandbox').default('sandbox'),
  /**
   * Key of the card fingerprint HMAC, at least 32 characters. Default: a random key per process
   * (fingerprints then change at every restart) — set it wherever fingerprints must persist.
   */
  fingerprintKey: z.string().min(32).optional(),
  /** Enforce Luhn on UnionPay numbers (default true; see README). */
  luhnValidateUnionPay: z.boolean().default(true),
});

export type CardsOptions = z.input<typeof cardsOptionsSchema>;

const manifest = { id: 'cards', name: 'Bank cards', version: '0.1.0', coreRange: '^0.1.0' };

/** Display data of a validated card: never more than first 6 / last 4, never the CVC. */
function displayOf(card: ValidCard, fingerprintKey: string | Buffer): CardDisplay {
  return {
    brand: card.brand,
    first6: card.pan.slice(0, 6),
    last4: card.pan.slice(-4),
    expMonth: card.expMonth,
    expYear: card.expYear,
    fingerprint: cardFingerprint(card.pan, fingerprintKey),
  };
}

function outcomeOf(record: AuthorizationRecord): PaymentOutcome {
  const common = { paymentRef: record.ref, card: { ...record.card } };
  switch (record.status) {
    case 'captured':
      return { status: 'succeeded', amountCaptured: record.amountCaptured, ...common };
    case 'authorized':
      return { status: 'authorized', amountAuthorized: record.amountAuthorized, ...common };
    case 'voided':
      return { status: 'canceled', reason: 'voided', ...common };
    case 'declined':
      return {
        status: 'declined',
        decline: {
          code: declineCodeFor(record.responseCode),
          providerCode: record.responseCode,
          message: declineMessageFor(record.responseCode),
        },
        ...common,
      };
  }
}

const noAuthorization = () =>
  new PayrailError('PAYRAIL_ERR_PROVIDER_REJECTED', {
    message: 'The acquirer has no authorization for this payment.',
  });

const definition = defineProvider({
  manifest,
  optionsSchema: cardsOptionsSchema,
  capabilities: ['capture', 'cancel', 'refund'],
  paymentMethods: ['card'],
  currencies: 'any',
  confirmation: 'payment_page',
  init(ctx): PaymentProvider {
    const options = ctx.options;
    const fingerprintKey = options.fingerprintKey ?? PROCESS_FINGERPRINT_KEY;
    if (!options.fingerprintKey) {
      ctx.logger.warn(
        {},
        'cards: no fingerprintKey configured; using a random per-process key (fingerprints change at restart)',
      );
    }
    const acquirer: CardAcquirer = new SandboxAcquirer();

    async function authorization(payment: ProviderPaymentView): Promise<AuthorizationRecord> {
      const record = await acquirer.find({ ref: payment.paymentRef, paymentId: payment.id });
      if (!record) throw noAuthorization();
      return record;
    }

    const validate = (paymentMethod: CardInput) =>
      validateCard(paymentMethod, {
        now: ctx.clock.now(),
        luhnValidateUnionPay: options.luhnValidateUnionPay,
      });

    return {
      // Antifraud runs before authorization and sees the brand, IIN, last 4 and fingerprint only.
      describePaymentMethod: (paymentMethod) => displayOf(validate(paymentMethod), fingerprintKey),

      async createPayment({ payment, paymentMethod }) {
        if (paymentMethod?.type !== 'card') {
          throw new PayrailError('PAYRAIL_ERR_PAYMENT_METHOD_INVALID', {
            param: 'payment_method',
            message: 'The cards provider needs the card details collected on the payment page.',
          });
        }
        assertAmount(payment.amount);
        const currency = parseCurrency(payment.currency);
        const card = validate(paymentMethod);
        const display = displayOf(card, fingerprintKey);
        const record = await acquirer.authorize({
          paymentId: payment.id,
          pan: card.pan,
          card: display,
          amount: payment.amount,
          currency,
          capture: payment.captureMethod === 'automatic',
        });
        // Log what identifies the attempt, never the number or the code.
        ctx.logger.info(
          {
            paymentId: payment.id,
            paymentRef: record.ref,
            brand: record.card.brand,
            last4: record.card.last4,
            responseCode: record.responseCode,
            status: record.status,
          },
          `cards: ${brandInfo(card.brand).name} authorization ${record.status}`,
        );
        return outcomeOf(record);
      },

      async syncPayment({ payment }) {
        return outcomeOf(await authorization(payment));
      },

      async capturePayment({ payment, amount }) {
        assertAmount(amount);
        const record = await acquirer.capture((await authorization(payment)).ref, amount);
        return { amountCaptured: record.amountCaptured };
      },

      async cancelPayment({ payment }) {
        await acquirer.void((await authorization(payment)).ref);
      },

      async refundPayment({ payment, refundId, amount }) {
        assertAmount(amount);
        const { refundRef } = await acquirer.refund((await authorization(payment)).ref, refundId, amount);
        return { status: 'succeeded', refundRef };
      },
    };
  },
});

/**
 * The bank-card provider (sandbox acquirer for now). Card details come from Payrail's own payment
 * page; outcomes carry only display data (brand, first 6, last 4, expiry, fingerprint).
 */
export function cards(options: CardsOptions = {}) {
  return definition(options);
}
