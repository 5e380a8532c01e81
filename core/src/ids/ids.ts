import { randomBytes } from 'node:crypto';

/** Object kinds and their id prefixes. Ids sort by creation time (a ULID body after the prefix). */
export const ID_PREFIXES = {
  payment: 'pay',
  refund: 're',
  merchant: 'mer',
  event: 'evt',
  ticket: 'tkt',
  ticketMessage: 'tkm',
  ticketAttachment: 'tka',
  apiKey: 'key',
  ledgerEntry: 'le',
  posting: 'pst',
  request: 'req',
  webhookEndpoint: 'we',
  webhookDelivery: 'wd',
  reconciliation: 'rcn',
  paymentMethod: 'pm',
  user: 'usr',
  session: 'ses',
  accountToken: 'atk',
  audit: 'aud',
  antifraudListEntry: 'afl',
  application: 'app',
  acquiringBank: 'acq',
  issuer: 'iss',
  iinRange: 'iin',
  enrolment: 'enr',
  shop: 'shop',
  notification: 'ntf',
} as const;

export type IdKind = keyof typeof ID_PREFIXES;

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

let lastTime = -1;
let lastRandom: Uint8Array = new Uint8Array(10);

/** Increments the 80-bit random part so ids made in the same millisecond still sort in creation order. */
function increment(bytes: Uint8Array): Uint8Array {
  const next = Uint8Array.from(bytes);
  for (let i = next.length - 1; i >= 0; i--) {
    const value = (next[i] ?? 0) + 1;
    next[i] = value & 0xff;
    if (value <= 0xff) break;
  }
  return next;
}

/** A ULID: 48-bit millisecond time and 80 random bits, Crockford base32, monotonic within a process. */
export function ulid(now: number = Date.now()): string {
  if (now <= lastTime) {
    lastRandom = increment(lastRandom);
  } else {
    lastTime = now;
    lastRandom = new Uint8Array(randomBytes(10));
  }
  let time = '';
  let t = lastTime;
  for (let i = 0; i < 10; i++) {
    time = CROCKFORD[t % 32] + time;
    t = Math.floor(t / 32);
  }
  let bits = 0n;
  for (const byte of lastRandom) bits = (bits << 8n) | BigInt(byte);
  let random = '';
  for (let i = 0; i < 16; i++) {
    random = CROCKFORD[Number(bits & 31n)] + random;
    bits >>= 5n;
  }
  return time + random;
}

export function newId(kind: IdKind, now?: number): string {
  return `${ID_PREFIXES[kind]}_${ulid(now)}`;
}

const ID_BODY = /^[0-9A-HJKMNP-TV-Z]{26}$/;

/** True when `value` is a well-formed id of that kind (used to answer 404 early on garbage ids). */
export function isId(kind: IdKind, value: string): boolean {
  const prefix = `${ID_PREFIXES[kind]}_`;
  return value.startsWith(prefix) && ID_BODY.test(value.slice(prefix.length));
}
