import { PayrailError } from '@payrail/core';
import { COMMON_PASSWORDS } from './common-passwords';

export type PasswordRule =
  | 'min_length'
  | 'max_length'
  | 'lowercase'
  | 'uppercase'
  | 'digit'
  | 'common'
  | 'contains_login';

/** The product's password rule, configurable per deployment (README: PAYRAIL_PASSWORD_*). */
export interface PasswordPolicy {
  minLength: number;
  maxLength: number;
  requireLowercase: boolean;
  requireUppercase: boolean;
  requireDigit: boolean;
  /** Lower-cased passwords that are refused whatever their case; empty: no list check. */
  blocklist: ReadonlySet<string>;
  rejectContainingLogin: boolean;
}

export const DEFAULT_PASSWORD_POLICY: PasswordPolicy = {
  minLength: 8,
  maxLength: 128,
  requireLowercase: true,
  requireUppercase: true,
  requireDigit: true,
  blocklist: new Set(COMMON_PASSWORDS),
  rejectContainingLogin: true,
};

export interface PasswordViolation {
  rule: PasswordRule;
  message: string;
}

/** The parts of a login a password must not contain: the whole login and its name part. */
function loginParts(login: string): string[] {
  const lower = login.toLowerCase();
  const name = lower.startsWith('@') ? lower.slice(1) : lower.split('@')[0];
  return [lower, name ?? ''].filter((part) => part.length >= 3);
}

/** The first rule the password breaks, in a fixed order, with a message naming it exactly. */
export function checkPassword(
  policy: PasswordPolicy,
  password: string,
  login?: string,
): PasswordViolation | null {
  const length = [...password].length;
  if (length < policy.minLength) {
    return {
      rule: 'min_length',
      message: `The password must be at least ${policy.minLength} characters long.`,
    };
  }
  if (length > policy.maxLength) {
    return {
      rule: 'max_length',
      message: `The password must be at most ${policy.maxLength} characters long.`,
    };
  }
  if (policy.requireLowercase && !/\p{Ll}/u.test(password)) {
    return { rule: 'lowercase', message: 'The password must contain a lower-case letter.' };
  }
  if (policy.requireUppercase && !/\p{Lu}/u.test(password)) {
    return { rule: 'uppercase', message: 'The password must contain an upper-case letter.' };
  }
  if (policy.requireDigit && !/\p{Nd}/u.test(password)) {
    return { rule: 'digit', message: 'The password must contain a digit.' };
  }
  const lower = password.toLowerCase();
  if (policy.blocklist.has(lower)) {
    return { rule: 'common', message: 'The password is one of the most common passwords; choose another.' };
  }
  if (policy.rejectContainingLogin && login && loginParts(login).some((part) => lower.includes(part))) {
    return { rule: 'contains_login', message: 'The password must not contain the login.' };
  }
  return null;
}

/** Throws PAYRAIL_ERR_PASSWORD_POLICY naming the broken rule. */
export function assertPasswordAllowed(
  policy: PasswordPolicy,
  password: string,
  login: string | undefined,
  param = 'password',
): void {
  const violation = checkPassword(policy, password, login);
  if (violation) {
    throw new PayrailError('PAYRAIL_ERR_PASSWORD_POLICY', {
      param,
      message: violation.message,
      details: { rule: violation.rule },
    });
  }
}
