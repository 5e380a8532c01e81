import type { Decline } from '../errors';
import type { PaymentStatus, RefundStatus } from './status';

export type Mode = 'test' | 'live';
export type CaptureMethod = 'automatic' | 'manual';

/** What the buyer must do next to complete the payment. */
export type NextAction =
  | { type: 'redirect'; url: string }
  | { type: 'form_post'; url: string; fields: Record<string, string> }
  | { type: 'display_qr'; data: string; imageUrl?: string };

export interface RiskAssessment {
  decision: 'allow' | 'review' | 'challenge' | 'deny';
  score: number;
  reasons: string[];
  /** Plugins that timed out or failed, and whether the policy failed open. */
  errors?: string[];
  /**
   * The configuration the decision was made under: each engine's version (`<plugin>:<instance>@<version>`,
   * joined by `,`), e.g. a content hash of the rules and lists in force. Absent when no engine gave one.
   */
  rulesVersion?: string;
}

/** The buyer's device as seen on the payment: the IP and user agent of the payment page, the IP's country. */
export interface PaymentClient {
  /** The buyer's IP: supplied by the merchant, replaced by the payment page's request IP when the buyer pays. */
  ip: string | null;
  userAgent: string | null;
  /** ISO 3166-1 alpha-2 country of the buyer's IP, as supplied by the merchant (no geo lookup here). */
  country: string | null;
}

/** Billing details supplied by the merchant. */
export interface PaymentBilling {
  /** ISO 3166-1 alpha-2. */
  country: string | null;
}

/** Card details fit to display: never the full number, never the CVC. */
export interface CardDisplay {
  brand: string;
  first6: string;
  last4: string;
  expMonth: number;
  expYear: number;
  fingerprint?: string;
  /** Payer authentication (3-D-Secure-like) result, when the card provider ran it. */
  authentication?: 'authenticated' | 'failed' | 'not_enrolled' | 'attempted';
}

export interface ProviderRef {
  /** Plugin id, e.g. "cards". */
  id: string;
  instanceId: string;
  /** The provider's own id of this payment, once known. */
  paymentRef?: string;
}

export interface Customer {
  /** The merchant's own id of the customer (saved cards belong to it). */
  id?: string;
  email?: string;
  phone?: string;
}

export interface Payment {
  id: string;
  merchantId: string;
  /** The merchant's shop the payment was made in (`shop_…`), or null for none. */
  shopId: string | null;
  mode: Mode;
  status: PaymentStatus;
  amount: number;
  currency: string;
  /** Authorized and not yet captured or released. */
  amountCapturable: number;
  amountCaptured: number;
  amountRefunded: number;
  /** Refunds reserved and sent to the provider but not yet confirmed; counts against the refundable amount. */
  amountRefundPending: number;
  method: string;
  captureMethod: CaptureMethod;
  orderId: string | null;
  description: string | null;
  customer: Customer | null;
  returnUrl: string | null;
  metadata: Record<string, string>;
  provider: ProviderRef | null;
  card: CardDisplay | null;
  nextAction: NextAction | null;
  decline: Decline | null;
  risk: RiskAssessment | null;
  /** The buyer's IP, user agent and IP country (antifraud and backtests); null when none was seen. */
  client: PaymentClient | null;
  billing: PaymentBilling | null;
  /** Raised by every stored change; updates are conditional on it (optimistic concurrency). */
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

export interface Refund {
  id: string;
  paymentId: string;
  merchantId: string;
  mode: Mode;
  amount: number;
  currency: string;
  status: RefundStatus;
  reason: string | null;
  providerRef: string | null;
  failure: { code: string; message: string } | null;
  createdAt: Date;
  updatedAt: Date;
}

/** A payment with what was refunded, as the refund endpoints need it. */
export type RefundableAmount = Pick<Payment, 'amountCaptured' | 'amountRefunded' | 'amountRefundPending'>;

/** What can still be refunded: captured minus refunded minus refunds in flight. */
export const refundableAmount = (p: RefundableAmount): number =>
  p.amountCaptured - p.amountRefunded - p.amountRefundPending;
