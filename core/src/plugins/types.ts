import type { ZodType } from 'zod';
import type { Decline } from '../errors';
import type { Money } from '../money';
import type { CardDisplay, Customer, NextAction, Payment, PaymentBilling, PaymentClient } from '../payments';
import type { Clock } from '../ports/clock';
import type { HttpClient } from '../ports/http-client';
import type { Logger } from '../ports/logger';
import type { OutboxEvent } from '../ports/store';

export type PluginKind = 'provider' | 'antifraud' | 'notification' | 'shop_bridge';

export interface PluginManifest {
  /** Stable plugin id, lowercase (`cards`, `qiwi`). Used in webhook URLs: /hooks/:id/:instanceId. */
  id: string;
  name: string;
  version: string;
  /** Semver range of @payrail/core versions the plugin works with, e.g. "^0.1.0". */
  coreRange: string;
}

/** What every plugin gets at init. */
export interface PluginContext<Options> {
  instanceId: string;
  options: Options;
  logger: Logger;
  clock: Clock;
  http: HttpClient;
  /** Where Payrail is reachable from outside (for return and notification URLs). */
  publicUrl: string;
  /** Webhook URL of this instance: `${publicUrl}/hooks/${id}/${instanceId}`. */
  webhookUrl: string;
}

/** A plugin value, as a factory like `cards(options)` returns it. Nothing central is edited to add one. */
export interface PluginDescriptor<K extends PluginKind, Capability extends string, Impl> {
  readonly kind: K;
  readonly manifest: PluginManifest;
  readonly instanceId: string;
  readonly capabilities: readonly Capability[];
  /** Raw options; the registry parses them with `optionsSchema` before `init`. */
  readonly options: unknown;
  readonly optionsSchema: ZodType;
  init(ctx: PluginContext<unknown>): Impl | Promise<Impl>;
}

// ─── Payment providers ─────────────────────────────────────────────────────────────────────────────

export type ProviderCapability = 'capture' | 'cancel' | 'refund' | 'refund_sync' | 'webhooks';

/** Which optional method each capability requires (checked both ways by the registry). */
export const PROVIDER_CAPABILITY_METHODS = {
  capture: 'capturePayment',
  cancel: 'cancelPayment',
  refund: 'refundPayment',
  refund_sync: 'syncRefund',
  webhooks: 'webhooks',
} as const satisfies Record<ProviderCapability, keyof PaymentProvider>;

/** The payment as a provider sees it: no merchant internals, no version. */
export interface ProviderPaymentView {
  id: string;
  merchantId: string;
  mode: Payment['mode'];
  amount: number;
  currency: string;
  captureMethod: Payment['captureMethod'];
  orderId: string | null;
  description: string | null;
  customer: Customer | null;
  returnUrl: string | null;
  metadata: Record<string, string>;
  /** The provider's id of this payment, once it gave one. */
  paymentRef: string | null;
}

/** Card data as entered on Payrail's payment page. Lives only in memory for the provider call. */
export interface CardInput {
  type: 'card';
  number: string;
  expMonth: number;
  expYear: number;
  cvc: string;
  holder?: string;
}

export type PaymentMethodInput = CardInput;

export interface CreatePaymentInput {
  payment: ProviderPaymentView;
  /** Present when Payrail's own page collected the payment method (cards). */
  paymentMethod?: PaymentMethodInput;
  /** Where the buyer returns after the provider's page. */
  returnUrl: string;
}

/** A provider's answer about a payment. A decline is data here; a failure is a thrown PayrailError. */
export type PaymentOutcome = (
  | { status: 'requires_action'; nextAction: NextAction }
  | { status: 'processing' }
  | { status: 'authorized'; amountAuthorized?: number }
  | { status: 'succeeded'; amountCaptured?: number }
  | { status: 'declined'; decline: Decline }
  | { status: 'canceled'; reason?: 'expired' | 'rejected' | 'voided' }
) & {
  /** The provider's id of the payment. */
  paymentRef?: string;
  card?: CardDisplay;
};

export interface CapturePaymentInput {
  payment: ProviderPaymentView;
  amount: number;
}
export interface CaptureOutcome {
  amountCaptured: number;
}

export interface CancelPaymentInput {
  payment: ProviderPaymentView;
}

export interface RefundPaymentInput {
  payment: ProviderPaymentView;
  refundId: string;
  amount: number;
  reason: string | null;
}
export type RefundOutcome =
  | { status: 'succeeded'; refundRef?: string }
  | { status: 'pending'; refundRef?: string }
  | { status: 'failed'; refundRef?: string; failure: { code: string; message: string } };

export interface WebhookRequest {
  headers: Record<string, string | undefined>;
  /** The body exactly as received: signatures are computed over it. */
  rawBody: Buffer;
  query: Record<string, string | undefined>;
}

/** What a verified notification says. Core checks amount and currency against the stored payment. */
export interface ParsedNotification {
  /** Unique per notification (provider's id or a digest of its significant fields) — used to deduplicate. */
  notificationId: string;
  /** Our payment id, when the provider echoes it. */
  paymentId?: string;
  /** The provider's payment id, when that is what the notification carries. */
  paymentRef?: string;
  /** The amount the provider says was paid; must equal the payment's. */
  amount?: Money;
  outcome: PaymentOutcome;
}

/** A provider asking, before it takes the money, whether it may (WebMoney's pre-request). */
export interface PaymentCheck {
  paymentId?: string;
  paymentRef?: string;
  /** The amount the provider is about to take; must equal the payment's. */
  amount?: Money;
}

export type WebhookParseResult =
  | { type: 'payment'; notification: ParsedNotification }
  /** Accepted only if the payment exists at this instance, the amount matches and it still awaits payment. Writes nothing. */
  | { type: 'verify'; check: PaymentCheck }
  /** A well-signed notification we need not act on (e.g. a test ping). */
  | { type: 'ignored'; reason: string };

