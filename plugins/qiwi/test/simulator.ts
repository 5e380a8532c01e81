/**
 * A QIWI Bill Payments API simulator, as msw handlers for the testkit loopback server. It follows
 * /work/shared/protocols/qiwi.md: Bearer auth, `PUT/GET /bills/{id}`, `POST /bills/{id}/reject`,
 * `PUT/GET /bills/{id}/refunds/{refundId}`, amounts as JSON numbers in answers, QIWI's error body.
 * Where the notes are silent (status codes of some errors) the choice is commented.
 */
import { formatDecimalFixed, parseDecimal } from '@payrail/core';
import { HttpResponse, http } from 'msw';
import { signNotification } from '../src/signature';

export interface SimBill {
  siteId: string;
  billId: string;
  amount: { value: number; currency: string };
  /** Minor units, for exact arithmetic inside the simulator. */
  minor: number;
  status: { value: string; changedDateTime: string };
  comment?: string;
  customer?: Record<string, string>;
  customFields?: Record<string, string>;
  creationDateTime: string;
  expirationDateTime: string;
  payUrl: string;
  refunds: Map<string, SimRefund>;
  /** The request body as received, for assertions. */
  raw: Record<string, unknown>;
}

export interface SimRefund {
  refundId: string;
  minor: number;
  currency: string;
  status: 'PARTIAL' | 'FULL';
  datetime: string;
}

const BASE = '*/partner/bill/v1/bills';
const TWO_DECIMALS = /^\d{1,6}\.\d{2}$/; // Number(6.2)

function errorBody(status: number, errorCode: string, description: string) {
  return HttpResponse.json(
    {
      serviceName: 'invoicing-api',
      errorCode,
      description,
      userMessage: description,
      datetime: '2026-01-01T00:00:00+03:00',
      traceId: `trace-${errorCode}`,
    },
    { status },
  );
}

const asNumber = (minor: number, currency: string) => Number(formatDecimalFixed(minor, currency, 2));

export class QiwiSimulator {
  readonly bills = new Map<string, SimBill>();
  constructor(
    readonly siteId: string,
    readonly secretKey: string,
  ) {}

