import { PayrailError, type User } from '@payrail/core';
import type { FastifyRequest } from 'fastify';
import { audit } from './audit';
import type { AccountsDeps } from './deps';
import { consumeToken, issueToken } from './one-time-tokens';
import { assertCurrentPassword } from './password-change';
import { hashPassword, verifyPassword } from './password-hashing';
import { assertPasswordAllowed } from './password-policy';
import { updateUser } from './user-record';

/**
 * Money-moving operations from the personal account that need the financial password. A capture needs it
 * only for an amount other than the whole authorization; `webhook_settings.change` covers creating,
 * changing and deleting a webhook endpoint (bound to the endpoint id, null when creating).
 */
export type FinancialOperation =
  | 'payment.refund'
  | 'payment.cancel'
  | 'payment.capture'
  | 'api_key.create'
  | 'webhook_settings.change';

/** What a step-up token is bound to: one operation on one object (and amount, when there is one). */
export interface FinancialIntent {
  operation: FinancialOperation;
  objectId: string | null;
  amount: number | null;
}

/** Sets or changes the financial password; it must differ from the login password. */
export async function setFinancialPassword(
  deps: AccountsDeps,
  request: FastifyRequest,
  user: User,
  input: { currentPassword: string; financialPassword: string },
): Promise<User> {
  const { store, clock, options } = deps;
  await assertCurrentPassword(user, input.currentPassword);
  assertPasswordAllowed(options.passwordPolicy, input.financialPassword, user.login, 'financial_password');
  if (await verifyPassword(user.passwordHash, input.financialPassword)) {
    throw new PayrailError('PAYRAIL_ERR_PASSWORD_POLICY', {
      param: 'financial_password',
      message: 'The financial password must differ from the login password.',
      details: { rule: 'same_as_login_password' },
    });
  }
  const financialPasswordHash = await hashPassword(input.financialPassword);
  const now = clock.now();
  const updated = await updateUser(store, user.id, () => ({ financialPasswordHash }), now);
  await store.users.clearFailures({ id: user.id, kind: 'financial' });
  await audit(store, request, now, updated, 'financial_password.set');
  return updated;
}

/** Checks the financial password, counting wrong attempts separately from login failures. */
async function checkFinancialPassword(
  deps: AccountsDeps,
  request: FastifyRequest,
  user: User,
  password: string,
  intent: FinancialIntent,
): Promise<void> {
  const { store, clock, options } = deps;
  const now = clock.now();
  if (user.financialLockedUntil && user.financialLockedUntil > now) {
    throw new PayrailError('PAYRAIL_ERR_FINANCIAL_PASSWORD_LOCKED', {
      details: { locked_until: user.financialLockedUntil.toISOString() },
    });
  }
  if (!(await verifyPassword(user.financialPasswordHash ?? '', password))) {
    const counted = await store.users.recordFailure({
      id: user.id,
      kind: 'financial',
      maxFailures: options.maxFinancialFailures,
      lockUntil: new Date(now.getTime() + options.financialLockoutMs),
    });
    await audit(store, request, now, user, 'financial_password.failed', { operation: intent.operation });
    if (counted?.lockedNow && counted.lockedUntil) {
      await audit(store, request, now, user, 'financial_password.locked');
      throw new PayrailError('PAYRAIL_ERR_FINANCIAL_PASSWORD_LOCKED', {
        details: { locked_until: counted.lockedUntil.toISOString() },
      });
    }
    throw new PayrailError('PAYRAIL_ERR_FINANCIAL_PASSWORD_INVALID', { param: 'financial_password' });
  }
  if (user.financialFailures > 0) await store.users.clearFailures({ id: user.id, kind: 'financial' });
}

function assertHasFinancialPassword(user: User): void {
  if (!user.financialPasswordHash) {
    throw new PayrailError('PAYRAIL_ERR_FINANCIAL_PASSWORD_REQUIRED', {
      message: 'Set a financial password first (POST /v1/account/financial_password).',
    });
  }
}

/** Issues a step-up token for one operation, after checking the financial password. */
export async function issueStepUp(
  deps: AccountsDeps,
  request: FastifyRequest,
  user: User,
  password: string,
  intent: FinancialIntent,
) {
  assertHasFinancialPassword(user);
  await checkFinancialPassword(deps, request, user, password, intent);
  const now = deps.clock.now();
  return issueToken(deps.store, {
    purpose: 'step_up',
    userId: user.id,
    now,
    ttlMs: deps.options.stepUpTtlMs,
    data: { ...intent },
  });
}

/**
 * The gate in front of every money-moving operation: the call carries the financial password, or a
 * step-up token bound to exactly this operation, object and amount (single-use). Otherwise it fails
 * with PAYRAIL_ERR_FINANCIAL_PASSWORD_REQUIRED.
 */
export async function authorizeFinancialOperation(
  deps: AccountsDeps,
  request: FastifyRequest,
  user: User,
  intent: FinancialIntent,
  proof: { financialPassword?: string | undefined; stepUpToken?: string | undefined },
): Promise<void> {
  assertHasFinancialPassword(user);
  const now = deps.clock.now();
  if (proof.stepUpToken) {
    const token = await consumeToken(deps.store, {
      purpose: 'step_up',
      token: proof.stepUpToken,
      now,
      param: 'step_up_token',
    });
    const bound = token.data as Partial<FinancialIntent>;
    const matches =
      token.userId === user.id &&
      bound.operation === intent.operation &&
      (bound.objectId ?? null) === intent.objectId &&
      (bound.amount ?? null) === intent.amount;
    if (!matches) {
      throw new PayrailError('PAYRAIL_ERR_FINANCIAL_PASSWORD_INVALID', {
        param: 'step_up_token',
        message: 'The step-up token was issued for another operation, object or amount.',
      });
    }
  } else if (proof.financialPassword) {
    await checkFinancialPassword(deps, request, user, proof.financialPassword, intent);
  } else {
    throw new PayrailError('PAYRAIL_ERR_FINANCIAL_PASSWORD_REQUIRED');
  }
  await audit(deps.store, request, now, user, 'financial_password.used', {
    operation: intent.operation,
    object_id: intent.objectId,
    amount: intent.amount,
    via: proof.stepUpToken ? 'step_up_token' : 'financial_password',
  });
}
