import { type IssuerApiKey, isId, type Mode, PayrailError, type Store } from '@payrail/core';
import { generateIssuerKey } from '../auth/issuer-keys';

const issuerNotFound = (id: string) =>
  new PayrailError('PAYRAIL_ERR_NOT_FOUND', { param: 'id', message: `No issuer ${id.slice(0, 64)}.` });

/**
 * A new key for an existing issuer (rotation): the secret is returned once, only its hash is stored. The
 * issuer's other keys keep working until revoked, so it can switch over without downtime.
 */
export async function addIssuerKey(
  store: Store,
  args: { issuerId: string; mode: Mode; now: Date },
): Promise<{ key: IssuerApiKey; secret: string }> {
  const issuer = isId('issuer', args.issuerId) ? await store.issuers.get({ id: args.issuerId }) : null;
  if (!issuer) throw issuerNotFound(args.issuerId);
  const { secret, record } = generateIssuerKey(issuer.id, args.mode, args.now);
  await store.issuers.addKey({ apiKey: record });
  return { key: record, secret };
}

/**
 * Revokes one of the issuer's keys. Issuer requests look the key up on every call (issuer-auth.ts), so
 * the next request with it is refused. Revoking a revoked key answers it unchanged.
 */
export async function revokeIssuerKey(
  store: Store,
  args: { issuerId: string; keyId: string; now: Date },
): Promise<IssuerApiKey> {
  const issuer = isId('issuer', args.issuerId) ? await store.issuers.get({ id: args.issuerId }) : null;
  if (!issuer) throw issuerNotFound(args.issuerId);
  const key = isId('apiKey', args.keyId)
    ? await store.issuers.revokeKey({ issuerId: issuer.id, id: args.keyId, now: args.now })
    : null;
  if (!key) {
    throw new PayrailError('PAYRAIL_ERR_NOT_FOUND', {
      param: 'key_id',
      message: `Issuer ${issuer.id} has no key ${args.keyId.slice(0, 64)}.`,
    });
  }
  return key;
}
