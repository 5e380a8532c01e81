import { type HttpClient, PayrailError, parseDecimal } from '@payrail/core';
import { type HashMethod, x18Hash } from './signature';

/** X18 (payment state) over the merchant's payment number (`lmi_payment_no_type` 0). */
export interface X18Query {
  url: string;
  wmid: string;
  purse: string;
  paymentNo: string;
  secretKey: string;
  hashMethod: HashMethod;
  timeoutMs: number;
}

export type X18Result =
  | { found: true; amount: string; wmTransId: string; wmInvoiceId: string; operDate: string }
  | { found: false; retval: string; retdesc: string };

/** `retval` of X18 when no payment with this number exists for the purse (the buyer has not paid). */
export const X18_NOT_FOUND = '7';

const escapeXml = (s: string) =>
  s.replace(
    /[<>&'"]/g,
    (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c] ?? c,
  );

export function buildX18Request(q: Omit<X18Query, 'url' | 'timeoutMs'>): string {
  const hash = x18Hash({ wmid: q.wmid, purse: q.purse, paymentNo: q.paymentNo }, q.secretKey, q.hashMethod);
  const tag = q.hashMethod === 'MD5' ? 'md5' : 'sha256';
  return (
    '<merchant.request>' +
    `<wmid>${escapeXml(q.wmid)}</wmid>` +
    `<lmi_payee_purse>${escapeXml(q.purse)}</lmi_payee_purse>` +
    `<lmi_payment_no>${escapeXml(q.paymentNo)}</lmi_payment_no>` +
    '<lmi_payment_no_type>0</lmi_payment_no_type>' +
    `<${tag}>${hash}</${tag}>` +
    '</merchant.request>'
  );
}

const textOf = (xml: string, tag: string): string | undefined => {
  const m = new RegExp(`<${tag}>([^<]*)</${tag}>`).exec(xml);
  return m?.[1]?.trim();
};
const attrOf = (xml: string, tag: string, attr: string): string | undefined => {
  const open = new RegExp(`<${tag}\\b([^>]*)>`).exec(xml)?.[1] ?? '';
  return new RegExp(`\\b${attr}="([^"]*)"`).exec(open)?.[1];
};

/** Reads the X18 answer; a body that is not a merchant.response is PAYRAIL_ERR_PROVIDER_REJECTED. */
export function parseX18Response(xml: string): X18Result {
  const retval = textOf(xml, 'retval');
  if (!xml.includes('<merchant.response') || retval === undefined) {
    throw new PayrailError('PAYRAIL_ERR_PROVIDER_REJECTED', {
      message: 'X18 answered something that is not a merchant.response.',
    });
  }
  if (retval !== '0') return { found: false, retval, retdesc: textOf(xml, 'retdesc') ?? '' };
  const amount = textOf(xml, 'amount');
  const wmTransId = attrOf(xml, 'operation', 'wmtransid');
  if (!amount || !wmTransId) {
    throw new PayrailError('PAYRAIL_ERR_PROVIDER_REJECTED', {
      message: 'X18 answered retval 0 without an operation.',
    });
  }
  return {
    found: true,
    amount,
    wmTransId,
    wmInvoiceId: attrOf(xml, 'operation', 'wminvoiceid') ?? '',
    operDate: textOf(xml, 'operdate') ?? '',
  };
}

export async function queryX18(http: HttpClient, q: X18Query): Promise<X18Result> {
  const response = await http.request({
    method: 'POST',
    url: q.url,
    headers: { 'content-type': 'text/xml; charset=utf-8' },
    body: buildX18Request(q),
    timeoutMs: q.timeoutMs,
  });
  if (response.statusCode >= 500) {
    throw new PayrailError('PAYRAIL_ERR_PROVIDER_UNAVAILABLE', {
      message: `X18 answered HTTP ${response.statusCode}.`,
    });
  }
  if (response.statusCode !== 200) {
    throw new PayrailError('PAYRAIL_ERR_PROVIDER_REJECTED', {
      message: `X18 answered HTTP ${response.statusCode}.`,
    });
  }
  return parseX18Response(response.body);
}

/** The X18 amount in minor units (throws PAYRAIL_ERR_PROVIDER_REJECTED when it is not a decimal). */
export function x18AmountMinor(amount: string, currency: string): number {
  try {
    return parseDecimal(amount, currency, 'amount');
  } catch (cause) {
    throw new PayrailError('PAYRAIL_ERR_PROVIDER_REJECTED', {
      message: `X18 amount "${amount}" is not valid.`,
      cause,
    });
  }
}
