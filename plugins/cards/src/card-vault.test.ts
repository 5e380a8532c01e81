import { randomBytes } from 'node:crypto';
import {
  type CardInput,
  ManualClock,
  PayrailError,
  type StoredCard,
  type StoredCardRepository,
} from '@payrail/core';
import { describe, expect, it } from 'vitest';
import { CardVault, storedCardResource } from './card-vault';
import { cardFingerprint } from './fingerprint';
import { type VaultKey, VaultKeyRing } from './vault-keys';

/** A plain in-memory repository with the port's semantics (dedup by fingerprint, compare-and-set reseal). */
function memoryRepository(): StoredCardRepository & { rows: Map<string, StoredCard> } {
  const rows = new Map<string, StoredCard>();
  return {
    rows,
    async save({ card }) {
      for (const c of rows.values()) {
        const same = c.merchantId === card.merchantId && c.mode === card.mode;
        if (same && c.customerId === card.customerId && c.fingerprint === card.fingerprint && !c.deletedAt)
          return { ...c };
      }
      rows.set(card.id, { ...card });
      return { ...card };
    },
    async get({ merchantId, mode, id }) {
      const c = rows.get(id);
      return c && c.merchantId === merchantId && c.mode === mode && !c.deletedAt ? { ...c } : null;
    },
    async listByCustomer({ merchantId, mode, customerId }) {
      return [...rows.values()].filter(
        (c) => c.merchantId === merchantId && c.mode === mode && c.customerId === customerId && !c.deletedAt,
      );
    },
    async delete({ id, deletedAt }) {
      const c = rows.get(id);
      if (!c || c.deletedAt) return false;
      rows.set(id, { ...c, deletedAt, panCiphertext: '' });
      return true;
    },
    async listSealedWithOtherKey({ keyId, limit, startingAfter }) {
      return [...rows.values()]
        .filter((c) => c.keyId !== keyId && !c.deletedAt && (!startingAfter || c.id > startingAfter))
        .sort((a, b) => a.id.localeCompare(b.id))
        .slice(0, limit);
    },
    async reseal({ id, expectedKeyId, keyId, panCiphertext }) {
      const c = rows.get(id);
      if (!c || c.deletedAt || c.keyId !== expectedKeyId) return false;
      rows.set(id, { ...c, keyId, panCiphertext });
      return true;
    },
    async attachToPayment() {},
    async forPayment() {
      return null;
    },
  };
}

const key = (id: string): VaultKey => ({ id, key: randomBytes(32) });
const FP_KEY = 'fingerprint-key-for-tests-0123456789';
const clock = new ManualClock(Date.UTC(2026, 5, 15));
const card = (number: string, cvc = '123'): CardInput => ({
  type: 'card',
  number,
  expMonth: 12,
  expYear: 2030,
  cvc,
});
const scope = { merchantId: 'mer_1', mode: 'test' as const, customerId: 'cus_1' };

function vault(keys: VaultKey[], repo = memoryRepository()) {
  return {
    repo,
    vault: new CardVault({
      keys: new VaultKeyRing(keys),
      storedCards: repo,
      fingerprintKey: FP_KEY,
      clock,
    }),
  };
}

