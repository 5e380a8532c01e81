import { type IssuerScope, PayrailError, type Store } from '@payrail/core';
import type { FastifyRequest } from 'fastify';
import { API_KEY_PATTERN, hashApiKey } from '../auth/api-keys';
import { modeOfIssuerKey } from '../auth/issuer-keys';

const BEARER = /^Bearer[ \t]+(\S+)[ \t]*$/i;

// The issuer of each authenticated request; a WeakMap keeps the merchant request type untouched.
const scopes = new WeakMap<FastifyRequest, IssuerScope>();

/**
 * Issuer API authentication: `Authorization: Bearer ik_test_…|ik_live_…`, looked up by SHA-256 in the
 * issuer repository. The scope `{ issuerId, mode }` is what every store call of the request gets, so
 * another issuer's range or enrolment is simply not found. A merchant key is refused with 403.
 */
export async function authenticateIssuerKey(store: Store, request: FastifyRequest): Promise<void> {
  const header = request.headers.authorization;
  if (header === undefined || header.trim() === '') throw new PayrailError('PAYRAIL_ERR_AUTH_MISSING');
  const secret = BEARER.exec(header)?.[1];
  if (secret !== undefined && API_KEY_PATTERN.test(secret)) {
    throw new PayrailError('PAYRAIL_ERR_ISSUER_KEY_REQUIRED');
  }
  const mode = secret === undefined ? null : modeOfIssuerKey(secret);
  if (secret === undefined || mode === null) {
    throw new PayrailError('PAYRAIL_ERR_AUTH_INVALID', {
      message:
        'The Authorization header must be "Bearer ik_test_…" or "Bearer ik_live_…" with an issuer API key.',
    });
  }
  const key = await store.issuers.findActiveKeyByHash({ secretHash: hashApiKey(secret) });
  if (!key || key.mode !== mode) throw new PayrailError('PAYRAIL_ERR_AUTH_INVALID');
  scopes.set(request, { issuerId: key.issuerId, mode: key.mode });
}

/** The issuer's scope on a route behind `authenticateIssuerKey` (a programming error if absent). */
export function issuerScopeOf(request: FastifyRequest): IssuerScope {
  const scope = scopes.get(request);
  if (!scope) {
    throw new PayrailError('PAYRAIL_ERR_INTERNAL', {
      message: 'Route is missing issuer key authentication.',
    });
  }
  return scope;
}
