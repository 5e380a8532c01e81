import { randomBytes } from 'node:crypto';
import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { parseVaultKeys, VaultKeyRing } from './vault-keys';

const b64 = () => randomBytes(32).toString('base64');
const PAN = '4242424242424242';

describe('PAYRAIL_VAULT_KEYS', () => {
  it('parses id:key pairs, oldest first', () => {
    const keys = parseVaultKeys(` k1:${b64()} , k2:${b64()}`);
    expect(keys.map((k) => k.id)).toEqual(['k1', 'k2']);
    expect(keys.every((k) => k.key.length === 32)).toBe(true);
  });

  it.each([
    ['', /empty/],
    [b64(), /needs an id/],
    [`K1:${b64()}`, /needs an id/],
    [`k1:${randomBytes(16).toString('base64')}`, /16 bytes; AES-256 needs 32/],
    [`k1:${b64()},k1:${b64()}`, /listed twice/],
  ])('refuses %j with a message saying how to fix it', (value, message) => {
    expect(() => parseVaultKeys(value)).toThrow(message);
    try {
      parseVaultKeys(value);
    } catch (error) {
      expect(error).toMatchObject({ code: 'PAYRAIL_ERR_CONFIG', param: 'PAYRAIL_VAULT_KEYS' });
    }
  });
});

describe('vault key ring (AES-256-GCM)', () => {
  const old = { id: 'old', key: randomBytes(32) };
  const current = { id: 'new', key: randomBytes(32) };

  it('seals with the newest key; the ciphertext holds no trace of the PAN', () => {
    const ring = new VaultKeyRing([old, current]);
    const sealed = ring.seal(PAN, 'pm_1');
    expect(sealed.keyId).toBe('new');
    expect(sealed.ciphertext).not.toContain(PAN);
    expect(Buffer.from(sealed.ciphertext, 'base64url').toString('latin1')).not.toContain('4242');
    expect(ring.open(sealed, 'pm_1')).toBe(PAN);
    // A fresh IV each time: the same card never gives the same ciphertext.
    expect(ring.seal(PAN, 'pm_1').ciphertext).not.toBe(sealed.ciphertext);
  });

  it('opens what an older key sealed, and rotation re-seals it under the newest', () => {
    const sealedOld = new VaultKeyRing([old]).seal(PAN, 'pm_2');
    const ring = new VaultKeyRing([old, current]);
    expect(ring.needsRotation(sealedOld)).toBe(true);
    const rotated = ring.rotate(sealedOld, 'pm_2');
    expect(rotated.keyId).toBe('new');
    expect(ring.needsRotation(rotated)).toBe(false);
    expect(new VaultKeyRing([current]).open(rotated, 'pm_2')).toBe(PAN);
  });

  it('refuses a ciphertext moved to another record, altered, or sealed by a key no longer configured', () => {
    const ring = new VaultKeyRing([old, current]);
    const sealed = ring.seal(PAN, 'pm_3');
    expect(() => ring.open(sealed, 'pm_4')).toThrow(/integrity check/);
    const bytes = Buffer.from(sealed.ciphertext, 'base64url');
    bytes[14] = (bytes[14] ?? 0) ^ 1;
    expect(() => ring.open({ ...sealed, ciphertext: bytes.toString('base64url') }, 'pm_3')).toThrow(
      /integrity/,
    );
    expect(() => ring.open({ ...sealed, ciphertext: 'AAAA' }, 'pm_3')).toThrow(/integrity/);
    expect(() => new VaultKeyRing([old]).open(sealed, 'pm_3')).toThrow(
      /"new", which is no longer configured/,
    );
  });

  test.prop([fc.stringMatching(/^\d{12,19}$/), fc.string({ minLength: 1, maxLength: 40 })])(
    'open(seal(pan)) is the pan, for any PAN and record id',
    (pan, boundTo) => {
      const ring = new VaultKeyRing([current]);
      expect(ring.open(ring.seal(pan, boundTo), boundTo)).toBe(pan);
    },
  );
});
