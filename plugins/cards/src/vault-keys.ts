import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { PayrailError } from '@payrail/core';

/** One AES-256 key of the vault, named so that a ciphertext says which key sealed it. */
export interface VaultKey {
  id: string;
  key: Buffer;
}

/** A PAN sealed by the vault: safe to store. `keyId` tells which key opens it. */
export interface SealedPan {
  keyId: string;
  /** base64url of iv (12 bytes) ‖ ciphertext ‖ GCM tag (16 bytes). */
  ciphertext: string;
}

const KEY_ID = /^[a-z0-9][a-z0-9_-]{0,31}$/;
const IV_BYTES = 12;
const TAG_BYTES = 16;

const configError = (message: string) =>
  new PayrailError('PAYRAIL_ERR_CONFIG', { param: 'PAYRAIL_VAULT_KEYS', message });

/**
 * Parses `PAYRAIL_VAULT_KEYS`: comma-separated `keyId:base64key` pairs, oldest first, each key 32 bytes
 * (`openssl rand -base64 32`). The last key seals new cards; every listed key opens what it sealed, so a
 * rotation is: append a new key, restart, run `payrail vault rotate`, then drop the old key.
 */
export function parseVaultKeys(value: string): VaultKey[] {
  const entries = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (entries.length === 0)
    throw configError('PAYRAIL_VAULT_KEYS is empty: set at least one "keyId:base64key".');
  const seen = new Set<string>();
  return entries.map((entry, index) => {
    const colon = entry.indexOf(':');
    const id = colon > 0 ? entry.slice(0, colon) : '';
    if (!KEY_ID.test(id)) {
      throw configError(
        `Vault key #${index + 1} needs an id: write "keyId:base64key" with an id of lowercase letters, digits, "-" or "_".`,
      );
    }
    if (seen.has(id)) throw configError(`Vault key id "${id}" is listed twice: key ids must be unique.`);
    seen.add(id);
    const key = Buffer.from(entry.slice(colon + 1), 'base64');
    if (key.length !== 32) {
      throw configError(
        `Vault key "${id}" is ${key.length} bytes; AES-256 needs 32 (generate one with: openssl rand -base64 32).`,
      );
    }
    return { id, key };
  });
}

/**
 * Seals and opens PANs with AES-256-GCM. The payment id (or vault token) is bound as additional
 * authenticated data, so a ciphertext copied onto another record does not open there.
 */
export class VaultKeyRing {
  readonly #keys: Map<string, Buffer>;
  readonly #current: VaultKey;

  constructor(keys: readonly VaultKey[]) {
    const current = keys.at(-1);
    if (!current) throw configError('The vault needs at least one key.');
    this.#keys = new Map(keys.map((k) => [k.id, k.key]));
    this.#current = current;
  }

  /** The id of the key new cards are sealed with. */
  get currentKeyId(): string {
    return this.#current.id;
  }

  seal(pan: string, boundTo: string): SealedPan {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.#current.key, iv);
    cipher.setAAD(Buffer.from(boundTo, 'utf8'));
    const body = Buffer.concat([cipher.update(pan, 'utf8'), cipher.final()]);
    return {
      keyId: this.#current.id,
      ciphertext: Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64url'),
    };
  }

  open(sealed: SealedPan, boundTo: string): string {
    const key = this.#keys.get(sealed.keyId);
    if (!key) {
      throw new PayrailError('PAYRAIL_ERR_CONFIG', {
        param: 'PAYRAIL_VAULT_KEYS',
        message: `A stored card was sealed with vault key "${sealed.keyId}", which is no longer configured: add it back to PAYRAIL_VAULT_KEYS.`,
      });
    }
    const raw = Buffer.from(sealed.ciphertext, 'base64url');
    if (raw.length < IV_BYTES + TAG_BYTES + 1) throw this.#tampered(sealed.keyId);
    const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, IV_BYTES));
    decipher.setAAD(Buffer.from(boundTo, 'utf8'));
    decipher.setAuthTag(raw.subarray(raw.length - TAG_BYTES));
    try {
      return Buffer.concat([
        decipher.update(raw.subarray(IV_BYTES, raw.length - TAG_BYTES)),
        decipher.final(),
      ]).toString('utf8');
    } catch {
      throw this.#tampered(sealed.keyId);
    }
  }

  /** Whether a sealed PAN should be re-sealed under the current key (`payrail vault rotate`). */
  needsRotation(sealed: SealedPan): boolean {
    return sealed.keyId !== this.#current.id;
  }

  /** Opens with whichever key sealed it and seals again under the current key. */
  rotate(sealed: SealedPan, boundTo: string): SealedPan {
    return this.needsRotation(sealed) ? this.seal(this.open(sealed, boundTo), boundTo) : sealed;
  }

  #tampered(keyId: string): PayrailError {
    return new PayrailError('PAYRAIL_ERR_INTERNAL', {
      message: `A stored card (vault key "${keyId}") failed its integrity check: the record was altered or belongs to another card.`,
    });
  }
}
