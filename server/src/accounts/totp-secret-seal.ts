import { PayrailError } from '@payrail/core';
import type { SecretBox } from '../webhooks/secret-box';

/**
 * TOTP secrets at rest: sealed with the server secrets key (AES-256-GCM, secret-box.ts), bound to the
 * user id, so a database dump does not let anyone compute a user's codes and a sealed secret copied onto
 * another user does not open. A sealed value starts with the box's version (`v1.`); a legacy value
 * stored before sealing is plain base32 (no dot), still verifies, and is sealed on its next use.
 */
const SEALED = /^v\d+\./;

const boundTo = (userId: string) => `totp:${userId}`;

export const isSealedTotpSecret = (stored: string) => SEALED.test(stored);

export function requireSecretBox(box: SecretBox | undefined): SecretBox {
  if (!box) {
    throw new PayrailError('PAYRAIL_ERR_CONFIG', {
      message:
        'Two-factor authentication needs PAYRAIL_WEBHOOK_SECRETS_KEY (the server secrets key, 32 bytes, e.g. from `openssl rand -hex 32`), the same on every instance.',
    });
  }
  return box;
}

export const sealTotpSecret = (box: SecretBox, userId: string, secret: string) =>
  box.seal(secret, boundTo(userId));

/** The plain secret of a stored value, sealed or legacy. */
export function openTotpSecret(box: SecretBox | undefined, userId: string, stored: string): string {
  if (!isSealedTotpSecret(stored)) return stored;
  return requireSecretBox(box).open(stored, boundTo(userId));
}
