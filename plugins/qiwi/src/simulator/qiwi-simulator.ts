/**
 * A QIWI Bill Payments simulator: the provider's API, the buyer's choices on the pay form, and signed
 * notifications to the merchant, following the team's QIWI protocol notes (`shared/protocols/qiwi.md`).
 * It speaks web-standard `Request`/`Response`, so the same code serves the plugin's tests (behind the
 * testkit's msw loopback server) and the Payrail server's sandbox (mounted under `/_sim/qiwi`).
 * Where the notes are silent (the status codes of some errors) the choice is commented.
 */
import { formatDecimalFixed, isKnownCurrency, parseDecimal } from '@payrail/core';
import { signNotification } from '../signature';

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

/** A notification as QIWI sends it: the shape of a Payrail `WebhookRequest`. */
export interface SimNotification {
  headers: { 'x-api-signature-sha256': string; accept: string; 'content-type': string };
  rawBody: Buffer;
  query: Record<string, string>;
}

/** What the merchant's notification URL answered. */
export interface SimDelivery {
  url: string;
  statusCode: number;
  body: string;
}

export interface QiwiSimulatorOptions {
  siteId: string;
  /** SECRET_KEY: the Bearer token the API accepts and the notification HMAC key. */
  secretKey: string;
  /** The pay form; a bill's `payUrl` is `<payFormUrl>?invoice_uid=<billId>` (QIWI's own shape). */
  payFormUrl?: string;
  /** The merchant's notification URL (QIWI's merchant-account setting), for `pay`/`decline`/`deliver`. */
  notificationUrl?: string;
  /** Clock for the bill timestamps and expiry (default: the system clock). */
  now?: () => Date;
  /** Transport for notifications (default: the global fetch). */
  fetch?: typeof fetch;
}

const API_PATH = /\/partner\/bill\/v1\/bills\/([^/]+)(?:\/(reject|refunds)(?:\/([^/]+))?)?\/?$/;
const TWO_DECIMALS = /^\d{1,6}\.\d{2}$/; // Number(6.2)
const WITH_OFFSET = /(Z|[+-]\d{2}:\d{2})$/;

/** QIWI's timestamps are Moscow time; `offset` adds `+03:00` (API answers) or not (notification body). */
function moscowTime(at: Date, offset: boolean): string {
  const local = new Date(at.getTime() + 3 * 3_600_000).toISOString().slice(0, 19);
  return offset ? `${local}+03:00` : local;
}

function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json;charset=UTF-8' },
  });
}

function errorBody(status: number, errorCode: string, description: string, at: Date): Response {
  return json(
    {
      serviceName: 'invoicing-api',
      errorCode,
      description,
      userMessage: description,
      datetime: moscowTime(at, true),
      traceId: `trace-${errorCode}`,
    },
    status,
  );
}

const asNumber = (minor: number, currency: string) => Number(formatDecimalFixed(minor, currency, 2));

export class QiwiSimulator {
  readonly bills = new Map<string, SimBill>();
  readonly siteId: string;
  readonly secretKey: string;
  readonly #o: QiwiSimulatorOptions;

  constructor(options: QiwiSimulatorOptions) {
    this.#o = options;
    this.siteId = options.siteId;
    this.secretKey = options.secretKey;
  }

  #now(): Date {
    return this.#o.now?.() ?? new Date();
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