  #auth(request: Request): Response | null {
    if (request.headers.get('authorization') !== `Bearer ${this.secretKey}`) {
      return errorBody(401, 'auth.unauthorized', 'Неверные аутентификационные данные');
    }
    return null;
  }

  #view(bill: SimBill) {
    const { minor: _m, refunds: _r, raw: _raw, ...rest } = bill;
    return rest;
  }

  #refundView(r: SimRefund) {
    return {
      amount: { value: asNumber(r.minor, r.currency), currency: r.currency },
      datetime: r.datetime,
      refundId: r.refundId,
      status: r.status,
    };
  }

  /** The buyer paid / the bill expired / … (what QIWI's side would do). */
  setStatus(billId: string, value: string): void {
    const bill = this.bills.get(billId);
    if (!bill) throw new Error(`no bill ${billId}`);
    bill.status = { value, changedDateTime: '2026-01-01T00:05:00+03:00' };
  }

  /** Marks a refund final (`FULL`): QIWI's PARTIAL is not final per the protocol notes. */
  settleRefund(billId: string, refundId: string): void {
    const refund = this.bills.get(billId)?.refunds.get(refundId);
    if (!refund) throw new Error(`no refund ${refundId}`);
    refund.status = 'FULL';
  }

  /** A notification as QIWI would send it for the bill's current state, signed with `secret`. */
  notification(billId: string, secret = this.secretKey) {
    const bill = this.bills.get(billId);
    if (!bill) throw new Error(`no bill ${billId}`);
    const body = {
      bill: {
        siteId: bill.siteId,
        billId: bill.billId,
        amount: {
          value: formatDecimalFixed(bill.minor, bill.amount.currency, 2),
          currency: bill.amount.currency,
        },
        status: { value: bill.status.value, datetime: '2026-01-01T00:05:00' },
        customer: bill.customer ?? {},
        customFields: bill.customFields ?? {},
        creationDateTime: bill.creationDateTime,
        expirationDateTime: bill.expirationDateTime,
      },
      version: '1',
    };
    const signature = signNotification(
      {
        currency: bill.amount.currency,
        amountValue: formatDecimalFixed(bill.minor, bill.amount.currency, 2),
        billId: bill.billId,
        siteId: bill.siteId,
        status: bill.status.value,
      },
      secret,
    );
    return {
      headers: {
        'x-api-signature-sha256': signature,
        accept: 'application/json',
        'content-type': 'application/json',
      },
      rawBody: Buffer.from(JSON.stringify(body)),
      query: {},
    };
  }

  handlers() {
    return [
      http.put(`${BASE}/:billId`, async ({ request, params }) => {
        const denied = this.#auth(request);
        if (denied) return denied;
        const billId = String(params.billId);
        const body = (await request.json().catch(() => null)) as Record<string, unknown> | null;
        const amount = body?.amount as { value?: unknown; currency?: unknown } | undefined;
        // The notes name no error code for a malformed bill; the simulator answers 400 `validation.error`.
        if (
          !amount ||
          typeof amount.value !== 'string' ||
          !TWO_DECIMALS.test(amount.value) ||
          typeof amount.currency !== 'string' ||
          typeof body?.expirationDateTime !== 'string' ||
          !/(Z|[+-]\d{2}:\d{2})$/.test(body.expirationDateTime)
        ) {
          return errorBody(400, 'validation.error', 'Invalid bill');
        }
        const existing = this.bills.get(billId);
        if (existing) return HttpResponse.json(this.#view(existing)); // PUT is idempotent per billId
        const minor = parseDecimal(amount.value, amount.currency);
        const bill: SimBill = {
          siteId: this.siteId,
          billId,
          amount: { value: asNumber(minor, amount.currency), currency: amount.currency },
          minor,
          status: { value: 'WAITING', changedDateTime: '2026-01-01T00:00:00+03:00' },
          ...(typeof body.comment === 'string' ? { comment: body.comment } : {}),
          ...(body.customer ? { customer: body.customer as Record<string, string> } : {}),
          ...(body.customFields ? { customFields: body.customFields as Record<string, string> } : {}),
          creationDateTime: '2026-01-01T00:00:00',
          expirationDateTime: body.expirationDateTime,
          payUrl: `https://oplata.qiwi.com/form/?invoice_uid=${encodeURIComponent(billId)}`,
          refunds: new Map(),
          raw: body,
        };
        this.bills.set(billId, bill);
        return HttpResponse.json(this.#view(bill));
      }),
      http.get(`${BASE}/:billId`, ({ request, params }) => {
        const denied = this.#auth(request);
        if (denied) return denied;
        const bill = this.bills.get(String(params.billId));
        if (!bill) return errorBody(404, 'api.invoice.not.found', 'Invoice not found');
        return HttpResponse.json(this.#view(bill));
      }),
      http.post(`${BASE}/:billId/reject`, ({ request, params }) => {
        const denied = this.#auth(request);
        if (denied) return denied;
        const bill = this.bills.get(String(params.billId));
        if (!bill) return errorBody(404, 'api.invoice.not.found', 'Invoice not found');
        // Only an unpaid bill can be rejected; the notes name no code, the simulator uses 400 `invoice.already.paid`.
        if (bill.status.value !== 'WAITING' && bill.status.value !== 'REJECTED') {
          return errorBody(400, 'invoice.already.paid', 'Bill is not waiting');
        }
        bill.status = { value: 'REJECTED', changedDateTime: '2026-01-01T00:05:00+03:00' };
        return HttpResponse.json(this.#view(bill));
      }),
      http.put(`${BASE}/:billId/refunds/:refundId`, async ({ request, params }) => {
        const denied = this.#auth(request);
        if (denied) return denied;
        const bill = this.bills.get(String(params.billId));
        if (!bill) return errorBody(404, 'api.invoice.not.found', 'Invoice not found');
        const refundId = String(params.refundId);
        const body = (await request.json().catch(() => null)) as {
          amount?: { value?: unknown; currency?: unknown };
        } | null;
        const value = body?.amount?.value;
        if (
          typeof value !== 'string' ||
          !TWO_DECIMALS.test(value) ||
          body?.amount?.currency !== bill.amount.currency
        ) {
          return errorBody(400, 'refund.incorrect.amount', 'Incorrect refund amount');
        }
        const minor = parseDecimal(value, bill.amount.currency);
        const existing = bill.refunds.get(refundId);
        if (existing) {
          if (existing.minor !== minor)
            return errorBody(400, 'refund.incorrect.amount', 'Incorrect refund amount');
          return HttpResponse.json(this.#refundView(existing));
        }
        // The notes name no code for refunding an unpaid bill; the simulator answers `refund.incorrect.amount`
        // (nothing was paid, so any amount exceeds what can be refunded).
        if (bill.status.value !== 'PAID')
          return errorBody(400, 'refund.incorrect.amount', 'Bill is not paid');
        const refunded = [...bill.refunds.values()].reduce((sum, r) => sum + r.minor, 0);
        if (minor <= 0 || refunded + minor > bill.minor) {
          return errorBody(400, 'refund.incorrect.amount', 'Incorrect refund amount');
        }
        const refund: SimRefund = {
          refundId,
          minor,
          currency: bill.amount.currency,
          status: 'PARTIAL',
          datetime: '2026-01-01T00:10:00+03',
        };
        bill.refunds.set(refundId, refund);
        return HttpResponse.json(this.#refundView(refund));
      }),
      http.get(`${BASE}/:billId/refunds/:refundId`, ({ request, params }) => {
        const denied = this.#auth(request);
        if (denied) return denied;
        const bill = this.bills.get(String(params.billId));
        if (!bill) return errorBody(404, 'api.invoice.not.found', 'Invoice not found');
        const refund = bill.refunds.get(String(params.refundId));
        // The notes name no code for an unknown refund; the simulator answers 404 `refund.not.found`.
        if (!refund) return errorBody(404, 'refund.not.found', 'Refund not found');
        return HttpResponse.json(this.#refundView(refund));
      }),
    ];
  }
}
