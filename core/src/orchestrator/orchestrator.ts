import { isPayrailError, PayrailError } from '../errors';
import { newId } from '../ids';
import { capturePosting, computeFee, refundPosting } from '../ledger';
import { assertAmount, parseCurrency } from '../money';
import {
  assertTransition,
  isAwaitingPayment,
  isCapturedStatus,
  type Payment,
  type Refund,
  refundableAmount,
} from '../payments';
import type { PluginRegistry, RegisteredProvider } from '../plugins/registry';
import type {
  AntifraudInput,
  PaymentCheck,
  PaymentOutcome,
  RefundOutcome,
  WebhookRequest,
  WebhookResponse,
} from '../plugins/types';
import type { Clock } from '../ports/clock';
import type { Logger } from '../ports/logger';
import type { Merchant, Store } from '../ports/store';
import { antifraudPaymentView, assessRisk, reportAntifraudOutcome } from './antifraud';
import { commitWithRetry } from './commit-with-retry';
import { paymentEvent, refundEvent } from './events';
import { planOutcome } from './outcome';
import { providerView } from './provider-view';
import { routePayment } from './routing';
import { routesOf, shopForPayment } from './shop-routing';
import {
  type AntifraudPolicy,
  type ClientInfo,
  type ConfirmPaymentRequest,
  type CreatePaymentRequest,
  DEFAULT_ANTIFRAUD_POLICY,
  type MerchantScope,
} from './types';

export interface OrchestratorDeps {
  store: Store;
  registry: PluginRegistry;
  clock: Clock;
  logger: Logger;
  /** Public base URL of this server; the card payment page is `${publicUrl}/pay/:id`. */
  publicUrl: string;
  antifraudPolicy?: Partial<AntifraudPolicy>;
}

/** `verified`: a pre-payment check was answered yes (nothing written). */
export type WebhookResult = 'applied' | 'duplicate' | 'ignored' | 'rejected' | 'verified';

/**
 * The payment orchestrator: routes payments to provider plugins, runs antifraud before authorization,
 * and turns every provider answer into a state-machine transition stored with its ledger postings and
 * outbox events in one atomic write.
 */
export class Orchestrator {
  readonly #store: Store;
  readonly #registry: PluginRegistry;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #publicUrl: string;
  readonly #policy: AntifraudPolicy;

  constructor(deps: OrchestratorDeps) {
    this.#store = deps.store;
    this.#registry = deps.registry;
    this.#clock = deps.clock;
    this.#logger = deps.logger;
    this.#publicUrl = deps.publicUrl.replace(/\/$/, '');
    this.#policy = { ...DEFAULT_ANTIFRAUD_POLICY, ...deps.antifraudPolicy };
  }

  /** The server's public base URL, without a trailing slash (integration snippets, links). */
  get publicUrl(): string {
    return this.#publicUrl;
  }

  /** The URL of Payrail's own page where the buyer enters card details for this payment. */
  paymentPageUrl(paymentId: string): string {
    return `${this.#publicUrl}/pay/${paymentId}`;
  }