  #bill(billId: string): SimBill {
    const bill = this.bills.get(billId);
    if (!bill) throw new Error(`no bill ${billId}`);
    return bill;
  }

  /** Sets a bill's status as QIWI's side would (the buyer paid, the bill expired, …). */
  setStatus(billId: string, value: string): void {
    this.#bill(billId).status = { value, changedDateTime: moscowTime(this.#now(), true) };
  }

  /** True once the bill's `expirationDateTime` has passed. */
  isExpired(bill: SimBill): boolean {
    return Date.parse(bill.expirationDateTime) <= this.#now().getTime();
  }

  /** A notification as QIWI would send it for the bill's current state, signed with `secret`. */
  notification(billId: string, secret = this.secretKey): SimNotification {
    const bill = this.#bill(billId);
    const value = formatDecimalFixed(bill.minor, bill.amount.currency, 2);
    const body = {
      bill: {
        siteId: bill.siteId,
        billId: bill.billId,
        amount: { value, currency: bill.amount.currency },
        status: { value: bill.status.value, datetime: moscowTime(this.#now(), false) },
        customer: bill.customer ?? {},
        customFields: bill.customFields ?? {},
        creationDateTime: bill.creationDateTime,
        expirationDateTime: bill.expirationDateTime.replace(WITH_OFFSET, ''),
      },
      version: '1',
    };
    const signature = signNotification(
      {
        currency: bill.amount.currency,
        amountValue: value,
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

  /** POSTs the bill's notification to the merchant's notification URL (or `url`). */
  async deliver(billId: string, options: { url?: string; secret?: string } = {}): Promise<SimDelivery> {
    const url = options.url ?? this.#o.notificationUrl;
    if (!url) throw new Error('QiwiSimulator: no notificationUrl to deliver to');
    const n = this.notification(billId, options.secret);
    const send = this.#o.fetch ?? fetch;
    const res = await send(url, { method: 'POST', headers: n.headers, body: new Uint8Array(n.rawBody) });
    return { url, statusCode: res.status, body: await res.text() };
  }

  /**
   * The buyer pays on the pay form: a waiting bill becomes PAID and QIWI notifies the merchant. An
   * expired bill cannot be paid (it becomes EXPIRED, and that is notified instead).
   */
  async pay(billId: string): Promise<{ status: string; delivery: SimDelivery | null }> {
    return this.#finish(billId, 'PAID');
  }

  /**
   * The buyer refuses the bill on the pay form: it becomes REJECTED and QIWI notifies the merchant.
   * (The notes list REJECTED as final and describe one notification format for every status.)
   */
  async decline(billId: string): Promise<{ status: string; delivery: SimDelivery | null }> {
    return this.#finish(billId, 'REJECTED');
  }

  async #finish(billId: string, target: 'PAID' | 'REJECTED') {
    const bill = this.#bill(billId);
    if (bill.status.value !== 'WAITING') return { status: bill.status.value, delivery: null };
    this.setStatus(billId, this.isExpired(bill) ? 'EXPIRED' : target);
    const delivery = this.#o.notificationUrl ? await this.deliver(billId) : null;
    return { status: bill.status.value, delivery };
  }

  /**
   * The Bill Payments API: `PUT/GET /bills/{id}`, `POST /bills/{id}/reject`, `PUT/GET
   * /bills/{id}/refunds/{refundId}` under any prefix. Answers `undefined` for any other path.
   */
  async handleApi(request: Request): Promise<Response | undefined> {
    const match = API_PATH.exec(new URL(request.url).pathname);
    if (!match) return undefined;
    const now = this.#now();
    if (request.headers.get('authorization') !== `Bearer ${this.secretKey}`) {
      return errorBody(401, 'auth.unauthorized', 'Неверные аутентификационные данные', now);
    }
    const billId = decodeURIComponent(match[1] as string);
    const sub = match[2];
    const refundId = match[3] === undefined ? undefined : decodeURIComponent(match[3]);
    const method = request.method.toUpperCase();
    if (!sub && method === 'PUT') return this.#createBill(billId, request, now);
    const bill = this.bills.get(billId);
    if (!bill) return errorBody(404, 'api.invoice.not.found', 'Invoice not found', now);
    if (!sub && method === 'GET') return json(this.#view(bill));
    if (sub === 'reject' && method === 'POST') {
      // Only an unpaid bill can be rejected; the notes name no code, the simulator uses 400 `invoice.already.paid`.
      if (bill.status.value !== 'WAITING' && bill.status.value !== 'REJECTED') {
        return errorBody(400, 'invoice.already.paid', 'Bill is not waiting', now);
      }
      this.setStatus(billId, 'REJECTED');
      return json(this.#view(bill));
    }
    if (sub === 'refunds' && refundId !== undefined && method === 'PUT') {
      return this.#refund(bill, refundId, request, now);
    }
    if (sub === 'refunds' && refundId !== undefined && method === 'GET') {
      const refund = bill.refunds.get(refundId);
      // The notes name no code for an unknown refund; the simulator answers 404 `refund.not.found`.
      if (!refund) return errorBody(404, 'refund.not.found', 'Refund not found', now);
      return json(this.#refundView(refund));
    }
    return errorBody(405, 'api.method.not.allowed', 'Method not allowed', now);
  }

  async #createBill(billId: string, request: Request, now: Date): Promise<Response> {
    const body = (await request.json().catch(() => null)) as Record<string, unknown> | null;
    const amount = body?.amount as { value?: unknown; currency?: unknown } | undefined;
    // The notes name no error code for a malformed bill; the simulator answers 400 `validation.error`.
    if (
      !amount ||
      typeof amount.value !== 'string' ||
      !TWO_DECIMALS.test(amount.value) ||
      typeof amount.currency !== 'string' ||
      !isKnownCurrency(amount.currency) ||
      typeof body?.expirationDateTime !== 'string' ||
      !WITH_OFFSET.test(body.expirationDateTime)
    ) {
      return errorBody(400, 'validation.error', 'Invalid bill', now);
    }
    const existing = this.bills.get(billId);
    if (existing) return json(this.#view(existing)); // PUT is idempotent per billId
    const minor = parseDecimal(amount.value, amount.currency);
    const payForm = this.#o.payFormUrl ?? 'https://oplata.qiwi.com/form/';
    const bill: SimBill = {
      siteId: this.siteId,
      billId,
      amount: { value: asNumber(minor, amount.currency), currency: amount.currency },
      minor,
      status: { value: 'WAITING', changedDateTime: moscowTime(now, true) },
      ...(typeof body.comment === 'string' ? { comment: body.comment } : {}),
      ...(body.customer ? { customer: body.customer as Record<string, string> } : {}),
      ...(body.customFields ? { customFields: body.customFields as Record<string, string> } : {}),
      creationDateTime: moscowTime(now, false),
      expirationDateTime: body.expirationDateTime,
      payUrl: `${payForm}?invoice_uid=${encodeURIComponent(billId)}`,
      refunds: new Map(),
      raw: body,
    };
    this.bills.set(billId, bill);
    return json(this.#view(bill));
  }

  async #refund(bill: SimBill, refundId: string, request: Request, now: Date): Promise<Response> {
    const body = (await request.json().catch(() => null)) as {
      amount?: { value?: unknown; currency?: unknown };
    } | null;
    const value = body?.amount?.value;
    const incorrect = (why: string) => errorBody(400, 'refund.incorrect.amount', why, now);
    if (
      typeof value !== 'string' ||
      !TWO_DECIMALS.test(value) ||
      body?.amount?.currency !== bill.amount.currency
    ) {
      return incorrect('Incorrect refund amount');
    }
    const minor = parseDecimal(value, bill.amount.currency);
    const existing = bill.refunds.get(refundId);
    if (existing) {
      return existing.minor === minor
        ? json(this.#refundView(existing))
        : incorrect('Incorrect refund amount');
    }
    // The notes name no code for refunding an unpaid bill; the simulator answers `refund.incorrect.amount`
    // (nothing was paid, so any amount exceeds what can be refunded).
    if (bill.status.value !== 'PAID') return incorrect('Bill is not paid');
    const refunded = [...bill.refunds.values()].reduce((sum, r) => sum + r.minor, 0);
    if (minor <= 0 || refunded + minor > bill.minor) return incorrect('Incorrect refund amount');
    // QIWI's refund status describes the bill: PARTIAL = part of its amount is refunded (more refunds
    // may follow, so "not final"), FULL = all of it is (final). Each refund is done when answered.
    const refund: SimRefund = {
      refundId,
      minor,
      currency: bill.amount.currency,
      status: refunded + minor === bill.minor ? 'FULL' : 'PARTIAL',
      datetime: moscowTime(now, true).slice(0, -3),
    };
    bill.refunds.set(refundId, refund);
    return json(this.#refundView(refund));
  }
}
