import {
  assertAmount,
  type CardDisplay,
  type Decline,
  defineProvider,
  type NextAction,
  type PaymentOutcome,
  type PaymentProvider,
  PayrailError,
  type ProviderPlugin,
  parseCurrency,
  type RefundOutcome,
  type WebhookRequest,
} from '@payrail/core';
import { z } from 'zod';
import { type FakePaymentScenario, fakeRefundScenarioOf, fakeScenarioOf } from './triggers';
import { createFakeWebhooks, declineMessage, type FakeWebhookBody, fakeWebhookRequest } from './webhook';

export const fakeProviderOptionsSchema = z.strictObject({
  /** Shared secret of the HMAC-SHA256 notification signature; at least 16 characters. */
  webhookSecret: z.string().min(16),
  instanceId: z.string().optional(),
});

export type FakeProviderOptions = z.input<typeof fakeProviderOptionsSchema>;

export type FakePaymentStatus =
  | 'requires_action'
  | 'processing'
  | 'authorized'
  | 'succeeded'
  | 'declined'
  | 'canceled';

export interface FakeRefundRecord {
  refundId: string;
  refundRef: string;
  amount: number;
  status: 'pending' | 'succeeded' | 'failed';
}

/** What the fake provider "knows" about one payment. */
export interface FakePaymentRecord {
  paymentId: string;
  paymentRef: string;
  scenario: FakePaymentScenario;
  amount: number;
  currency: string;
  captureMethod: 'automatic' | 'manual';
  status: FakePaymentStatus;
  amountAuthorized: number;
  amountCaptured: number;
  refunds: Map<string, FakeRefundRecord>;
  decline: Decline | null;
  nextAction: NextAction | null;
}

export interface FakeProviderControl {
  /** The webhook secret this instance verifies with. */
  readonly webhookSecret: string;
  /** The fake's record of a payment, by Payrail payment id. */
  payment(paymentId: string): Readonly<FakePaymentRecord> | undefined;
  /**
   * Settles a payment that is processing or waiting for the buyer (pending_then_webhook, requires_action):
   * `succeeded` (the default; `authorized` for manual capture), `failed` or `canceled`. Returns the signed
   * notification the provider would send, ready for `webhooks.parse` or `POST /hooks/fake/:instanceId`.
   */
  complete(
    paymentId: string,
    options?: { status?: 'succeeded' | 'failed' | 'canceled'; declineCode?: Decline['code'] },
  ): WebhookRequest;
  /** A signed notification describing the payment's current state (to test replays and late deliveries). */
  webhookFor(paymentId: string): WebhookRequest;
}

export type FakeProviderPlugin = ProviderPlugin & { readonly control: FakeProviderControl };

/** The fake's checkout page. `.invalid` never resolves: nothing real is ever contacted. */
export const FAKE_CHECKOUT_ORIGIN = 'https://checkout.fake-provider.invalid';

const rejected = (message: string) => new PayrailError('PAYRAIL_ERR_PROVIDER_REJECTED', { message });

function outcomeOf(r: FakePaymentRecord): PaymentOutcome {
  const common = { paymentRef: r.paymentRef } as { paymentRef: string; card?: CardDisplay };
  switch (r.status) {
    case 'requires_action':
      return { status: 'requires_action', nextAction: r.nextAction!, ...common };
    case 'processing':
      return { status: 'processing', ...common };
    case 'authorized':
      return { status: 'authorized', amountAuthorized: r.amountAuthorized, ...common };
    case 'succeeded':
      return { status: 'succeeded', amountCaptured: r.amountCaptured, ...common };
    case 'declined':
      return { status: 'declined', decline: r.decline!, ...common };
    case 'canceled':
      return { status: 'canceled', reason: 'voided', ...common };
  }
}

function refundOutcomeOf(r: FakeRefundRecord): RefundOutcome {
  return r.status === 'failed'
    ? {
        status: 'failed',
        refundRef: r.refundRef,
        failure: { code: 'fake_refund_failed', message: 'The fake provider refused the refund.' },
      }
    : { status: r.status, refundRef: r.refundRef };
}

