import { PayrailError, type Session, type User } from '@payrail/core';
import type { FastifyRequest } from 'fastify';

/** The logged-in user and session of a request under `/v1/account` (set by the session hook). */
export interface AccountContext {
  user: User;
  session: Session;
}

declare module 'fastify' {
  interface FastifyRequest {
    account: AccountContext | null;
  }
}

/** The caller on a route behind the session hook (a programming error if absent). */
export function accountOf(request: FastifyRequest): AccountContext {
  if (!request.account) {
    throw new PayrailError('PAYRAIL_ERR_INTERNAL', { message: 'Route is missing session authentication.' });
  }
  return request.account;
}
