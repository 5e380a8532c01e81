import { createHash, randomBytes } from 'node:crypto';
import { type ApiKey, type Mode, newId } from '@payrail/core';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** 32 base62 characters ≈ 190 bits from the CSPRNG (rejection sampling keeps them uniform). */
export function randomBase62(length: number): string {
  let out = '';
  while (out.length < length) {
    for (const byte of randomBytes(length)) {
      if (byte < 248 && out.length < length) out += BASE62[byte % 62];
    }
  }
  return out;
}

/**
 * API secrets are high-entropy random strings, so SHA-256 is the right hash for them (a slow password
 * hash would add latency to every API call for no gain). Lookup is by hash, so no comparison of secrets
 * happens in application code at all.
 */
export function hashApiKey(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

export const API_KEY_PATTERN = /^sk_(test|live)_[0-9A-Za-z]{32}$/;

export function modeOfApiKey(secret: string): Mode | null {
  const match = API_KEY_PATTERN.exec(secret);
  return match ? (match[1] as Mode) : null;
}

/** A new key: the secret (shown once) and the record to store (hash + display prefix only). */
export function generateApiKey(
  merchantId: string,
  mode: Mode,
  now: Date,
): { secret: string; record: ApiKey } {
  const secret = `sk_${mode}_${randomBase62(32)}`;
  return {
    secret,
    record: {
      id: newId('apiKey', now.getTime()),
      merchantId,
      mode,
      secretHash: hashApiKey(secret),
      displayPrefix: `${secret.slice(0, 12)}…`,
      createdAt: now,
      revokedAt: null,
    },
  };
}
