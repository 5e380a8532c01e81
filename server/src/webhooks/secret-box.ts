import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { PayrailError } from '@payrail/core';

/**
 * Seals webhook signing secrets before they reach the database (AES-256-GCM). The secret must stay
 * usable to sign deliveries, so it cannot be hashed like an API key; sealing means a copy of the
 * database (a backup, a replica, a leaked dump) does not let anyone forge Payrail's signatures without
 * the key, which lives in the environment. The endpoint id is bound as additional data, so a sealed
 * secret copied onto another endpoint does not open. The same key (the server secrets key) also seals
 * users' TOTP secrets (accounts/totp-secret-seal.ts), bound to the user id.
 */
export interface SecretBox {
  seal(plain: string, boundTo: string): string;
  open(sealed: string, boundTo: string): string;
}

const VERSION = 'v1';

/** `key`: 32 bytes, given as 64 hex characters or base64. */
export function parseSecretsKey(text: string): Buffer {
  const trimmed = text.trim();
  const key = /^[0-9a-fA-F]{64}$/.test(trimmed)
    ? Buffer.from(trimmed, 'hex')
    : Buffer.from(trimmed, 'base64');
  if (key.length !== 32) {
    throw new PayrailError('PAYRAIL_ERR_CONFIG', {
      message:
        'PAYRAIL_WEBHOOK_SECRETS_KEY must be 32 bytes, as 64 hex characters or base64 ' +
        '(generate one with: openssl rand -hex 32).',
    });
  }
  return key;
}

export function createSecretBox(key: Buffer): SecretBox {
  return {
    seal(plain, boundTo) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      cipher.setAAD(Buffer.from(boundTo));
      const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      const parts = [iv, cipher.getAuthTag(), body].map((b) => b.toString('base64url'));
      return [VERSION, ...parts].join('.');
    },
    open(sealed, boundTo) {
      const [version, iv, tag, body] = sealed.split('.');
      if (version !== VERSION || !iv || !tag || body === undefined) {
        throw new PayrailError('PAYRAIL_ERR_INTERNAL', { message: 'A sealed secret is malformed.' });
      }
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
        decipher.setAAD(Buffer.from(boundTo));
        decipher.setAuthTag(Buffer.from(tag, 'base64url'));
        return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString(
          'utf8',
        );
      } catch (cause) {
        throw new PayrailError('PAYRAIL_ERR_CONFIG', {
          message:
            'A sealed secret (webhook signing secret or TOTP secret) cannot be opened: PAYRAIL_WEBHOOK_SECRETS_KEY differs from the key it was sealed with.',
          cause,
        });
      }
    },
  };
}

/** A new signing secret as shown to the merchant once: `whsec_` + 32 random bytes. */
export const newSigningSecret = (): string => `whsec_${randomBytes(32).toString('base64url')}`;
