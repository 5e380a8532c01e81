import { type Issuer, newId, PayrailError, type Store } from '@payrail/core';
import { generateIssuerKey } from '../auth/issuer-keys';

export interface CreatedIssuer {
  issuer: Issuer;
  /** The secrets, shown once: only their hashes are stored. */
  keys: { test: string; live: string };
}

/** Creates an issuer account with a test and a live key (`payrail issuer create`, the back office). */
export async function createIssuer(store: Store, args: { name: string; now: Date }): Promise<CreatedIssuer> {
  const name = args.name.trim();
  if (name === '' || name.length > 200) {
    throw new PayrailError('PAYRAIL_ERR_VALIDATION', {
      param: 'name',
      message: 'The issuer name must be 1 to 200 characters.',
    });
  }
  const issuer: Issuer = { id: newId('issuer', args.now.getTime()), name, createdAt: args.now };
  const test = generateIssuerKey(issuer.id, 'test', args.now);
  const live = generateIssuerKey(issuer.id, 'live', args.now);
  await store.issuers.create({ issuer, apiKeys: [test.record, live.record] });
  return { issuer, keys: { test: test.secret, live: live.secret } };
}
