import { newId, PayrailError, type Store, type User } from '@payrail/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { randomToken, sha256Hex } from './secrets';

/**
 * `__Host-` makes browsers accept the cookie only with Secure, Path=/ and no Domain, so no subdomain or
 * plain-HTTP page can set or shadow it.
 */
export const SESSION_COOKIE = '__Host-payrail_session';

const cookieOptions = (maxAgeMs: number) => ({
  path: '/',
  secure: true,
  httpOnly: true,
  sameSite: 'lax' as const,
  maxAge: Math.floor(maxAgeMs / 1000),
});

export function sessionTokenOf(request: FastifyRequest): string | undefined {
  const value = request.cookies[SESSION_COOKIE];
  return value && value.length <= 128 ? value : undefined;
}

/**
 * Starts a session after a successful login. The session is always new (rotation): a token planted in
 * the browser before login is revoked, never promoted (session fixation).
 */
export async function startSession(
  store: Store,
  request: FastifyRequest,
  reply: FastifyReply,
  user: User,
  now: Date,
  ttlMs: number,
) {
  const previous = sessionTokenOf(request);
  if (previous) {
    const old = await store.sessions.findActiveByHash({ tokenHash: sha256Hex(previous), now });
    if (old) await store.sessions.revoke({ userId: old.userId, id: old.id, now });
  }
  const token = randomToken();
  const session = {
    id: newId('session', now.getTime()),
    userId: user.id,
    tokenHash: sha256Hex(token),
    createdAt: now,
    expiresAt: new Date(now.getTime() + ttlMs),
    ip: request.ip,
    userAgent: String(request.headers['user-agent'] ?? '').slice(0, 512),
    revokedAt: null,
  };
  await store.sessions.insert({ session });
  reply.setCookie(SESSION_COOKIE, token, cookieOptions(ttlMs));
  return session;
}

export function clearSessionCookie(reply: FastifyReply): void {
  reply.clearCookie(SESSION_COOKIE, { path: '/', secure: true, httpOnly: true, sameSite: 'lax' });
}

/** Resolves the session cookie into `request.account`; 401 PAYRAIL_ERR_SESSION_REQUIRED otherwise. */
export async function authenticateSession(store: Store, request: FastifyRequest, now: Date): Promise<void> {
  const token = sessionTokenOf(request);
  if (!token) throw new PayrailError('PAYRAIL_ERR_SESSION_REQUIRED');
  const session = await store.sessions.findActiveByHash({ tokenHash: sha256Hex(token), now });
  const user = session ? await store.users.get({ id: session.userId }) : null;
  if (!session || !user) throw new PayrailError('PAYRAIL_ERR_SESSION_REQUIRED');
  request.account = { user, session };
}
