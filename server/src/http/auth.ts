import { PayrailError } from '@payrail/core';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { hashApiKey, modeOfApiKey } from '../auth/api-keys';
import { LiveModeGate } from '../onboarding/live-mode-gate';

/**
 * Merchant API authentication: `Authorization: Bearer sk_test_…|sk_live_…`. The key is looked up by its
 * SHA-256 (no secret comparison in application code); its mode comes from the stored key, and the
 * resulting scope `{ merchantId, mode }` is what every store and orchestrator call of the request gets,
 * so test and live data never mix and another merchant's object is simply not found.
 */
const BEARER = /^Bearer[ \t]+(\S+)[ \t]*$/i;

async function authPlugin(app: FastifyInstance) {
  const liveMode = new LiveModeGate(app.services.store);
  app.decorate('authenticateApiKey', async (request: FastifyRequest) => {
    const header = request.headers.authorization;
    if (header === undefined || header.trim() === '') {
      throw new PayrailError('PAYRAIL_ERR_AUTH_MISSING');
    }
    const secret = BEARER.exec(header)?.[1];
    const mode = secret === undefined ? null : modeOfApiKey(secret);
    if (secret === undefined || mode === null) {
      throw new PayrailError('PAYRAIL_ERR_AUTH_INVALID', {
        message:
          'The Authorization header must be "Bearer sk_test_…" or "Bearer sk_live_…" with a valid API key.',
      });
    }
    const key = await app.services.store.apiKeys.findActiveByHash({ secretHash: hashApiKey(secret) });
    if (!key || key.mode !== mode) throw new PayrailError('PAYRAIL_ERR_AUTH_INVALID');
    // Keys created in the personal account may expire; last use is recorded at most once a minute.
    const now = app.services.clock.now();
    if (key.expiresAt && key.expiresAt <= now) {
      throw new PayrailError('PAYRAIL_ERR_AUTH_INVALID', { message: 'The API key has expired.' });
    }
    // Self-registered merchants get live mode only when the PSP approves their application (onboarding).
    if (key.mode === 'live') await liveMode.assertOpen(key.merchantId);
    const staleBefore = new Date(now.getTime() - 60_000);
    if (!key.lastUsedAt || key.lastUsedAt < staleBefore) {
      await app.services.store.apiKeys.touch({ id: key.id, now, ifOlderThan: staleBefore });
    }
    request.merchantScope = { merchantId: key.merchantId, mode: key.mode };
  });
}

export const apiKeyAuth = fp(authPlugin, {
  name: 'payrail-auth',
  fastify: '5.x',
  dependencies: ['payrail-services', 'payrail-errors'],
});

/** The caller's scope on a route behind `authenticateApiKey` (a programming error if absent). */
export function scopeOf(request: FastifyRequest) {
  const scope = request.merchantScope;
  if (!scope)
    throw new PayrailError('PAYRAIL_ERR_INTERNAL', { message: 'Route is missing API key authentication.' });
  return scope;
}