describe('CardVault', () => {
  it('stores only ciphertext and display data; opens it back for a one-click payment', async () => {
    const { vault: v, repo } = vault([key('k1')]);
    const saved = await v.save({ ...scope, card: card('4242424242424242', '987') });
    expect(saved).toMatchObject({
      brand: 'visa',
      first6: '424242',
      last4: '4242',
      expMonth: 12,
      expYear: 2030,
      keyId: 'k1',
      fingerprint: cardFingerprint('4242424242424242', FP_KEY),
    });
    expect(saved.id).toMatch(/^pm_/);
    const text = JSON.stringify([...repo.rows.values()]);
    expect(text).not.toContain('4242424242424242');
    expect(text).not.toContain('987');
    expect(v.cardInput(saved, '555')).toEqual({ ...card('4242424242424242'), cvc: '555' });
    expect(JSON.stringify(storedCardResource(saved))).not.toContain('4242424242424242');
  });

  it('saving the same card again gives the same record', async () => {
    const { vault: v } = vault([key('k1')]);
    const a = await v.save({ ...scope, card: card('5555555555554444') });
    const b = await v.save({ ...scope, card: card('5555 5555 5555 4444', '321') });
    expect(b.id).toBe(a.id);
  });

  it('refuses an invalid card with the field named, and a deleted card', async () => {
    const { vault: v, repo } = vault([key('k1')]);
    const err = await v.save({ ...scope, card: card('4242424242424241') }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PayrailError);
    expect((err as PayrailError).param).toBe('number');
    const saved = await v.save({ ...scope, card: card('4242424242424242') });
    await repo.delete({ ...scope, id: saved.id, deletedAt: new Date() });
    expect(() => v.cardInput(repo.rows.get(saved.id)!, '123')).toThrow(/deleted/);
  });

  it('a ciphertext moved to another record does not open', async () => {
    const { vault: v } = vault([key('k1')]);
    const a = await v.save({ ...scope, card: card('4242424242424242') });
    const b = await v.save({ ...scope, card: card('5555555555554444') });
    expect(() => v.cardInput({ ...b, panCiphertext: a.panCiphertext }, '123')).toThrow(/integrity/);
  });

  it('rotate reseals every card under the newest key, resumably, and a second run does nothing', async () => {
    const old = key('k1');
    const repo = memoryRepository();
    const before = vault([old], repo).vault;
    const pans = ['4242424242424242', '5555555555554444', '378282246310005', '2200000000000004'];
    const saved = [];
    for (const pan of pans)
      saved.push(await before.save({ ...scope, card: card(pan, pan.length === 15 ? '1234' : '123') }));

    const next = key('k2');
    const after = vault([old, next], repo).vault;
    // Half done (a run interrupted after one card): the next run finishes the rest.
    const first = saved[0]!;
    await repo.reseal({
      id: first.id,
      expectedKeyId: 'k1',
      keyId: 'k2',
      panCiphertext: new VaultKeyRing([old, next]).seal(pans[0]!, first.id).ciphertext,
    });
    const report = await after.rotate({ batchSize: 2 });
    expect(report).toEqual({ resealed: 3, skipped: 0, failed: [], keyId: 'k2' });
    expect(await after.rotate()).toEqual({ resealed: 0, skipped: 0, failed: [], keyId: 'k2' });
    // Only the new key is needed now.
    const onlyNew = vault([next], repo).vault;
    for (const [i, c] of saved.entries()) {
      const stored = repo.rows.get(c.id)!;
      expect(stored.keyId).toBe('k2');
      expect(onlyNew.cardInput(stored, '999').number).toBe(pans[i]);
    }
  });

  it('rotate reports cards whose key is gone and keeps going', async () => {
    const repo = memoryRepository();
    const lost = vault([key('lost')], repo).vault;
    const kept = key('k1');
    const a = await lost.save({ ...scope, card: card('4242424242424242') });
    const b = await vault([kept], repo).vault.save({
      ...scope,
      customerId: 'cus_2',
      card: card('5555555555554444'),
    });
    const report = await vault([kept, key('k2')], repo).vault.rotate();
    expect(report.resealed).toBe(1);
    expect(report.failed).toEqual([expect.objectContaining({ id: a.id, code: 'PAYRAIL_ERR_CONFIG' })]);
    expect(repo.rows.get(b.id)!.keyId).toBe('k2');
  });

  it('sealPan binds a PAN to another record (an enrolment); rotate reseals alsoRotate sources too', async () => {
    const old = key('k1');
    const { vault: v } = vault([old]);
    const sealed = v.sealPan('4242424242424242', 'enr_1');
    expect(sealed.keyId).toBe('k1');
    expect(sealed.ciphertext).not.toContain('4242424242424242');
    expect(v.fingerprintOf('4242424242424242')).toBe(cardFingerprint('4242424242424242', FP_KEY));

    // A minimal enrolment source with the port's compare-and-set semantics.
    const rows = new Map([['enr_1', { id: 'enr_1', keyId: sealed.keyId, panCiphertext: sealed.ciphertext }]]);
    const source = {
      async listSealedWithOtherKey({ keyId, startingAfter }: { keyId: string; startingAfter?: string }) {
        return [...rows.values()].filter(
          (r) => r.keyId !== keyId && (!startingAfter || r.id > startingAfter),
        );
      },
      async reseal(args: { id: string; expectedKeyId: string; keyId: string; panCiphertext: string }) {
        const row = rows.get(args.id);
        if (!row || row.keyId !== args.expectedKeyId) return false;
        rows.set(args.id, { id: args.id, keyId: args.keyId, panCiphertext: args.panCiphertext });
        return true;
      },
    };
    const next = key('k2');
    const rotating = new CardVault({
      keys: new VaultKeyRing([old, next]),
      storedCards: memoryRepository(),
      alsoRotate: [source],
      fingerprintKey: FP_KEY,
      clock,
    });
    expect(await rotating.rotate()).toEqual({ resealed: 1, skipped: 0, failed: [], keyId: 'k2' });
    const row = rows.get('enr_1')!;
    expect(row.keyId).toBe('k2');
    // Bound to the enrolment id: it opens there, under the new key alone.
    expect(new VaultKeyRing([next]).open({ keyId: row.keyId, ciphertext: row.panCiphertext }, 'enr_1')).toBe(
      '4242424242424242',
    );
    expect(() =>
      new VaultKeyRing([next]).open({ keyId: row.keyId, ciphertext: row.panCiphertext }, 'enr_2'),
    ).toThrow();
  });
});
