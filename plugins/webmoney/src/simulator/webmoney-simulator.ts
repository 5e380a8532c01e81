/**
 * A WebMoney Merchant simulator: it takes the payment form the buyer's browser posts, lets the buyer pay
 * or decline, and then does what WebMoney does — the pre-request (`LMI_PREREQUEST=1`, unsigned, `YES`
 * expected) and the payment notification signed with `LMI_HASH` (MD5 or SHA256, upper-case hex) and
 * `LMI_HASH2`, both POSTed to the Result URL — and finally sends the buyer back to the success or fail
 * URL with the configured method. It also answers X18 (payment state) queries. It follows the team's
 * WebMoney protocol notes (`shared/protocols/webmoney.md`); choices where they are silent are commented.
 *
 * Framework-free (web-standard `Request`/`Response`, `fetch`): the plugin's tests and the Payrail
 * server's sandbox (`/_sim/webmoney`) share this one implementation.
 */
import { randomUUID } from 'node:crypto';
import { currencyOfPurse, PURSE_PATTERN } from '../purses';
import { type HashMethod, lmiHash, lmiHash2, type SignedNotificationFields, x18Hash } from '../signature';

export interface WebMoneySimulatorOptions {
  /** The purse's Secret Key (signs LMI_HASH / LMI_HASH2). */
  secretKey: string;
  /** The purse's signature method for LMI_HASH (default SHA256). */
  hashMethod?: HashMethod;
  /** Also send LMI_HASH2 (default true). */
  sendHash2?: boolean;
  /** The purse is in test mode: LMI_MODE=1 and LMI_SIM_MODE is honoured (default true). */
  testMode?: boolean;
  /** "Transmit parameters in pre-request" is on for the purse (default true). */
  preRequest?: boolean;
  /** Payee purses accepted; default any well-formed purse of a known type. */
  purses?: readonly string[];
  /** X18 credentials: the merchant's WMID and the key of the X18 signature (default `secretKey`). */
  x18?: { wmid: string; secretKey?: string };
  now?: () => Date;
  fetch?: typeof fetch;
}

export type ReturnMethod = 'GET' | 'POST' | 'LINK';

/** Where the buyer goes back to, and how (LMI_SUCCESS_METHOD / LMI_FAIL_METHOD: 0 GET, 1 POST, 2 LINK). */
export interface ReturnTarget {
  url: string;
  method: ReturnMethod;
  /** Sent with GET (query) or POST (form); none with LINK. */
  fields: Record<string, string>;
}

export interface SimDelivery {
  url: string;
  statusCode: number;
  body: string;
}

export interface WebMoneySession {
  id: string;
  purse: string;
  currency: string;
  amount: string;
  paymentNo: string;
  description: string;
  resultUrl: string;
  success: { url: string; method: ReturnMethod } | null;
  fail: { url: string; method: ReturnMethod } | null;
  simMode: '0' | '1' | '2';
  /** Merchant fields echoed back (names not starting with `LMI_` or `_`). */
  custom: Record<string, string>;
  status: 'waiting' | 'paid' | 'failed' | 'refused';
  invsNo?: string;
  transNo?: string;
  transDate?: string;
}

export type PayResult =
  | {
      outcome: 'paid';
      session: WebMoneySession;
      prerequest: SimDelivery | null;
      notification: SimDelivery;
      redirect: ReturnTarget | null;
    }
  | { outcome: 'refused'; session: WebMoneySession; prerequest: SimDelivery; redirect: ReturnTarget | null }
  | { outcome: 'failed'; session: WebMoneySession; reason: string; redirect: ReturnTarget | null };

const METHODS: Record<string, ReturnMethod> = { '0': 'GET', '1': 'POST', '2': 'LINK' };
const AMOUNT = /^[0-9]{1,12}(\.[0-9]{1,2})?$/;
const PAYMENT_NO = /^[0-9]{1,15}$/;
const PAYER_WM = '404521188333';

/** `YYYYMMDD HH:MM:SS`, Moscow time (the notes' example: `20151007 13:07:36`). */
function transDate(at: Date): string {
  const iso = new Date(at.getTime() + 3 * 3_600_000).toISOString();
  return `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)} ${iso.slice(11, 19)}`;
}