export interface WebhookResponse {
  statusCode: number;
  headers?: Record<string, string>;
  body: string;
}

export interface ProviderWebhooks {
  /** Verifies the signature (constant time) and parses; throws PAYRAIL_ERR_WEBHOOK_SIGNATURE/PAYLOAD. */
  parse(req: WebhookRequest): Promise<WebhookParseResult>;
  /** The answer the provider expects, for an accepted notification or a rejected one. */
  respond(
    result: { accepted: true } | { accepted: false; error: { code: string; message: string } },
  ): WebhookResponse;
}

export interface PaymentProvider {
  /**
   * What antifraud may know about a payment method before authorization: display data and fingerprint,
   * never the number or CVC. Optional; a provider collecting cards on Payrail's page should implement it
   * (it also validates the input, so an invalid card is refused before any engine runs).
   */
  describePaymentMethod?(input: PaymentMethodInput): CardDisplay;
  createPayment(input: CreatePaymentInput): Promise<PaymentOutcome>;
  syncPayment(input: { payment: ProviderPaymentView }): Promise<PaymentOutcome>;
  capturePayment?(input: CapturePaymentInput): Promise<CaptureOutcome>;
  cancelPayment?(input: CancelPaymentInput): Promise<void>;
  refundPayment?(input: RefundPaymentInput): Promise<RefundOutcome>;
  syncRefund?(input: {
    payment: ProviderPaymentView;
    refundId: string;
    refundRef: string | null;
  }): Promise<RefundOutcome>;
  webhooks?: ProviderWebhooks;
}

export interface ProviderPlugin extends PluginDescriptor<'provider', ProviderCapability, PaymentProvider> {
  /** Payment methods this provider serves (`card`, `qiwi_wallet`). */
  readonly paymentMethods: readonly string[];
  /** ISO codes it accepts, or 'any'. */
  readonly currencies: readonly string[] | 'any';
  /**
   * `payment_page`: Payrail's own page collects the payment method, then the provider is called (cards).
   * `immediate`: the provider is called at creation and hosts its own page (wallets).
   */
  readonly confirmation: 'payment_page' | 'immediate';
}

// ─── Antifraud ────────────────────────────────────────────────────────────────────────────────────

export type AntifraudStage = 'pre_authorization' | 'pre_refund';
export type AntifraudVerdict = 'allow' | 'review' | 'challenge' | 'deny';

export interface AntifraudInput {
  stage: AntifraudStage;
  /** `client` and `billing`: what is stored with the payment (also in backtests). */
  payment: ProviderPaymentView & {
    method: string;
    client?: PaymentClient | null;
    billing?: PaymentBilling | null;
  };
  /** Display data and fingerprint of the card, never the number or CVC. */
  card?: CardDisplay;
  /** The live request's client; engines fall back to `payment.client` for what it lacks. */
  client?: { ip?: string; userAgent?: string; country?: string };
}

export interface AntifraudSignal {
  verdict: AntifraudVerdict;
  /** 0 (clean) – 100 (certain fraud). */
  score: number;
  reasons: string[];
  /** The version of the configuration that decided (stored as the risk's `rulesVersion`). */
  rulesVersion?: string;
}

/**
 * The end of an authorization attempt an engine may learn from (declines feed velocity). Sent once, when
 * the payment first reaches `failed`, `authorized` or `succeeded` after the attempt.
 */
export interface AntifraudOutcome {
  /** What was assessed; after a provider notification it is rebuilt from the payment (its stored client). */
  input: AntifraudInput;
  /** The payment as stored after the outcome (a provider decline: `failed` with its `decline`). */
  payment: Payment;
}

export interface AntifraudEngine {
  assess(input: AntifraudInput): Promise<AntifraudSignal>;
  /** Optional: called after the attempt's outcome is stored. Errors are logged, never fail the payment. */
  onOutcome?(outcome: AntifraudOutcome): Promise<void> | void;
}

export interface AntifraudPlugin extends PluginDescriptor<'antifraud', AntifraudStage, AntifraudEngine> {}

// ─── Notifications ───────────────────────────────────────────────────────────────────────────────

export interface NotificationMessage {
  /** Recipient address in the channel's terms (email address, Telegram chat id). */
  to: string;
  subject: string;
  text: string;
  html?: string;
}

export interface NotificationChannel {
  send(message: NotificationMessage): Promise<{ messageId?: string }>;
}

export type NotificationCapability = 'email' | 'telegram' | 'sms' | 'other';
export interface NotificationPlugin
  extends PluginDescriptor<'notification', NotificationCapability, NotificationChannel> {}

// ─── Shop bridges ────────────────────────────────────────────────────────────────────────────────

export interface ShopOrder {
  orderId: string;
  status: string;
  total?: Money;
}

export interface ShopBridge {
  /** Turns a payment event into the shop's order update. Must be idempotent: events may repeat. */
  onPaymentEvent(event: OutboxEvent): Promise<void>;
  /** Reads an order back for self-healing (capability `order_read`). */
  fetchOrder?(orderId: string): Promise<ShopOrder | null>;
}

export type ShopBridgeCapability = 'order_updates' | 'order_read';
export const SHOP_BRIDGE_CAPABILITY_METHODS = {
  order_updates: 'onPaymentEvent',
  order_read: 'fetchOrder',
} as const satisfies Record<ShopBridgeCapability, keyof ShopBridge>;

export interface ShopBridgePlugin extends PluginDescriptor<'shop_bridge', ShopBridgeCapability, ShopBridge> {}

export type AnyPlugin = ProviderPlugin | AntifraudPlugin | NotificationPlugin | ShopBridgePlugin;
