import { type IssuerApiKey, type Mode, newId } from '@payrail/core';
import { hashApiKey, randomBase62 } from './api-keys';

/**
 * Issuer API keys: `ik_test_…`/`ik_live_…` plus 32 base62 characters, stored as SHA-256 like merchant
 * keys but in the issuer repository. The prefix keeps the two kinds of principal apart: a merchant key
 * never matches here, and an issuer key never matches the merchant pattern.
 */
export const ISSUER_KEY_PATTERN = /^ik_(test|live)_[0-9A-Za-z]{32}$/;

export function modeOfIssuerKey(secret: string): Mode | null {
  const match = ISSUER_KEY_PATTERN.exec(secret);
  return match ? (match[1] as Mode) : null;
}

/** A new issuer key: the secret (shown once) and the record to store (hash + display prefix only). */
export function generateIssuerKey(
  issuerId: string,
  mode: Mode,
  now: Date,
): { secret: string; record: IssuerApiKey } {
  const secret = `ik_${mode}_${randomBase62(32)}`;
  return {
    secret,
    record: {
      id: newId('apiKey', now.getTime()),
      issuerId,
      mode,
      secretHash: hashApiKey(secret),
      displayPrefix: `${secret.slice(0, 12)}…`,
      createdAt: now,
      revokedAt: null,
    },
  };
}
