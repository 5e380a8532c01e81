import type { CaptureMethod, Mode, Payment, PaymentStatus, ProviderRef } from '@payrail/core';
import type { Column } from './sql';

export interface PaymentRow {
  id: string;
  merchant_id: string;
  shop_id: string | null;
  mode: Mode;
  status: PaymentStatus;
  amount: number;
  currency: string;
  amount_capturable: number;
  amount_captured: number;
  amount_refunded: number;
  amount_refund_pending: number;
  method: string;
  capture_method: CaptureMethod;
  order_id: string | null;
  description: string | null;
  customer: Payment['customer'];
  return_url: string | null;
  metadata: Record<string, string>;
  provider_id: string | null;
  provider_instance_id: string | null;
  provider_payment_ref: string | null;
  card: Payment['card'];
  next_action: Payment['nextAction'];
  decline: Payment['decline'];
  risk: Payment['risk'];
  client: Payment['client'];
  billing: Payment['billing'];
  version: number;
  created_at: Date;
  updated_at: Date;
}

/** Columns a change may rewrite. Identity (id, merchant, shop, mode) and created_at are fixed at insert. */
export const PAYMENT_MUTABLE_COLUMNS: readonly Column<Payment>[] = [
  { name: 'status', value: (p) => p.status },
  { name: 'amount', value: (p) => p.amount },
  { name: 'currency', value: (p) => p.currency },
  { name: 'amount_capturable', value: (p) => p.amountCapturable },
  { name: 'amount_captured', value: (p) => p.amountCaptured },
  { name: 'amount_refunded', value: (p) => p.amountRefunded },
  { name: 'amount_refund_pending', value: (p) => p.amountRefundPending },
  { name: 'method', value: (p) => p.method },
  { name: 'capture_method', value: (p) => p.captureMethod },
  { name: 'order_id', value: (p) => p.orderId },
  { name: 'description', value: (p) => p.description },
  { name: 'customer', json: 'jsonb', value: (p) => p.customer },
  { name: 'return_url', value: (p) => p.returnUrl },
  { name: 'metadata', json: 'jsonb', value: (p) => p.metadata },
  { name: 'provider_id', value: (p) => p.provider?.id ?? null },
  { name: 'provider_instance_id', value: (p) => p.provider?.instanceId ?? null },
  { name: 'provider_payment_ref', value: (p) => p.provider?.paymentRef ?? null },
  { name: 'card', json: 'jsonb', value: (p) => p.card },
  { name: 'next_action', json: 'jsonb', value: (p) => p.nextAction },
  { name: 'decline', json: 'jsonb', value: (p) => p.decline },
  { name: 'risk', json: 'jsonb', value: (p) => p.risk },
  { name: 'client', json: 'jsonb', value: (p) => p.client },
  { name: 'billing', json: 'jsonb', value: (p) => p.billing },
  { name: 'version', value: (p) => p.version },
  { name: 'updated_at', value: (p) => p.updatedAt },
];

export const PAYMENT_COLUMNS: readonly Column<Payment>[] = [
  { name: 'id', value: (p) => p.id },
  { name: 'merchant_id', value: (p) => p.merchantId },
  { name: 'shop_id', value: (p) => p.shopId },
  { name: 'mode', value: (p) => p.mode },
  { name: 'created_at', value: (p) => p.createdAt },
  ...PAYMENT_MUTABLE_COLUMNS,
];

function providerOf(row: PaymentRow): ProviderRef | null {
  if (row.provider_id === null || row.provider_instance_id === null) return null;
  const provider: ProviderRef = { id: row.provider_id, instanceId: row.provider_instance_id };
  if (row.provider_payment_ref !== null) provider.paymentRef = row.provider_payment_ref;
  return provider;
}

export function rowToPayment(row: PaymentRow): Payment {
  return {
    id: row.id,
    merchantId: row.merchant_id,
    shopId: row.shop_id,
    mode: row.mode,
    status: row.status,
    amount: row.amount,
    currency: row.currency,
    amountCapturable: row.amount_capturable,
    amountCaptured: row.amount_captured,
    amountRefunded: row.amount_refunded,
    amountRefundPending: row.amount_refund_pending,
    method: row.method,
    captureMethod: row.capture_method,
    orderId: row.order_id,
    description: row.description,
    customer: row.customer,
    returnUrl: row.return_url,
    metadata: row.metadata,
    provider: providerOf(row),
    card: row.card,
    nextAction: row.next_action,
    decline: row.decline,
    risk: row.risk,
    client: row.client ?? null,
    billing: row.billing ?? null,
    version: row.version,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
