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
import {
  type AuthenticationResult,
  CHALLENGE_TTL_MS,
  ChainedIssuerDirectory,
  type IssuerDirectory,
  type IssuerStatisticsCounter,
  PayerAuthentication,
  sandboxIssuerDirectory,
} from './payer-authentication';
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
  /**
   * Issuers' IIN ranges and enrolled cards for payer authentication. Default: the sandbox issuer only
   * (`4000000000003220`, code `123456`, test mode).
   */
  issuerDirectory: z
    .custom<IssuerDirectory>((value) => typeof (value as IssuerDirectory | null)?.issuerFor === 'function', {
      message: 'issuerDirectory must implement IssuerDirectory',
    })
    .optional(),
  /**
   * Keep the sandbox issuer (test mode) in front of `issuerDirectory`. Default: false when an
   * `issuerDirectory` is given (it then replaces the sandbox), true otherwise. The server sets it with its
   * store-backed directory of issuer accounts.
   */
  sandboxIssuer: z.boolean().optional(),
  /** Where challenge statistics are counted (`IssuerStatisticsCounter`). Default: in process memory. */
  issuerStatistics: z
    .custom<IssuerStatisticsCounter>(
      (value) => typeof (value as IssuerStatisticsCounter | null)?.increment === 'function',
      { message: 'issuerStatistics must implement IssuerStatisticsCounter' },
    )
    .optional(),
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

/** How the server reaches a cards provider's payer-authentication service (`/pay/:id/verify`). */
export const PAYER_AUTHENTICATION: unique symbol = Symbol.for('payrail.cards.payerAuthentication');

/** The payer-authentication service of a cards provider instance, if `provider` is one. */
export function payerAuthenticationOf(provider: PaymentProvider): PayerAuthentication | undefined {
  const service = (provider as { [PAYER_AUTHENTICATION]?: unknown })[PAYER_AUTHENTICATION];
  return service instanceof PayerAuthentication ? service : undefined;
}

/** A card waiting, in memory only, for its payer to pass the challenge. Never stored anywhere. */
interface PendingAuthorization {
  card: ValidCard;
  display: CardDisplay;
  capture: boolean;
  amount: number;
  currency: string;
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
  async init(ctx): Promise<PaymentProvider> {
    const options = ctx.options;
    const fingerprintKey = options.fingerprintKey ?? PROCESS_FINGERPRINT_KEY;
    if (!options.fingerprintKey) {
      ctx.logger.warn(
        {},
        'cards: no fingerprintKey configured; using a random per-process key (fingerprints change at restart)',
      );
    }
    const acquirer: CardAcquirer = new SandboxAcquirer();
    const sandbox =
      (options.sandboxIssuer ?? !options.issuerDirectory)
        ? await sandboxIssuerDirectory(fingerprintKey)
        : undefined;
    const directories = [sandbox, options.issuerDirectory].filter(
      (d): d is IssuerDirectory => d !== undefined,
    );
    const payerAuthentication = new PayerAuthentication({
      directory: directories.length === 1 ? directories[0]! : new ChainedIssuerDirectory(directories),
      fingerprintKey,
      clock: ctx.clock,
      logger: ctx.logger,
      ...(options.issuerStatistics ? { statistics: options.issuerStatistics } : {}),
    });
    const pending = new Map<string, PendingAuthorization>();
    // One authorization at a time per payment: two verify requests must not both reach the acquirer.
    const inFlight = new Map<string, Promise<PaymentOutcome>>();

    async function authorize(
      paymentId: string,
      p: PendingAuthorization,
      authentication: AuthenticationResult,
    ): Promise<PaymentOutcome> {
      const record = await acquirer.authorize({
        paymentId,
        pan: p.card.pan,
        card: { ...p.display, authentication },
        amount: p.amount,
        currency: p.currency,
        capture: p.capture,
      });
      // Log what identifies the attempt, never the number or the code.
      ctx.logger.info(
        {
          paymentId,
          paymentRef: record.ref,
          brand: record.card.brand,
          last4: record.card.last4,
          responseCode: record.responseCode,
          status: record.status,
          authentication,
        },
        `cards: ${brandInfo(p.card.brand).name} authorization ${record.status}`,
      );
      return outcomeOf(record);
    }

    /** Status of a payment waiting for its challenge: authorize once authenticated, fail once failed. */
    async function afterChallenge(payment: ProviderPaymentView): Promise<PaymentOutcome | undefined> {
      const state = payerAuthentication.state(payment.id);
      if (state === undefined) return undefined;
      const waiting = pending.get(payment.id);
      if (state === 'pending' && waiting) {
        return { status: 'requires_action', nextAction: verifyAction(payment.id), card: waiting.display };
      }
      if (state === 'authenticated' && waiting) {
        let running = inFlight.get(payment.id);
        if (!running) {
          running = authorize(payment.id, waiting, 'authenticated').finally(() => {
            pending.delete(payment.id);
            inFlight.delete(payment.id);
          });
          inFlight.set(payment.id, running);
        }
        return running;
      }
      pending.delete(payment.id);
      if (state === 'failed') {
        return {
          status: 'declined',
          decline: {
            code: 'authentication_failed',
            message: 'The payer failed authentication: three wrong verification codes.',
          },
          ...(waiting ? { card: { ...waiting.display, authentication: 'failed' as const } } : {}),
        };
      }
      if (state === 'expired') return { status: 'canceled', reason: 'expired' };
      // Authenticated, and the card already went to the acquirer (or this process restarted).
      return undefined;
    }

    const verifyAction = (paymentId: string) => ({
      type: 'redirect' as const,
      url: `${ctx.publicUrl.replace(/\/$/, '')}/pay/${paymentId}/verify`,
    });

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

    const provider: PaymentProvider & { [PAYER_AUTHENTICATION]: PayerAuthentication } = {
      [PAYER_AUTHENTICATION]: payerAuthentication,
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
        const waiting: PendingAuthorization = {
          card,
          display,
          capture: payment.captureMethod === 'automatic',
          amount: payment.amount,
          currency,
        };
        const check = await payerAuthentication.check({ pan: card.pan, mode: payment.mode });
        if (check.result === 'challenge') {
          // The card (with its CVC) waits in memory only; the buyer is sent to the challenge page.
          pending.set(payment.id, waiting);
          // The card and its CVC must not outlive the challenge, even if nobody ever asks about it.
          setTimeout(() => {
            if (pending.get(payment.id) === waiting) pending.delete(payment.id);
          }, CHALLENGE_TTL_MS).unref();
          await payerAuthentication.start({
            paymentId: payment.id,
            issuerId: check.issuerId,
            codeHash: check.codeHash,
            mode: payment.mode,
          });
          ctx.logger.info(
            { paymentId: payment.id, brand: display.brand, last4: display.last4, issuerId: check.issuerId },
            'cards: payer authentication required',
          );
          return { status: 'requires_action', nextAction: verifyAction(payment.id), card: display };
        }
        return authorize(payment.id, waiting, check.result);
      },

      async syncPayment({ payment }) {
        const challenged = await afterChallenge(payment);
        if (challenged) return challenged;
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
    return provider;
  },
});

/**
 * The bank-card provider (sandbox acquirer for now). Card details come from Payrail's own payment
 * page; outcomes carry only display data (brand, first 6, last 4, expiry, fingerprint).
 */
export function cards(options: CardsOptions = {}) {
  return definition(options);
}
