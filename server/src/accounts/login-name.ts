import type { LoginKind } from '@payrail/core';
import { z } from 'zod';

/** Telegram usernames: 5–32 characters, letters, digits and underscores, starting with a letter. */
const TELEGRAM_USERNAME = /^@[A-Za-z][A-Za-z0-9_]{4,31}$/;

export interface LoginName {
  /** Lower-case form stored and looked up (logins are case-insensitive). */
  login: string;
  kind: LoginKind;
}

/** An email address or a Telegram `@username`, normalised; null when it is neither. */
export function parseLogin(input: string): LoginName | null {
  const value = input.trim();
  if (TELEGRAM_USERNAME.test(value)) return { login: value.toLowerCase(), kind: 'telegram' };
  if (value.length <= 254 && z.email().safeParse(value).success) {
    return { login: value.toLowerCase(), kind: 'email' };
  }
  return null;
}

export const loginSchema = z
  .string()
  .min(1)
  .max(254)
  .refine((value) => parseLogin(value) !== null, {
    message: 'login must be an email address or a Telegram @username (5–32 letters, digits or _).',
  });
