import { randomBytes } from 'node:crypto';
import { PayrailError, type User } from '@payrail/core';
import type { FastifyRequest } from 'fastify';
import { generateSecret, generateURI, verify } from 'otplib';
import { audit } from './audit';
import type { AccountsDeps } from './deps';
import { consumeToken } from './one-time-tokens';
import { assertCurrentPassword } from './password-change';
import { hashPassword, verifyPassword } from './password-hashing';
import { safeEqual, sha256Hex } from './secrets';
import { isSealedTotpSecret, openTotpSecret, requireSecretBox, sealTotpSecret } from './totp-secret-seal';
import { updateUser } from './user-record';

const RECOVERY_CODE_COUNT = 10;

/**
 * Recovery codes: 10 codes of 5+5 hex characters, shown once, stored as argon2id (see `isRecoveryCode`).
 * Codes issued before that are plain SHA-256 and still work.
 */
function newRecoveryCodes(): string[] {
  return Array.from({ length: RECOVERY_CODE_COUNT }, () => {
    const hex = randomBytes(5).toString('hex');
    return `${hex.slice(0, 5)}-${hex.slice(5)}`;
  });
}

const normaliseCode = (code: string) => code.trim().toLowerCase();

/**
 * Whether a stored recovery-code hash matches `code`. Codes are stored as argon2id (salted, slow): 40
 * random bits are too few for a plain SHA-256, which an exhaustive search over a database dump reverses
 * for every code of every user in one sweep of minutes. A legacy hash is a plain SHA-256 (64 hex).
 */
async function isRecoveryCode(stored: string, code: string): Promise<boolean> {
  return stored.startsWith('$argon2') ? verifyPassword(stored, code) : safeEqual(stored, sha256Hex(code));
}

/** True when `code` is the current TOTP (±1 step of 30 s for clock drift). */
async function totpMatches(secret: string, code: string, now: Date): Promise<boolean> {
  if (!/^\d{6}$/.test(code)) return false;
  const result = await verify({
    secret,
    token: code,
    epoch: Math.floor(now.getTime() / 1000),
    epochTolerance: 30,
  });
  return result.valid;
}

/** Starts enrolment: a new secret, not active until confirmed with a code. */
export async function startTotpEnrolment(deps: AccountsDeps, user: User, currentPassword: string) {
  await assertCurrentPassword(user, currentPassword);
  if (user.totpEnabledAt) {
    throw new PayrailError('PAYRAIL_ERR_VALIDATION', { message: 'Two-factor authentication is already on.' });
  }
  const box = requireSecretBox(deps.secretBox);
  const secret = generateSecret();
  await updateUser(
    deps.store,
    user.id,
    () => ({ totpSecret: sealTotpSecret(box, user.id, secret), totpEnabledAt: null }),
    deps.clock.now(),
  );
  const uri = generateURI({ issuer: deps.options.totpIssuer, label: user.login, secret });
  return { secret, otpauthUri: uri };
}

/** Confirms enrolment with a first code; returns the recovery codes (the only time they are shown). */
export async function confirmTotpEnrolment(
  deps: AccountsDeps,
  request: FastifyRequest,
  user: User,
  code: string,
) {
  const now = deps.clock.now();
  if (!user.totpSecret || user.totpEnabledAt) {
    throw new PayrailError('PAYRAIL_ERR_VALIDATION', {
      message: 'Start enrolment first (POST /v1/account/mfa/totp).',
    });
  }
  if (!(await totpMatches(openTotpSecret(deps.secretBox, user.id, user.totpSecret), code, now))) {
    throw new PayrailError('PAYRAIL_ERR_MFA_CODE_INVALID', { param: 'code' });
  }
  const codes = newRecoveryCodes();
  const hashes = await Promise.all(codes.map((c) => hashPassword(c)));
  const updated = await updateUser(
    deps.store,
    user.id,
    () => ({ totpEnabledAt: now, recoveryCodeHashes: hashes }),
    now,
  );
  await audit(deps.store, request, now, updated, 'mfa.enabled');
  return codes;
}

/**
 * A secret stored in clear before sealing existed is sealed on its first successful use (when the server
 * has a key; otherwise it stays as it is and keeps working).
 */
async function resealLegacySecret(deps: AccountsDeps, user: User, secret: string): Promise<void> {
  const stored = user.totpSecret;
  if (!stored || isSealedTotpSecret(stored) || !deps.secretBox) return;
  const sealed = sealTotpSecret(deps.secretBox, user.id, secret);
  await updateUser(
    deps.store,
    user.id,
    // Only if it is still the same legacy value (a concurrent disable or re-enrolment wins).
    (current) => (current.totpSecret === stored ? { totpSecret: sealed } : {}),
    deps.clock.now(),
  );
}

/** Checks a TOTP code or consumes a recovery code (each recovery code works once). */
export async function verifySecondFactor(
  deps: AccountsDeps,
  request: FastifyRequest,
  user: User,
  code: string,
): Promise<void> {
  const now = deps.clock.now();
  if (user.totpSecret) {
    const secret = openTotpSecret(deps.secretBox, user.id, user.totpSecret);
    if (await totpMatches(secret, code.trim(), now)) {
      await resealLegacySecret(deps, user, secret);
      return;
    }
  }
  // Six digits is a (wrong) TOTP code, never a recovery code (5+5 hex with a dash): no argon2 work.
  const candidate = normaliseCode(code);
  if (!/^\d{6}$/.test(candidate)) {
    for (const stored of user.recoveryCodeHashes) {
      if (!(await isRecoveryCode(stored, candidate))) continue;
      // Consumed by its stored hash, atomically: of two concurrent uses, one wins.
      if (await deps.store.users.consumeRecoveryCode({ id: user.id, codeHash: stored })) {
        await audit(deps.store, request, now, user, 'mfa.recovery_code_used');
        return;
      }
      break;
    }
  }
  throw new PayrailError('PAYRAIL_ERR_MFA_CODE_INVALID', { param: 'code' });
}

/** Second step of a login with 2FA: the token from the password step plus a code. */
export async function completeMfaLogin(
  deps: AccountsDeps,
  request: FastifyRequest,
  mfaToken: string,
  code: string,
): Promise<User> {
  const now = deps.clock.now();
  const token = await consumeToken(deps.store, {
    purpose: 'mfa_login',
    token: mfaToken,
    now,
    param: 'mfa_token',
  });
  const user = await deps.store.users.get({ id: token.userId });
  if (!user) throw new PayrailError('PAYRAIL_ERR_LOGIN_FAILED');
  await verifySecondFactor(deps, request, user, code);
  return user;
}

/** Turns 2FA off (password and a current code or recovery code required). */
export async function disableTotp(
  deps: AccountsDeps,
  request: FastifyRequest,
  user: User,
  input: { currentPassword: string; code: string },
): Promise<User> {
  await assertCurrentPassword(user, input.currentPassword);
  if (!user.totpEnabledAt) return user;
  await verifySecondFactor(deps, request, user, input.code);
  const now = deps.clock.now();
  const updated = await updateUser(
    deps.store,
    user.id,
    () => ({ totpSecret: null, totpEnabledAt: null, recoveryCodeHashes: [] }),
    now,
  );
  await audit(deps.store, request, now, updated, 'mfa.disabled');
  return updated;
}
