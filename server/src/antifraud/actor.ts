import type { Store } from '@payrail/core';
import type { FastifyRequest } from 'fastify';
import { hashApiKey } from '../auth/api-keys';

const BEARER = /^Bearer[ \t]+(\S+)[ \t]*$/i;

/**
 * Who is making an antifraud change, for the audit trail: the id of the API key the request was
 * authenticated with (the auth hook already checked it; this looks the key up again by its hash, which
 * only configuration calls pay for). Merchant users will replace keys as actors with the accounts issue.
 */
export async function actorOf(store: Store, request: FastifyRequest): Promise<string> {
  const secret = BEARER.exec(request.headers.authorization ?? '')?.[1];
  const key = secret ? await store.apiKeys.findActiveByHash({ secretHash: hashApiKey(secret) }) : null;
  return key ? `api_key:${key.id}` : 'unknown';
}