  async createPayment(args: {
    scope: MerchantScope;
    request: CreatePaymentRequest;
    client?: ClientInfo;
    /** The new payment's id, when the caller reserved one (an idempotency key); else a new id. */
    id?: string;
  }): Promise<Payment> {
    const { scope, request } = args;
    const amount = assertAmount(request.amount);
    const currency = parseCurrency(request.currency);
    const merchant = await this.#merchant(scope.merchantId);
    const shop = request.shopId ? await shopForPayment(this.#store, scope.merchantId, request) : null;
    const route = routePayment(this.#registry, routesOf(merchant, shop), request.method, currency);
    const now = this.#clock.now();
    const id = args.id ?? newId('payment', now.getTime());
    const payment: Payment = {
      id,
      merchantId: scope.merchantId,
      shopId: shop?.id ?? null,
      mode: scope.mode,
      status: 'requires_payment_method',
      amount,
      currency,
      amountCapturable: 0,
      amountCaptured: 0,
      amountRefunded: 0,
      amountRefundPending: 0,
      method: request.method,
      captureMethod: request.captureMethod ?? 'automatic',
      orderId: request.orderId ?? null,
      description: request.description ?? null,
      customer: request.customer ?? null,
      returnUrl: request.returnUrl ?? shop?.successUrl ?? null,
      metadata: request.metadata ?? {},
      provider: { id: route.plugin.manifest.id, instanceId: route.plugin.instanceId },
      card: null,
      nextAction:
        route.plugin.confirmation === 'payment_page'
          ? { type: 'redirect', url: this.paymentPageUrl(id) }
          : null,
      decline: null,
      risk: null,
      client: clientOf(request),
      billing: request.billing?.country ? { country: request.billing.country } : null,
      version: 1,
      createdAt: now,
      updatedAt: now,
    };
    // Stored before any provider call, so a crash after the provider acted still leaves a payment to sync.
    await this.#store.payments.insert({ payment, events: [paymentEvent(payment, now, 'payment.created')] });
    if (route.plugin.confirmation === 'payment_page') return payment;
    // The request's own client is the merchant's server: assessed only when the merchant named no buyer IP.
    return this.#authorize(payment, route, merchant, payment.client?.ip ? undefined : args.client);
  }

  /**
   * A retry of a create request (same Idempotency-Key) found the payment an earlier attempt stored: goes
   * on where that attempt stopped. A payment its provider confirms at creation that is still
   * `requires_payment_method` never reached the provider, or the provider provably did not act (a failed
   * attempt moved it back), so it is authorized now as `createPayment` would have. Anything else is
   * answered as stored (`processing` is left to status sync: the provider may have acted).
   */
  async resumeCreatedPayment(args: { payment: Payment; client?: ClientInfo }): Promise<Payment> {
    const { payment } = args;
    if (payment.status !== 'requires_payment_method') return payment;
    const route = this.#providerOf(payment);
    if (route.plugin.confirmation === 'payment_page') return payment;
    const merchant = await this.#merchant(payment.merchantId);
    return this.#authorize(payment, route, merchant, payment.client?.ip ? undefined : args.client);
  }

  /** The buyer submits a payment method on Payrail's page (cards): antifraud, then authorization. */
  async confirmPayment(request: ConfirmPaymentRequest): Promise<Payment> {
    const payment =
      request.payment?.id === request.paymentId
        ? request.payment
        : await this.#store.payments.getById({ id: request.paymentId });
    if (!payment)
      throw new PayrailError('PAYRAIL_ERR_NOT_FOUND', { message: `No payment ${request.paymentId}.` });
    if (payment.status !== 'requires_payment_method') {
      throw new PayrailError('PAYRAIL_ERR_INVALID_STATE_TRANSITION', {
        message: isAwaitingPayment(payment.status)
          ? 'This payment is waiting for the buyer to complete a verification step.'
          : `This payment cannot be paid: its status is "${payment.status}".`,
        details: { status: payment.status },
      });
    }
    const route = this.#providerOf(payment);
    if (route.plugin.confirmation !== 'payment_page') {
      throw new PayrailError('PAYRAIL_ERR_INVALID_STATE_TRANSITION', {
        message: "This payment is paid on the provider's own page, not here.",
      });
    }
    const merchant = await this.#merchant(payment.merchantId);
    // The payment page's request is the buyer's: its IP and user agent are stored with the payment.
    const seen = request.client
      ? {
          ip: request.client.ip ?? payment.client?.ip ?? null,
          userAgent: request.client.userAgent ?? payment.client?.userAgent ?? null,
          country: payment.client?.country ?? null,
        }
      : payment.client;
    return this.#authorize(
      { ...payment, client: seen },
      route,
      merchant,
      request.client,
      request.paymentMethod,
    );
  }

  /**
   * Antifraud, then a version-checked move to `processing` (so two concurrent confirmations cannot both
   * reach the provider), then the provider call, then its outcome.
   */
  async #authorize(
    payment: Payment,
    route: RegisteredProvider,
    merchant: Merchant,
    client: ClientInfo | undefined,
    paymentMethod?: ConfirmPaymentRequest['paymentMethod'],
  ): Promise<Payment> {
    const card =
      paymentMethod && route.provider.describePaymentMethod
        ? route.provider.describePaymentMethod(paymentMethod)
        : undefined;
    const assessed: AntifraudInput = {
      stage: 'pre_authorization',
      payment: antifraudPaymentView(payment),
      ...(client
        ? { client: { ...client, ...(payment.client?.country ? { country: payment.client.country } : {}) } }
        : {}),
      ...(card ? { card } : {}),
    };
    const risk = await assessRisk(this.#registry.antifraud, assessed, this.#policy, this.#logger);
    const now = this.#clock.now();
    if (risk?.decision === 'deny') {
      return commitWithRetry<Payment>(this.#store, payment, (current) => {
        if (current.status !== 'requires_payment_method') return { done: current };
        const denied: Payment = {
          ...current,
          status: 'failed',
          risk,
          client: payment.client,
          decline: {
            code: 'fraud_suspected',
            message: `Declined by antifraud: ${risk.reasons.join('; ') || 'risk score too high'}.`,
          },
          version: current.version + 1,
          updatedAt: now,
        };
        return { change: { payment: denied, events: [paymentEvent(denied, now)] }, result: (p) => p };
      });
    }
    // A payment held for review is authorized only; a merchant user captures it after approval. A
    // provider that cannot hold funds (no `capture`: wallets) takes the money as usual, and the review
    // stays on the payment for the merchant to refund if needed — as card networks' post-review does.
    const canHold = route.plugin.capabilities.includes('capture');
    const captureMethod = risk?.decision === 'review' && canHold ? 'manual' : payment.captureMethod;
    const locked = await commitWithRetry<Payment>(this.#store, payment, (current) => {
      if (current.status !== 'requires_payment_method') {
        throw new PayrailError('PAYRAIL_ERR_IDEMPOTENCY_IN_FLIGHT', {
          message: 'This payment is already being paid; wait for the result.',
        });
      }
      const processing: Payment = {
        ...current,
        status: 'processing',
        captureMethod,
        risk,
        client: payment.client,
        nextAction: null,
        version: current.version + 1,
        updatedAt: now,
      };
      return { change: { payment: processing, events: [paymentEvent(processing, now)] }, result: (p) => p };
    });