/** Settles a record as the provider would when the buyer finishes (or abandons) paying. */
function settle(
  r: FakePaymentRecord,
  status: 'succeeded' | 'failed' | 'canceled',
  code: Decline['code'],
): void {
  r.nextAction = null;
  if (status === 'failed') {
    r.status = 'declined';
    r.decline = { code, providerCode: `fake_${code}`, message: declineMessage(code) };
  } else if (status === 'canceled') {
    r.status = 'canceled';
  } else if (r.captureMethod === 'manual') {
    r.status = 'authorized';
    r.amountAuthorized = r.amount;
  } else {
    r.status = 'succeeded';
    r.amountAuthorized = r.amount;
    r.amountCaptured = r.amount;
  }
}

function webhookStatusOf(r: FakePaymentRecord): FakeWebhookBody['status'] {
  switch (r.status) {
    case 'declined':
      return 'failed';
    case 'requires_action':
      return 'processing';
    default:
      return r.status;
  }
}

/**
 * A fake payment provider for tests (`methods: ['fake']`, confirmation `immediate`), with every
 * capability, deterministic behaviour chosen by the trigger table (`FAKE_TRIGGERS`, README.md), and
 * state kept in memory per plugin value, so sync, capture, cancel and refund stay consistent.
 */
export function fakeProvider(options: FakeProviderOptions): FakeProviderPlugin {
  const records = new Map<string, FakePaymentRecord>();
  /** Refund ids whose first request was "lost" (refund_timeout_before). */
  const lostRefundRequests = new Set<string>();
  let notificationSeq = 0;
  const secret = options.webhookSecret;

  function find(payment: { id: string; paymentRef: string | null }): FakePaymentRecord {
    const record = records.get(payment.id);
    if (!record || (payment.paymentRef !== null && payment.paymentRef !== record.paymentRef)) {
      throw rejected(`The fake provider has no payment ${payment.paymentRef ?? payment.id}.`);
    }
    return record;
  }

  function webhookFor(paymentId: string): WebhookRequest {
    const r = records.get(paymentId);
    if (!r) throw new Error(`fake provider: no payment ${paymentId}`);
    notificationSeq += 1;
    const body: FakeWebhookBody = {
      id: `fakeevt_${notificationSeq}_${r.paymentRef}`,
      payment_id: r.paymentId,
      status: webhookStatusOf(r),
      amount: r.status === 'succeeded' ? r.amountCaptured : r.amount,
      currency: r.currency,
      ...(r.decline ? { decline_code: r.decline.code } : {}),
    };
    return fakeWebhookRequest(secret, body);
  }

  const control: FakeProviderControl = {
    webhookSecret: secret,
    payment: (paymentId) => records.get(paymentId),
    complete(paymentId, opts = {}) {
      const r = records.get(paymentId);
      if (!r) throw new Error(`fake provider: no payment ${paymentId}`);
      if (r.status !== 'processing' && r.status !== 'requires_action') {
        throw new Error(`fake provider: payment ${paymentId} is ${r.status}, not waiting to complete`);
      }
      settle(r, opts.status ?? 'succeeded', opts.declineCode ?? 'card_declined');
      return webhookFor(paymentId);
    },
    webhookFor,
  };

  const factory = defineProvider({
    manifest: { id: 'fake', name: 'Fake provider (testkit)', version: '0.1.0', coreRange: '^0.1.0' },
    optionsSchema: fakeProviderOptionsSchema,
    capabilities: ['capture', 'cancel', 'refund', 'refund_sync', 'webhooks'],
    paymentMethods: ['fake'],
    currencies: 'any',
    confirmation: 'immediate',
    init(ctx): PaymentProvider {
      const log = ctx.logger;
      return {
        async createPayment({ payment, returnUrl }) {
          const existing = records.get(payment.id);
          // Like a real provider with idempotency keys: a retry gets the first attempt's result.
          if (existing) return outcomeOf(existing);
          assertAmount(payment.amount);
          const currency = parseCurrency(payment.currency);
          const scenario = fakeScenarioOf(payment);
          const paymentRef = `fake_${payment.id}`;
          const r: FakePaymentRecord = {
            paymentId: payment.id,
            paymentRef,
            scenario,
            amount: payment.amount,
            currency,
            captureMethod: payment.captureMethod,
            status: 'processing',
            amountAuthorized: 0,
            amountCaptured: 0,
            refunds: new Map(),
            decline: null,
            nextAction: null,
          };
          records.set(payment.id, r);
          log.debug({ paymentId: payment.id, scenario }, 'fake createPayment');
          switch (scenario) {
            case 'succeed':
              settle(r, 'succeeded', 'card_declined');
              return outcomeOf(r);
            case 'decline_card_declined':
              settle(r, 'failed', 'card_declined');
              return outcomeOf(r);
            case 'decline_insufficient_funds':
              settle(r, 'failed', 'insufficient_funds');
              return outcomeOf(r);
            case 'pending_then_webhook':
              return outcomeOf(r);
            case 'requires_action': {
              r.status = 'requires_action';
              const url = new URL(`/checkout/${encodeURIComponent(paymentRef)}`, FAKE_CHECKOUT_ORIGIN);
              url.searchParams.set('return_url', returnUrl);
              r.nextAction = { type: 'redirect', url: url.toString() };
              return outcomeOf(r);
            }
            case 'timeout_unknown':
              // The provider acted; the answer was lost on the way back.
              settle(r, 'succeeded', 'card_declined');
              throw new PayrailError('PAYRAIL_ERR_PROVIDER_TIMEOUT', {
                message:
                  'The fake provider timed out after accepting the payment (scenario timeout_unknown).',
                outcomeUnknown: true,
              });
          }
        },

        async syncPayment({ payment }) {
          return outcomeOf(find(payment));
        },

        async capturePayment({ payment, amount }) {
          const r = find(payment);
          // Capturing twice is a no-op that reports what was captured (as acquirers do).
          if (r.status === 'succeeded') return { amountCaptured: r.amountCaptured };
          if (r.status !== 'authorized') throw rejected(`Cannot capture a fake payment that is ${r.status}.`);
          assertAmount(amount);
          if (amount > r.amountAuthorized) {
            throw rejected(`Cannot capture ${amount}: only ${r.amountAuthorized} is authorized.`);
          }
          r.status = 'succeeded';
          r.amountCaptured = amount;
          return { amountCaptured: amount };
        },

        async cancelPayment({ payment }) {
          const r = find(payment);
          if (r.status === 'canceled') return;
          if (r.status === 'succeeded' || r.status === 'declined') {
            throw rejected(`Cannot cancel a fake payment that is ${r.status}.`);
          }
          r.status = 'canceled';
          r.nextAction = null;
        },

        async refundPayment({ payment, refundId, amount, reason }) {
          const r = find(payment);
          const known = r.refunds.get(refundId);
          if (known) return refundOutcomeOf(known);
          if (r.status !== 'succeeded') throw rejected(`Cannot refund a fake payment that is ${r.status}.`);
          assertAmount(amount);
          let reserved = 0;
          for (const refund of r.refunds.values()) if (refund.status !== 'failed') reserved += refund.amount;
          if (amount > r.amountCaptured - reserved) {
            throw rejected(
              `Cannot refund ${amount}: ${r.amountCaptured - reserved} of the capture is left to refund.`,
            );
          }
          const scenario = fakeRefundScenarioOf(reason);
          if (scenario === 'refund_timeout_before' && !lostRefundRequests.has(refundId)) {
            lostRefundRequests.add(refundId);
            throw new PayrailError('PAYRAIL_ERR_PROVIDER_TIMEOUT', {
              message: 'The fake provider never received this refund (scenario refund_timeout_before).',
              outcomeUnknown: true,
            });
          }
          const refund: FakeRefundRecord = {
            refundId,
            refundRef: `fakere_${refundId}`,
            amount,
            status:
              scenario === 'refund_pending' ? 'pending' : scenario === 'refund_fail' ? 'failed' : 'succeeded',
          };
          r.refunds.set(refundId, refund);
          if (scenario === 'refund_timeout_after') {
            throw new PayrailError('PAYRAIL_ERR_PROVIDER_TIMEOUT', {
              message:
                'The fake provider refunded, then the answer was lost (scenario refund_timeout_after).',
              outcomeUnknown: true,
            });
          }
          return refundOutcomeOf(refund);
        },

        async syncRefund({ payment, refundId }) {
          const refund = find(payment).refunds.get(refundId);
          if (!refund) throw rejected(`The fake provider has no refund ${refundId}.`);
          if (refund.status === 'pending') refund.status = 'succeeded';
          return refundOutcomeOf(refund);
        },

        webhooks: createFakeWebhooks(ctx.options.webhookSecret),
      };
    },
  });

  return Object.assign(factory(options), { control });
}
