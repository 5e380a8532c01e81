/** QIWI Bill Payments API plumbing: URLs, auth, JSON, error translation. Goes through `ctx.http` only. */
import { type HttpClient, type HttpRequest, isPayrailError, PayrailError } from '@payrail/core';
import { errorOfResponse, type QiwiAmount, type QiwiErrorBody } from './mapping';

export interface QiwiBill {
  siteId?: string;
  billId: string;
  amount?: { value?: unknown; currency?: string };
  status?: { value?: unknown; changedDateTime?: string };
  payUrl?: unknown;
  [key: string]: unknown;
}

export interface QiwiRefund {
  refundId?: unknown;
  status?: unknown;
  amount?: { value?: unknown; currency?: string };
  [key: string]: unknown;
}

export interface CreateBillBody {
  amount: QiwiAmount;
  comment?: string;
  expirationDateTime: string;
  customer?: { phone?: string; email?: string; account?: string };
  customFields?: Record<string, string>;
}

export interface QiwiClientOptions {
  http: HttpClient;
  apiBaseUrl: string;
  secretKey: string;
  timeoutMs?: number;
}

export class QiwiClient {
  readonly #o: QiwiClientOptions;
  constructor(options: QiwiClientOptions) {
    this.#o = options;
  }

  #url(billId: string, ...rest: string[]): string {
    const parts = [billId, ...rest].map(encodeURIComponent).join('/');
    return `${this.#o.apiBaseUrl}/partner/bill/v1/bills/${parts}`;
  }

  async #call<T>(method: HttpRequest['method'], url: string, body?: unknown): Promise<T> {
    const mutating = method !== 'GET';
    const req: HttpRequest = {
      method,
      url,
      headers: {
        authorization: `Bearer ${this.#o.secretKey}`,
        accept: 'application/json',
        'content-type': 'application/json',
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      ...(this.#o.timeoutMs ? { timeoutMs: this.#o.timeoutMs } : {}),
    };
    let res: Awaited<ReturnType<HttpClient['request']>>;
    try {
      res = await this.#o.http.request(req);
    } catch (err) {
      // The HttpClient already says whether the provider may have acted (timeouts: outcomeUnknown).
      if (isPayrailError(err)) throw err;
      throw new PayrailError('PAYRAIL_ERR_PROVIDER_UNAVAILABLE', {
        message: 'The call to QIWI failed.',
        outcomeUnknown: mutating,
        cause: err,
      });
    }
    const parsed = parseJson(res.body);
    if (res.statusCode < 200 || res.statusCode >= 300) {
      throw errorOfResponse(res.statusCode, isObject(parsed) ? (parsed as QiwiErrorBody) : null, mutating);
    }
    if (!isObject(parsed)) {
      throw new PayrailError('PAYRAIL_ERR_PROVIDER_UNAVAILABLE', {
        message: `QIWI answered HTTP ${res.statusCode} without a JSON object.`,
        outcomeUnknown: mutating,
      });
    }
    return parsed as T;
  }

  createBill(billId: string, body: CreateBillBody): Promise<QiwiBill> {
    return this.#call<QiwiBill>('PUT', this.#url(billId), body).then((b) => requireBill(b, billId));
  }
  getBill(billId: string): Promise<QiwiBill> {
    return this.#call<QiwiBill>('GET', this.#url(billId)).then((b) => requireBill(b, billId));
  }
  rejectBill(billId: string): Promise<QiwiBill> {
    return this.#call<QiwiBill>('POST', this.#url(billId, 'reject')).then((b) => requireBill(b, billId));
  }
  refund(billId: string, refundId: string, amount: QiwiAmount): Promise<QiwiRefund> {
    return this.#call<QiwiRefund>('PUT', this.#url(billId, 'refunds', refundId), { amount });
  }
  getRefund(billId: string, refundId: string): Promise<QiwiRefund> {
    return this.#call<QiwiRefund>('GET', this.#url(billId, 'refunds', refundId));
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** QIWI echoes the bill id; an answer about another bill is a provider fault, not data to apply. */
function requireBill(bill: QiwiBill, billId: string): QiwiBill {
  if (bill.billId !== billId) {
    throw new PayrailError('PAYRAIL_ERR_PROVIDER_UNAVAILABLE', {
      message: 'QIWI answered about a different bill than the one asked for.',
    });
  }
  return bill;
}