    let outcome: PaymentOutcome;
    try {
      outcome = await route.provider.createPayment({
        payment: providerView(locked),
        returnUrl: locked.returnUrl ?? this.paymentPageUrl(locked.id),
        ...(paymentMethod ? { paymentMethod } : {}),
      });
    } catch (error) {
      return this.#afterProviderFailure(locked, error);
    }
    const settled = await this.#applyOutcome(locked, outcome, merchant);
    await this.#reportOutcome(locked.status, settled, assessed);
    return settled;
  }

  /** Lets antifraud engines learn how an attempt ended (declines feed velocity); never throws. */
  #reportOutcome(previous: Payment['status'], payment: Payment, input?: AntifraudInput): Promise<void> {
    return reportAntifraudOutcome(
      this.#registry.antifraud,
      previous,
      payment,
      input,
      this.#policy,
      this.#logger,
    );
  }

  /**
   * A provider call failed. If the provider may have acted (timeout after sending), the payment stays
   * `processing` for status sync to resolve — never guessed. If it provably did not act, the buyer may try
   * again: back to `requires_payment_method`.
   */
  async #afterProviderFailure(payment: Payment, error: unknown): Promise<Payment> {
    const failure = isPayrailError(error)
      ? error
      : new PayrailError('PAYRAIL_ERR_INTERNAL', { cause: error, outcomeUnknown: true });
    this.#logger.warn(
      { paymentId: payment.id, code: failure.code, outcomeUnknown: failure.outcomeUnknown },
      'provider call failed',
    );
    if (failure.outcomeUnknown) return payment;
    const now = this.#clock.now();
    await commitWithRetry<Payment>(this.#store, payment.id, (current) => {
      if (current.status !== 'processing') return { done: current };
      const reverted: Payment = {
        ...current,
        status: 'requires_payment_method',
        version: current.version + 1,
        updatedAt: now,
      };
      if (payment.nextAction === null && this.#providerOf(current).plugin.confirmation === 'payment_page') {
        reverted.nextAction = { type: 'redirect', url: this.paymentPageUrl(current.id) };
      }
      return { change: { payment: reverted, events: [paymentEvent(reverted, now)] }, result: (p) => p };
    });
    throw failure;
  }

  /** `target`: the payment's id, or the payment as just committed (saves a read; see commitWithRetry). */
  async #applyOutcome(
    target: string | Payment,
    outcome: PaymentOutcome,
    merchant?: Merchant,
  ): Promise<Payment> {
    return commitWithRetry<Payment>(this.#store, target, async (current) => {
      const tariff = (merchant ?? (await this.#merchant(current.merchantId))).tariff;
      const plan = planOutcome(current, outcome, tariff, this.#clock.now());
      if (!plan) return { done: current };
      return { change: plan, result: (p) => p };
    });
  }

  async capturePayment(args: { scope: MerchantScope; paymentId: string; amount?: number }): Promise<Payment> {
    const payment = await this.#scoped(args.scope, args.paymentId);
    if (payment.status !== 'authorized') {
      throw new PayrailError('PAYRAIL_ERR_INVALID_STATE_TRANSITION', {
        message: `Cannot capture a payment whose status is "${payment.status}": only authorized payments (capture_method "manual") can be captured.`,
        details: { status: payment.status },
      });
    }
    const amount = args.amount === undefined ? payment.amountCapturable : assertAmount(args.amount);
    if (amount > payment.amountCapturable) {
      throw new PayrailError('PAYRAIL_ERR_CAPTURE_AMOUNT', {
        param: 'amount',
        message: `At most ${payment.amountCapturable} can be captured.`,
        details: { amount_capturable: payment.amountCapturable },
      });
    }
    const route = this.#providerOf(payment);
    const capture = route.provider.capturePayment;
    if (!capture) throw this.#unsupported(route, 'capture');
    const { amountCaptured } = await capture.call(route.provider, { payment: providerView(payment), amount });
    const merchant = await this.#merchant(payment.merchantId);
    const now = this.#clock.now();
    return commitWithRetry<Payment>(this.#store, payment, (current) => {
      // A concurrent capture got there first: the provider treats captures idempotently, so report it.
      if (current.status !== 'authorized') return { done: current };
      const captured = Math.min(amountCaptured, current.amountCapturable);
      const next: Payment = {
        ...current,
        status: 'succeeded',
        amountCaptured: captured,
        // a capture releases what is left of the authorization (partial capture happens once)
        amountCapturable: 0,
        version: current.version + 1,
        updatedAt: now,
      };
      const ctx = {
        merchantId: current.merchantId,
        mode: current.mode,
        paymentId: current.id,
        currency: current.currency,
        now,
      };
      const posting = capturePosting(ctx, captured, computeFee(captured, current.currency, merchant.tariff));
      return {
        change: { payment: next, postings: [posting], events: [paymentEvent(next, now)] },
        result: (p) => p,
      };
    });
  }

  async cancelPayment(args: { scope: MerchantScope; paymentId: string }): Promise<Payment> {
    const payment = await this.#scoped(args.scope, args.paymentId);
    if (payment.status === 'processing') {
      throw new PayrailError('PAYRAIL_ERR_INVALID_STATE_TRANSITION', {
        message:
          'The payment is being processed by the provider; wait for its result, then cancel or refund.',
        details: { status: payment.status },
      });
    }
    assertTransition(payment.status, 'canceled', 'cancel');
    const route = this.#providerOf(payment);
    // Void an authorization, or withdraw a bill the provider already issued.
    if (payment.status === 'authorized' || payment.provider?.paymentRef) {
      const cancel = route.provider.cancelPayment;
      if (!cancel) {
        if (payment.status === 'authorized') throw this.#unsupported(route, 'cancel');
      } else {
        await cancel.call(route.provider, { payment: providerView(payment) });
      }
    }
    const now = this.#clock.now();
    return commitWithRetry<Payment>(this.#store, payment, (current) => {
      if (current.status === 'canceled') return { done: current };
      assertTransition(current.status, 'canceled', 'cancel');
      const next: Payment = {
        ...current,
        status: 'canceled',
        amountCapturable: 0,
        nextAction: null,
        version: current.version + 1,
        updatedAt: now,
      };
      return { change: { payment: next, events: [paymentEvent(next, now)] }, result: (p) => p };
    });
  }

  /**
   * Refunds in two steps so the sum of refunds can never exceed the captured amount, even under
   * concurrent requests: (1) reserve the amount on the payment with a version-checked write — a second
   * request re-reads and sees less left; (2) call the provider; (3) settle or release the reservation.
   */
  async refundPayment(args: {
    scope: MerchantScope;
    paymentId: string;
    amount?: number;
    reason?: string | null;
    /** The new refund's id, when the caller reserved one (an idempotency key); else a new id. */
    refundId?: string;
  }): Promise<Refund> {
    const payment = await this.#scoped(args.scope, args.paymentId);
    const route = this.#providerOf(payment);
    const refundOp = route.provider.refundPayment;
    if (!refundOp) {
      // Its own code (the issue's `refund_not_supported`): a merchant can branch on it and refund by hand.
      throw new PayrailError('PAYRAIL_ERR_REFUND_NOT_SUPPORTED', {
        message: `Payments through ${route.plugin.manifest.name} (${route.plugin.manifest.id}) cannot be refunded through Payrail: the provider has no refund interface. Refund the buyer outside Payrail.`,
        details: { reason: 'refund_not_supported', provider: route.plugin.manifest.id },
      });
    }
    const requested = args.amount === undefined ? undefined : assertAmount(args.amount);
    const now = this.#clock.now();
    const refundId = args.refundId ?? newId('refund', now.getTime());

    const reserved = await commitWithRetry<{ payment: Payment; refund: Refund }>(
      this.#store,
      payment,
      (current) => {
        if (!isCapturedStatus(current.status) || current.status === 'refunded') {
          throw new PayrailError('PAYRAIL_ERR_INVALID_STATE_TRANSITION', {
            message:
              current.status === 'refunded'
                ? 'This payment is already fully refunded.'
                : `Only captured payments can be refunded; this one is "${current.status}".${current.status === 'authorized' ? ' Cancel it to release the authorization.' : ''}`,
            details: { status: current.status },
          });
        }
        const available = refundableAmount(current);
        const amount = requested ?? available;
        if (amount <= 0 || amount > available) {
          throw new PayrailError('PAYRAIL_ERR_REFUND_AMOUNT', {
            param: 'amount',
            message: `At most ${available} ${current.currency} (minor units) can still be refunded.`,
            details: { refundable: available },
          });
        }
        const refund: Refund = {
          id: refundId,
          paymentId: current.id,
          merchantId: current.merchantId,
          mode: current.mode,
          amount,
          currency: current.currency,
          status: 'pending',
          reason: args.reason ?? null,
          providerRef: null,
          failure: null,
          createdAt: now,
          updatedAt: now,
        };
        const next: Payment = {
          ...current,
          amountRefundPending: current.amountRefundPending + amount,
          version: current.version + 1,
          updatedAt: now,
        };
        return {
          change: { payment: next, refunds: [refund], events: [refundEvent(refund, next, now)] },
          result: (p) => ({ payment: p, refund }),
        };
      },
    );

    let outcome: RefundOutcome;
    try {
      outcome = await refundOp.call(route.provider, {
        payment: providerView(reserved.payment),
        refundId,
        amount: reserved.refund.amount,
        reason: reserved.refund.reason,
      });
    } catch (error) {
      const failure = isPayrailError(error)
        ? error
        : new PayrailError('PAYRAIL_ERR_INTERNAL', { cause: error, outcomeUnknown: true });
      // The provider may have refunded: keep the reservation; status sync settles it.
      if (failure.outcomeUnknown) return reserved.refund;
      await this.#settleRefund(reserved.refund, {
        status: 'failed',
        failure: { code: failure.code, message: failure.message },
      });
      throw failure;
    }
    // Outside the try: if recording the provider's answer fails (a store error, or losing every
    // optimistic-concurrency retry), the refund stays pending with its amount reserved and the refund
    // sync settles it. Recording it as failed would free an amount the provider has already refunded.
    return this.#settleRefund(reserved.refund, outcome);
  }

  /** Moves a pending refund to its final state and releases or books its reservation. */
  async #settleRefund(
    refund: Refund,
    outcome: Awaited<ReturnType<NonNullable<RegisteredProvider['provider']['refundPayment']>>>,
  ): Promise<Refund> {
    if (outcome.status === 'pending') {
      if (!outcome.refundRef || outcome.refundRef === refund.providerRef) return refund;
    }
    const now = this.#clock.now();
    return commitWithRetry<Refund>(this.#store, refund.paymentId, async (current) => {
      const stored = (await this.#store.refunds.listByPayment({ paymentId: current.id })).find(
        (r) => r.id === refund.id,
      );
      if (stored?.status !== 'pending') return { done: stored ?? refund };
      const settled: Refund = {
        ...stored,
        status: outcome.status,
        providerRef: outcome.refundRef ?? stored.providerRef,
        failure: outcome.status === 'failed' ? outcome.failure : null,
        updatedAt: now,
      };
      const next: Payment = { ...current, version: current.version + 1, updatedAt: now };
      const postings = [];
      if (outcome.status === 'succeeded') {
        next.amountRefundPending = current.amountRefundPending - stored.amount;
        next.amountRefunded = current.amountRefunded + stored.amount;
        next.status = next.amountRefunded >= next.amountCaptured ? 'refunded' : 'partially_refunded';
        const ctx = {
          merchantId: current.merchantId,
          mode: current.mode,
          paymentId: current.id,
          refundId: stored.id,
          currency: current.currency,
          now,
        };
        postings.push(refundPosting(ctx, stored.amount));
      } else if (outcome.status === 'failed') {
        next.amountRefundPending = current.amountRefundPending - stored.amount;
      }
      const events = [refundEvent(settled, next, now)];
      if (next.status !== current.status) events.push(paymentEvent(next, now));
      return { change: { payment: next, refunds: [settled], postings, events }, result: () => settled };
    });
  }

  /**
   * Settles a refund left `pending` (a crash between reservation and provider call, or an unknown
   * outcome). A refund the provider never acknowledged (no provider reference) is sent again with the
   * same refund id — providers treat the id as an idempotency key (docs/plugins.md), so a refund that did
   * reach them is not made twice; one the provider acknowledged as pending is asked for by `syncRefund`.
   * Answers the refund as stored afterwards (still `pending` while the provider cannot say).
   */
  async resolvePendingRefund(args: { refund: Refund }): Promise<Refund> {
    const payment = await this.#store.payments.getById({ id: args.refund.paymentId });
    if (!payment)
      throw new PayrailError('PAYRAIL_ERR_NOT_FOUND', { message: `No payment ${args.refund.paymentId}.` });
    const stored = (await this.#store.refunds.listByPayment({ paymentId: payment.id })).find(
      (r) => r.id === args.refund.id,
    );
    if (stored?.status !== 'pending') return stored ?? args.refund;
    const { provider } = this.#providerOf(payment);
    const view = providerView(payment);
    let outcome: RefundOutcome;
    try {
      if (stored.providerRef === null && provider.refundPayment) {
        outcome = await provider.refundPayment({
          payment: view,
          refundId: stored.id,
          amount: stored.amount,
          reason: stored.reason,
        });
      } else if (provider.syncRefund) {
        outcome = await provider.syncRefund({
          payment: view,
          refundId: stored.id,
          refundRef: stored.providerRef,
        });
      } else {
        return stored;
      }
    } catch (error) {
      const failure = isPayrailError(error)
        ? error
        : new PayrailError('PAYRAIL_ERR_INTERNAL', { cause: error, outcomeUnknown: true });
      if (failure.outcomeUnknown) return stored;
      outcome = { status: 'failed', failure: { code: failure.code, message: failure.message } };
    }
    return this.#settleRefund(stored, outcome);
  }

  /** Asks the provider for the payment's state and applies it (status sync, outcome-unknown recovery). */
  async syncPayment(args: { paymentId: string }): Promise<Payment> {
    const payment = await this.#store.payments.getById({ id: args.paymentId });
    if (!payment)
      throw new PayrailError('PAYRAIL_ERR_NOT_FOUND', { message: `No payment ${args.paymentId}.` });
    const route = this.#providerOf(payment);
    const outcome = await route.provider.syncPayment({ payment: providerView(payment) });
    const settled = await this.#applyOutcome(payment.id, outcome);
    await this.#reportOutcome(payment.status, settled);
    return settled;
  }

  /**
   * A provider notification: the plugin verifies and parses it; core finds the payment, checks the
   * amount and currency, and applies it once (its receipt is written with the change, so a repeat is a no-op).
   */
  async handleWebhook(args: {
    pluginId: string;
    instanceId: string;
    request: WebhookRequest;
  }): Promise<{ response: WebhookResponse; result: WebhookResult; payment?: Payment; error?: PayrailError }> {
    const route = this.#registry.provider(args.pluginId, args.instanceId);
    if (!route?.provider.webhooks) {
      throw new PayrailError('PAYRAIL_ERR_PLUGIN_NOT_FOUND', {
        message: `No provider ${args.pluginId}:${args.instanceId} that receives notifications is registered.`,
      });
    }
    const webhooks = route.provider.webhooks;
    const reject = (error: PayrailError) => ({
      response: webhooks.respond({ accepted: false, error: { code: error.code, message: error.message } }),
      result: 'rejected' as const,
      error,
    });
    let parsed: Awaited<ReturnType<typeof webhooks.parse>>;
    try {
      parsed = await webhooks.parse(args.request);
    } catch (error) {
      if (isPayrailError(error)) return reject(error);
      return reject(new PayrailError('PAYRAIL_ERR_WEBHOOK_PAYLOAD', { cause: error }));
    }
    if (parsed.type === 'ignored')
      return { response: webhooks.respond({ accepted: true }), result: 'ignored' };
    const n: PaymentCheck = parsed.type === 'verify' ? parsed.check : parsed.notification;
    const payment = n.paymentId
      ? await this.#store.payments.getById({ id: n.paymentId })
      : n.paymentRef
        ? await this.#store.payments.findByProviderRef({
            providerId: args.pluginId,
            instanceId: args.instanceId,
            paymentRef: n.paymentRef,
          })
        : null;
    if (
      !payment ||
      payment.provider?.id !== args.pluginId ||
      payment.provider.instanceId !== args.instanceId
    ) {
      return reject(
        new PayrailError('PAYRAIL_ERR_NOT_FOUND', {
          message: 'The notification names no payment of this provider instance.',
        }),
      );
    }
    if (n.amount && (n.amount.amount !== payment.amount || n.amount.currency !== payment.currency)) {
      this.#logger.error(
        {
          alert: 'webhook_amount_mismatch',
          paymentId: payment.id,
          expected: { amount: payment.amount, currency: payment.currency },
          received: n.amount,
        },
        'provider notification amount or currency differs from the payment; not applied',
      );
      return reject(new PayrailError('PAYRAIL_ERR_WEBHOOK_MISMATCH'));
    }
    if (parsed.type === 'verify') {
      if (!isAwaitingPayment(payment.status)) {
        return reject(
          new PayrailError('PAYRAIL_ERR_INVALID_STATE_TRANSITION', {
            message: `The payment cannot be paid: its status is "${payment.status}".`,
            details: { status: payment.status },
          }),
        );
      }
      return { response: webhooks.respond({ accepted: true }), result: 'verified', payment };
    }
    const notification = parsed.notification;
    const merchant = await this.#merchant(payment.merchantId);
    const receipt = {
      pluginId: args.pluginId,
      instanceId: args.instanceId,
      notificationId: notification.notificationId,
    };
    const accepted = webhooks.respond({ accepted: true });
    const handled = await commitWithRetry<{
      response: WebhookResponse;
      result: WebhookResult;
      payment: Payment;
    }>(this.#store, payment, (current) => {
      const plan = planOutcome(current, notification.outcome, merchant.tariff, this.#clock.now());
      if (!plan)
        return { done: { response: accepted, result: 'ignored' as WebhookResult, payment: current } };
      return {
        change: { ...plan, notification: receipt },
        result: (p) => ({ response: accepted, result: 'applied' as WebhookResult, payment: p }),
        onDuplicate: () => ({ response: accepted, result: 'duplicate' as WebhookResult, payment: current }),
      };
    });
    if (handled.result === 'applied') await this.#reportOutcome(payment.status, handled.payment);
    return handled;
  }

  async #scoped(scope: MerchantScope, paymentId: string): Promise<Payment> {
    const payment = await this.#store.payments.get({ ...scope, id: paymentId });
    if (!payment)
      throw new PayrailError('PAYRAIL_ERR_NOT_FOUND', { param: 'id', message: `No payment ${paymentId}.` });
    return payment;
  }

  async #merchant(merchantId: string): Promise<Merchant> {
    const merchant = await this.#store.merchants.get({ id: merchantId });
    if (!merchant)
      throw new PayrailError('PAYRAIL_ERR_MERCHANT_NOT_FOUND', { message: `No merchant ${merchantId}.` });
    return merchant;
  }

  #providerOf(payment: Payment): RegisteredProvider {
    const ref = payment.provider;
    const route = ref ? this.#registry.provider(ref.id, ref.instanceId) : undefined;
    if (!route) {
      throw new PayrailError('PAYRAIL_ERR_CONFIG', {
        message: `Payment ${payment.id} belongs to provider ${ref?.id}:${ref?.instanceId}, which is not registered on this server.`,
      });
    }
    return route;
  }

  #unsupported(route: RegisteredProvider, operation: string): PayrailError {
    return new PayrailError('PAYRAIL_ERR_OPERATION_UNSUPPORTED', {
      message: `Provider ${route.plugin.manifest.id} does not support ${operation}.`,
    });
  }
}

/** The buyer's client as the merchant supplied it on the payment, or null. */
function clientOf(request: CreatePaymentRequest): Payment['client'] {
  const ip = request.client?.ip ?? null;
  const country = request.client?.country ?? null;
  return ip || country ? { ip, userAgent: null, country } : null;
}
