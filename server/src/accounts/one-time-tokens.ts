import { type AccountTokenPurpose, newId, PayrailError, type Store } from '@payrail/core';
import { randomToken, sha256Hex } from './secrets';

/** Issues a single-use token; only its SHA-256 is stored. Returns the token to hand out. */
export async function issueToken(
  store: Store,
  args: {
    purpose: AccountTokenPurpose;
    userId: string;
    now: Date;
    ttlMs: number;
    data?: Record<string, unknown>;
  },
): Promise<{ token: string; expiresAt: Date }> {
  const token = randomToken();
  const expiresAt = new Date(args.now.getTime() + args.ttlMs);
  await store.accountTokens.insert({
    token: {
      id: newId('accountToken', args.now.getTime()),
      purpose: args.purpose,
      userId: args.userId,
      tokenHash: sha256Hex(token),
      data: args.data ?? {},
      createdAt: args.now,
      expiresAt,
      usedAt: null,
    },
  });
  return { token, expiresAt };
}

/** Consumes a token once; unknown, expired and reused tokens are distinct errors. */
export async function consumeToken(
  store: Store,
  args: { purpose: AccountTokenPurpose; token: string; now: Date; param: string },
) {
  const result = await store.accountTokens.consume({
    tokenHash: sha256Hex(args.token),
    purpose: args.purpose,
    now: args.now,
  });
  if (result.ok) return result.token;
  const code =
    result.reason === 'expired'
      ? 'PAYRAIL_ERR_TOKEN_EXPIRED'
      : result.reason === 'used'
        ? 'PAYRAIL_ERR_TOKEN_USED'
        : 'PAYRAIL_ERR_TOKEN_INVALID';
  throw new PayrailError(code, { param: args.param });
}
