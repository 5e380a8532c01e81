import { randomBytes } from 'node:crypto';
import { type IssuerApiKey, newId } from '@payrail/core';
import { expect } from 'vitest';
import type { ContractCase } from '../contract';
import { seedIssuer } from './issuers';

export const issuerKeyCases: ContractCase[] = [
  {
    name: 'issuers: listed; keys added, listed per issuer and revoked (only their own, effective at once)',
    async run({ store }) {
      const { issuer, key: first } = await seedIssuer(store);
      const { issuer: other, key: otherKey } = await seedIssuer(store);
      const ids = (await store.issuers.list()).map((i) => i.id);
      expect(ids).toEqual(expect.arrayContaining([issuer.id, other.id]));
      expect(ids.indexOf(issuer.id)).toBeLessThan(ids.indexOf(other.id));

      const second: IssuerApiKey = {
        ...first,
        id: newId('apiKey'),
        secretHash: randomBytes(32).toString('hex'),
        createdAt: new Date(),
      };
      await store.issuers.addKey({ apiKey: second });
      expect(await store.issuers.listKeys({ issuerId: issuer.id })).toEqual([first, second]);
      expect(await store.issuers.listKeys({ issuerId: other.id })).toEqual([otherKey]);

      const now = new Date();
      // Another issuer's key is not theirs to revoke.
      expect(await store.issuers.revokeKey({ issuerId: issuer.id, id: otherKey.id, now })).toBeNull();
      expect(await store.issuers.findActiveKeyByHash({ secretHash: otherKey.secretHash })).toEqual(otherKey);

      const revoked = await store.issuers.revokeKey({ issuerId: issuer.id, id: first.id, now });
      expect(revoked).toEqual({ ...first, revokedAt: now });
      expect(await store.issuers.findActiveKeyByHash({ secretHash: first.secretHash })).toBeNull();
      expect(await store.issuers.findActiveKeyByHash({ secretHash: second.secretHash })).toEqual(second);
      // Revoking again keeps the first revocation time.
      const again = await store.issuers.revokeKey({
        issuerId: issuer.id,
        id: first.id,
        now: new Date(now.getTime() + 1000),
      });
      expect(again?.revokedAt?.getTime()).toBe(now.getTime());
    },
  },
];
