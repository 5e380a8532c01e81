/**
 * Pure translation between Payrail's types and QIWI's wire types. No network, no clock of its own.
 */
import {
  formatDecimalFixed,
  type Logger,
  type PaymentOutcome,
  PayrailError,
  parseDecimal,
  type RefundOutcome,
} from '@payrail/core';

/** QIWI sends and signs amounts as major-unit strings with exactly two decimals. */
export const QIWI_DECIMALS = 2;
/** Currencies QIWI bills are issued in (roubles and tenge; both have two decimals in ISO 4217). */
export const QIWI_CURRENCIES = ['RUB', 'KZT'] as const;

export interface QiwiAmount {
  currency: string;
  value: string;
}

/** Minor units → `{currency, value:"10.00"}`. Never rounds: an amount that does not fit throws. */
export function toQiwiAmount(amount: number, currency: string): QiwiAmount {
  return { currency, value: formatDecimalFixed(amount, currency, QIWI_DECIMALS) };
}

/**
 * A QIWI amount value (a JSON number like `100` or `50.5`, or a string like `"100"`) → minor units,
 * without floats. Excess precision is refused, never rounded (QIWI itself never sends more than two).
 */
export function fromQiwiValue(value: unknown, currency: string, param = 'amount.value'): number {
  let text: string;
  if (typeof value === 'string') text = value;
  else if (typeof value === 'number' && Number.isFinite(value) && value >= 0) {
    // String(50.5) === "50.5": JS prints the shortest decimal that round-trips, which is what QIWI sent.
    text = String(value);
    if (/e/i.test(text)) throw new PayrailError('PAYRAIL_ERR_AMOUNT_INVALID', { param });
  } else throw new PayrailError('PAYRAIL_ERR_AMOUNT_INVALID', { param });
  return parseDecimal(text, currency, param);
}

/** The value as QIWI signs it: normalised to two decimals ("1" → "1.00"). */
export function normaliseSignedValue(value: unknown, currency: string): string {
  return formatDecimalFixed(fromQiwiValue(value, currency), currency, QIWI_DECIMALS);
}

/** `2026-01-01T12:45:00+00:00`: QIWI wants an explicit offset; we always send UTC. */
export function expirationDateTime(now: Date, lifetimeMinutes: number): string {
  const at = new Date(now.getTime() + lifetimeMinutes * 60_000);
  return at.toISOString().replace(/\.\d{3}Z$/, '+00:00');
}

/** Appends `successUrl` the way QIWI's SDKs do (`payUrl` already carries a query string). */
export function payUrlWithSuccess(payUrl: string, successUrl: string | null | undefined): string {
  const url = new URL(payUrl);
  if (successUrl) url.searchParams.set('successUrl', successUrl);
  return url.toString();
}

export type BillStatus = 'WAITING' | 'PAID' | 'REJECTED' | 'EXPIRED';

/**
 * Bill status → outcome, exhaustively. WAITING stays `requires_action` (the buyer can still pay at
 * `payUrl`; core ignores a same-status outcome, and `processing → requires_action` is legal after an
 * uncertain create). An unknown status is never success: it is `processing`, with a warning.
 */
export function outcomeOfBill(
  bill: { billId: string; status?: { value?: unknown }; payUrl?: unknown },
  logger: Logger,
  successUrl?: string | null,
): PaymentOutcome {
  const status = bill.status?.value;
  const paymentRef = bill.billId;
  switch (status) {
    case 'WAITING':
      if (typeof bill.payUrl === 'string' && /^https?:/.test(bill.payUrl)) {
        return {
          status: 'requires_action',
          nextAction: { type: 'redirect', url: payUrlWithSuccess(bill.payUrl, successUrl) },
          paymentRef,
        };
      }
      return { status: 'processing', paymentRef };
    case 'PAID':
      return { status: 'succeeded', paymentRef };
    case 'REJECTED':
      return { status: 'canceled', reason: 'rejected', paymentRef };
    case 'EXPIRED':
      return { status: 'canceled', reason: 'expired', paymentRef };
    default:
      logger.warn(
        { billId: bill.billId, status: String(status) },
        'qiwi: unknown bill status; kept processing',
      );
      return { status: 'processing', paymentRef };
  }
}

/**
 * Refund status → outcome. QIWI's refund status describes the bill, not the refund's progress (official
 * docs, "Refund Statuses": `PARTIAL` = "Partial refund of the invoice amount", not final because more
 * refunds may follow; `FULL` = "Full refund of the invoice amount", final). Either way this refund is
 * done, so both are `succeeded`. An unknown status stays pending, with a warning.
 */
export function outcomeOfRefund(
  refund: { refundId?: unknown; status?: unknown },
  refundId: string,
  logger: Logger,
): RefundOutcome {
  const refundRef = typeof refund.refundId === 'string' && refund.refundId ? refund.refundId : refundId;
  switch (refund.status) {
    case 'FULL':
    case 'PARTIAL':
      return { status: 'succeeded', refundRef };
    default:
      logger.warn({ refundId, status: String(refund.status) }, 'qiwi: unknown refund status; kept pending');
      return { status: 'pending', refundRef };
  }
}

/** QIWI's error body: `{serviceName, errorCode, description, userMessage, datetime, traceId}`. */
export interface QiwiErrorBody {
  errorCode?: string;
  description?: string;
  traceId?: string;
}

/**
 * A non-2xx answer → PayrailError. Credentials problems are configuration errors (never a decline);
 * `mutating` marks calls after which a server error leaves the outcome unknown.
 */
export function errorOfResponse(
  statusCode: number,
  body: QiwiErrorBody | null,
  mutating: boolean,
): PayrailError {
  const providerCode = body?.errorCode;
  const details = {
    httpStatus: statusCode,
    ...(providerCode ? { providerCode } : {}),
    ...(body?.traceId ? { traceId: body.traceId } : {}),
  };
  const said = body?.description ? `: ${body.description}` : '';
  if (statusCode === 401 || statusCode === 403 || providerCode?.startsWith('auth.')) {
    return new PayrailError('PAYRAIL_ERR_PROVIDER_AUTH', {
      message: `QIWI rejected the credentials of this instance (check secretKey and siteId)${said}.`,
      details,
    });
  }
  if (providerCode === 'refund.incorrect.amount') {
    return new PayrailError('PAYRAIL_ERR_REFUND_AMOUNT', {
      message: `QIWI refused the refund amount${said}.`,
      details,
    });
  }
  if (providerCode === 'api.invoice.not.found' || statusCode === 404) {
    return new PayrailError('PAYRAIL_ERR_PROVIDER_REJECTED', {
      message: `QIWI has no such bill${said}.`,
      details,
    });
  }
  if (statusCode === 429 || statusCode >= 500) {
    return new PayrailError('PAYRAIL_ERR_PROVIDER_UNAVAILABLE', {
      message: `QIWI answered HTTP ${statusCode}${said}.`,
      outcomeUnknown: mutating,
      details,
    });
  }
  return new PayrailError('PAYRAIL_ERR_PROVIDER_REJECTED', {
    message: `QIWI refused the request (HTTP ${statusCode})${said}.`,
    details,
  });
}