const httpUrl = (value: string | undefined): value is string =>
  !!value && URL.canParse(value) && ['http:', 'https:'].includes(new URL(value).protocol);

export class WebMoneySimulator {
  readonly sessions = new Map<string, WebMoneySession>();
  readonly #o: WebMoneySimulatorOptions;
  #seq = 0;

  constructor(options: WebMoneySimulatorOptions) {
    this.#o = options;
  }

  get #testMode(): boolean {
    return this.#o.testMode ?? true;
  }

  #now(): Date {
    return this.#o.now?.() ?? new Date();
  }

  /**
   * The payment form posted by the buyer's browser (payment_utf.asp). Checks the fields the notes
   * describe; a refusal is what WebMoney's page would show instead of the payment.
   */
  openForm(
    fields: Record<string, string>,
  ): { ok: true; session: WebMoneySession } | { ok: false; error: string } {
    const purse = fields.LMI_PAYEE_PURSE ?? '';
    const currency = currencyOfPurse(purse);
    if (!PURSE_PATTERN.test(purse) || !currency)
      return { ok: false, error: 'LMI_PAYEE_PURSE is not a valid purse.' };
    if (this.#o.purses && !this.#o.purses.includes(purse)) {
      return { ok: false, error: `The purse ${purse} is not registered with the Merchant service.` };
    }
    const amount = fields.LMI_PAYMENT_AMOUNT ?? '';
    if (!AMOUNT.test(amount) || Number(amount) <= 0) {
      return {
        ok: false,
        error: 'LMI_PAYMENT_AMOUNT is not a positive amount with "." and up to two decimals.',
      };
    }
    const paymentNo = fields.LMI_PAYMENT_NO ?? '';
    if (!PAYMENT_NO.test(paymentNo))
      return { ok: false, error: 'LMI_PAYMENT_NO is not an unsigned integer.' };
    for (const s of this.sessions.values()) {
      // WebMoney's "unique LMI_PAYMENT_NO" check, which the simulator always applies to paid orders.
      if (s.purse === purse && s.paymentNo === paymentNo && s.status === 'paid') {
        return { ok: false, error: `Order ${paymentNo} is already paid.` };
      }
    }
    // Real WebMoney falls back to the Result URL of the purse settings; the simulator has none.
    const resultUrl = fields.LMI_RESULT_URL;
    if (!httpUrl(resultUrl)) return { ok: false, error: 'LMI_RESULT_URL is missing or not an http(s) URL.' };
    const target = (urlField: string, methodField: string) => {
      const url = fields[urlField];
      return httpUrl(url) ? { url, method: METHODS[fields[methodField] ?? '0'] ?? 'GET' } : null;
    };
    const description = fields.LMI_PAYMENT_DESC_BASE64
      ? Buffer.from(fields.LMI_PAYMENT_DESC_BASE64, 'base64').toString('utf8')
      : (fields.LMI_PAYMENT_DESC ?? '');
    const simMode = fields.LMI_SIM_MODE === '1' || fields.LMI_SIM_MODE === '2' ? fields.LMI_SIM_MODE : '0';
    const custom = Object.fromEntries(
      Object.entries(fields).filter(([name]) => !name.startsWith('LMI_') && !name.startsWith('_')),
    );
    const session: WebMoneySession = {
      id: `wms_${randomUUID()}`,
      purse,
      currency,
      amount,
      paymentNo,
      description,
      resultUrl,
      success: target('LMI_SUCCESS_URL', 'LMI_SUCCESS_METHOD'),
      fail: target('LMI_FAIL_URL', 'LMI_FAIL_METHOD'),
      simMode,
      custom,
      status: 'waiting',
    };
    this.sessions.set(session.id, session);
    return { ok: true, session };
  }

  /** The pre-request fields (no hash: WebMoney does not sign it). */
  preRequestFields(session: WebMoneySession): Record<string, string> {
    return {
      LMI_PREREQUEST: '1',
      LMI_PAYEE_PURSE: session.purse,
      LMI_PAYMENT_AMOUNT: session.amount,
      LMI_PAYMENT_NO: session.paymentNo,
      LMI_MODE: this.#testMode ? '1' : '0',
      LMI_PAYER_WM: PAYER_WM,
      LMI_PAYER_PURSE: this.#payerPurse(session),
      ...session.custom,
    };
  }

  /** The payment notification of a paid session, LMI_HASH (and LMI_HASH2) computed with `secret`. */
  notificationFields(session: WebMoneySession, secret = this.#o.secretKey): Record<string, string> {
    if (!session.transNo || !session.invsNo || !session.transDate) throw new Error('session is not paid');
    const signed: SignedNotificationFields = {
      LMI_PAYEE_PURSE: session.purse,
      LMI_PAYMENT_AMOUNT: session.amount,
      LMI_PAYMENT_NO: session.paymentNo,
      LMI_MODE: this.#testMode ? '1' : '0',
      LMI_SYS_INVS_NO: session.invsNo,
      LMI_SYS_TRANS_NO: session.transNo,
      LMI_SYS_TRANS_DATE: session.transDate,
      LMI_PAYER_PURSE: this.#payerPurse(session),
      LMI_PAYER_WM: PAYER_WM,
    };
    const { LMI_HOLD: _hold, ...plain } = signed;
    return {
      ...plain,
      ...(session.description ? { LMI_PAYMENT_DESC: session.description } : {}),
      LMI_LANG: 'en-US',
      ...session.custom,
      LMI_HASH: lmiHash(signed, secret, this.#o.hashMethod ?? 'SHA256'),
      ...(this.#o.sendHash2 === false ? {} : { LMI_HASH2: lmiHash2(signed, secret) }),
    };
  }

  /** POSTs form fields (application/x-www-form-urlencoded, UTF-8) to the Result URL or `url`. */
  async deliver(url: string, fields: Record<string, string>): Promise<SimDelivery> {
    const send = this.#o.fetch ?? fetch;
    const res = await send(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(fields).toString(),
    });
    return { url, statusCode: res.status, body: await res.text() };
  }

  /**
   * The buyer pays. LMI_SIM_MODE (test mode only): 0 all succeed; 1 all fail; 2 "about 80 %" — the
   * simulator fails every order whose number is a multiple of 5, so a run can be repeated. Then the
   * pre-request (when enabled) must be answered exactly `YES`, and the signed notification is sent.
   */
  async pay(sessionId: string): Promise<PayResult> {
    const session = this.#session(sessionId);
    if (session.status !== 'waiting') throw new Error(`session ${sessionId} is ${session.status}`);
    const simFails =
      this.#testMode &&
      (session.simMode === '1' || (session.simMode === '2' && BigInt(session.paymentNo) % 5n === 0n));
    if (simFails) {
      session.status = 'failed';
      return {
        outcome: 'failed',
        session,
        reason: `LMI_SIM_MODE=${session.simMode}`,
        redirect: this.#returnTo(session),
      };
    }
    let prerequest: SimDelivery | null = null;
    if (this.#o.preRequest ?? true) {
      prerequest = await this.deliver(session.resultUrl, this.preRequestFields(session));
      if (prerequest.body.trim() !== 'YES') {
        session.status = 'refused';
        return { outcome: 'refused', session, prerequest, redirect: this.#returnTo(session) };
      }
    }
    this.#seq += 1;
    session.invsNo = String(100_000 + this.#seq);
    session.transNo = String(500_000 + this.#seq);
    session.transDate = transDate(this.#now());
    session.status = 'paid';
    // WebMoney reads nothing from the notification answer; a non-YES is only shown in its logs.
    const notification = await this.deliver(session.resultUrl, this.notificationFields(session));
    return { outcome: 'paid', session, prerequest, notification, redirect: this.#returnTo(session) };
  }

  /** The buyer gives up: no notification (WebMoney sends none for unpaid orders), back to the fail URL. */
  decline(sessionId: string): { session: WebMoneySession; redirect: ReturnTarget | null } {
    const session = this.#session(sessionId);
    if (session.status === 'waiting') session.status = 'failed';
    return { session, redirect: this.#returnTo(session) };
  }

  /**
   * Records a payment WebMoney holds without a form and a buyer (a test's setup, or a payment whose
   * notification was lost): X18 then reports it.
   */
  recordPayment(args: {
    purse: string;
    paymentNo: string;
    amount: string;
    transNo?: string;
  }): WebMoneySession {
    this.#seq += 1;
    const session: WebMoneySession = {
      id: `wms_${randomUUID()}`,
      purse: args.purse,
      currency: currencyOfPurse(args.purse) ?? '',
      amount: args.amount,
      paymentNo: args.paymentNo,
      description: '',
      resultUrl: '',
      success: null,
      fail: null,
      simMode: '0',
      custom: {},
      status: 'paid',
      invsNo: String(100_000 + this.#seq),
      transNo: args.transNo ?? String(500_000 + this.#seq),
      transDate: transDate(this.#now()),
    };
    this.sessions.set(session.id, session);
    return session;
  }

  #session(id: string): WebMoneySession {
    const session = this.sessions.get(id);
    if (!session) throw new Error(`no session ${id}`);
    return session;
  }

  #payerPurse(session: WebMoneySession): string {
    return `${session.purse[0]}366393600555`;
  }

  #returnTo(session: WebMoneySession): ReturnTarget | null {
    const target = session.status === 'paid' ? session.success : session.fail;
    if (!target) return null;
    const fields =
      target.method === 'LINK'
        ? {}
        : {
            LMI_PAYMENT_NO: session.paymentNo,
            ...(session.invsNo ? { LMI_SYS_INVS_NO: session.invsNo } : {}),
            ...(session.transNo ? { LMI_SYS_TRANS_NO: session.transNo } : {}),
            ...(session.transDate ? { LMI_SYS_TRANS_DATE: session.transDate } : {}),
            ...session.custom,
          };
    return { url: target.url, method: target.method, fields };
  }

  /**
   * X18 (`POST …/conf/xml/XMLTransGet.asp`): the signature is H(wmid + purse + payment no + key) in
   * lower-case hex (`<sha256>` or `<md5>`); retval 0 with the operation, 7 when not paid. Answers
   * `undefined` for any other path.
   */
  async handleX18(request: Request): Promise<Response | undefined> {
    if (request.method !== 'POST' || !new URL(request.url).pathname.endsWith('/conf/xml/XMLTransGet.asp')) {
      return undefined;
    }
    const xml = await request.text();
    const text = (tag: string) => new RegExp(`<${tag}>([^<]*)</${tag}>`).exec(xml)?.[1] ?? '';
    const answer = (body: string) =>
      new Response(`<?xml version="1.0" encoding="windows-1251"?>${body}`, {
        headers: { 'content-type': 'text/xml; Charset=windows-1251' },
      });
    const [wmid, purse, no] = [text('wmid'), text('lmi_payee_purse'), text('lmi_payment_no')];
    const key = this.#o.x18?.secretKey ?? this.#o.secretKey;
    const sha = text('sha256');
    const md5 = text('md5');
    const signed =
      !!this.#o.x18 &&
      wmid === this.#o.x18.wmid &&
      ((sha !== '' && sha === x18Hash({ wmid, purse, paymentNo: no }, key, 'SHA256')) ||
        (md5 !== '' && md5 === x18Hash({ wmid, purse, paymentNo: no }, key, 'MD5')));
    // The notes quote only retval 0 and 7; the simulator answers -4 for a bad signature.
    if (!signed)
      return answer(
        '<merchant.response><retval>-4</retval><retdesc>sign error</retdesc></merchant.response>',
      );
    const paid = [...this.sessions.values()].find(
      (s) => s.status === 'paid' && s.purse === purse && s.paymentNo === no,
    );
    if (!paid) {
      return answer(
        '<merchant.response><retval>7</retval><retdesc>Payment with lmi_payment_no number not found for this merchant purse:7 step=50</retdesc></merchant.response>',
      );
    }
    return answer(
      `<merchant.response><operation wmtransid="${paid.transNo}" wminvoiceid="${paid.invsNo}">` +
        `<amount>${paid.amount}</amount><operdate>${paid.transDate}</operdate><purpose>Simulated payment</purpose>` +
        `<pursefrom>${this.#payerPurse(paid)}</pursefrom><wmidfrom>${PAYER_WM}</wmidfrom><capitallerflag>0</capitallerflag>` +
        '<enumflag>3</enumflag><IPAddress>127.0.0.1</IPAddress></operation><retval>0</retval><retdesc></retdesc></merchant.response>',
    );
  }
}
