import { createHmac, timingSafeEqual } from 'node:crypto';

/** Header that carries the signature of every delivery to a merchant's endpoint. */
export const SIGNATURE_HEADER = 'Payrail-Signature';

/** Default tolerance: a signature older (or newer) than this is refused, which limits replays. */
export const DEFAULT_TOLERANCE_SECONDS = 300;

const hmacHex = (secret: string, timestamp: number, body: string): string =>
  createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');

/** `t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.body">` for a request body sent at `timestamp`. */
export function signPayload(args: { secret: string; body: string; timestamp: number }): string {
  return `t=${args.timestamp},v1=${hmacHex(args.secret, args.timestamp, args.body)}`;
}

export interface VerifyWebhookArgs {
  /** The raw request body exactly as received (before any JSON parsing). */
  body: string | Buffer;
  /** The value of the `Payrail-Signature` header. */
  header: string | string[] | undefined;
  /** The endpoint's signing secret (`whsec_…`). */
  secret: string;
  /** Seconds the signature's timestamp may differ from now; default 300. */
  toleranceSeconds?: number;
  /** Current unix time in seconds (tests); default the system clock. */
  nowSeconds?: number;
}

/**
 * Checks a Payrail webhook: the timestamp is within the tolerance and one of the `v1` signatures is the
 * HMAC of "t.body" with the secret, compared in constant time. Returns true or false, never throws.
 * For shops running Node: `import { verifyWebhook } from '@payrail/server'`.
 */
export function verifyWebhook(args: VerifyWebhookArgs): boolean {
  const header = Array.isArray(args.header) ? args.header[0] : args.header;
  if (!header) return false;
  let timestamp: number | undefined;
  const signatures: string[] = [];
  for (const part of header.split(',')) {
    const [key, value] = part.trim().split('=', 2);
    if (key === 't' && value && /^\d{1,12}$/.test(value)) timestamp = Number(value);
    else if (key === 'v1' && value && /^[0-9a-f]{64}$/.test(value)) signatures.push(value);
  }
  if (timestamp === undefined || signatures.length === 0) return false;
  const now = args.nowSeconds ?? Math.floor(Date.now() / 1000);
  if (Math.abs(now - timestamp) > (args.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS)) return false;
  const body = typeof args.body === 'string' ? args.body : args.body.toString('utf8');
  const expected = Buffer.from(hmacHex(args.secret, timestamp, body), 'hex');
  // Check every candidate (secret rotation may send two); each comparison is constant-time.
  let ok = false;
  for (const signature of signatures) {
    if (timingSafeEqual(expected, Buffer.from(signature, 'hex'))) ok = true;
  }
  return ok;
}

/** The same check under the name the webhook docs use. */
export const verifyPayrailSignature = verifyWebhook;
