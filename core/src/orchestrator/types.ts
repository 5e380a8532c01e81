import type { CaptureMethod, Customer, Mode, Payment } from '../payments';
import type { PaymentMethodInput, WebhookRequest } from '../plugins/types';

/** What a merchant asks for in `POST /v1/payments`, already validated for shape by the server. */
export interface CreatePaymentRequest {
  amount: number;
  currency: string;
  method: string;
  captureMethod?: CaptureMethod;
  orderId?: string | null;
  description?: string | null;
  customer?: Customer | null;
  returnUrl?: string | null;
  metadata?: Record<string, string>;
  /** A shop of the merchant: its methods, provider routes and return URL apply. */
  shopId?: string | null;
  /** The buyer's IP and its country as the merchant saw them (antifraud; stored with the payment). */
  client?: { ip?: string | null; country?: string | null } | null;
  /** The billing country (ISO 3166-1 alpha-2), for antifraud. */
  billing?: { country?: string | null } | null;
}

export interface MerchantScope {
  merchantId: string;
  mode: Mode;
}

export interface ClientInfo {
  ip?: string;
  userAgent?: string;
}

export interface ConfirmPaymentRequest {
  paymentId: string;
  paymentMethod: PaymentMethodInput;
  client?: ClientInfo;
  /**
   * The payment as the caller has just read it, to save reading it again (a database round trip on the
   * payment path). Ignored unless its id is `paymentId`. A stale copy changes nothing: the move to
   * `processing` is version-checked, and on a conflict the payment is read afresh and checked again.
   */
  payment?: Payment;
}

export interface AntifraudPolicy {
  /** Time each antifraud plugin gets, in ms. */
  timeoutMs: number;
  /** On timeout or plugin failure: 'open' lets the payment through (noted in risk.errors), 'closed' declines it. */
  failMode: 'open' | 'closed';
  /** Score at or above which the decision is at least 'review' / 'challenge' / 'deny'. */
  reviewScore: number;
  challengeScore: number;
  denyScore: number;
}

export const DEFAULT_ANTIFRAUD_POLICY: AntifraudPolicy = {
  timeoutMs: 500,
  failMode: 'open',
  reviewScore: 60,
  challengeScore: 75,
  denyScore: 90,
};

export type { Payment, WebhookRequest };
