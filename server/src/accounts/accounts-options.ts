import type { Notifier } from './notifications/notifier';
import { DEFAULT_PASSWORD_POLICY, type PasswordPolicy } from './password-policy';

/** Everything configurable about accounts; `resolveAccountsOptions` fills the defaults. */
export interface AccountsOptions {
  /** Where links in messages point (the personal account's pages); default the public URL. */
  accountUrl: string;
  passwordPolicy: PasswordPolicy;
  /** Key of the CSRF token HMAC; ≥ 32 chars. Unset: random per process (tokens die at restart). */
  cookieSecret: string;
  /** Session lifetime (default 7 days). */
  sessionTtlMs: number;
  /** Login failures before a temporary lock (10) and the lock's length (15 min). */
  maxLoginFailures: number;
  lockoutMs: number;
  /** Financial password failures before its lock (5) and the lock's length (15 min). */
  maxFinancialFailures: number;
  financialLockoutMs: number;
  emailConfirmationTtlMs: number;
  passwordResetTtlMs: number;
  /** Lifetime of a step-up token and of the 2FA step of a login (5 min). */
  stepUpTtlMs: number;
  /** Per-IP limit on /v1/auth/* (requests per minute) and per-login limit on login and recovery. */
  rateLimitPerIp: number;
  rateLimitPerLogin: number;
  /** Telegram bot token: verifies Login Widget data; null → Telegram logins cannot be confirmed. */
  telegramBotToken: string | null;
  /** Name shown in authenticator apps. */
  totpIssuer: string;
  notifier: Notifier;
}

export const ACCOUNT_DEFAULTS = {
  passwordPolicy: DEFAULT_PASSWORD_POLICY,
  sessionTtlMs: 7 * 24 * 60 * 60 * 1000,
  maxLoginFailures: 10,
  lockoutMs: 15 * 60 * 1000,
  maxFinancialFailures: 5,
  financialLockoutMs: 15 * 60 * 1000,
  emailConfirmationTtlMs: 24 * 60 * 60 * 1000,
  passwordResetTtlMs: 60 * 60 * 1000,
  stepUpTtlMs: 5 * 60 * 1000,
  rateLimitPerIp: 30,
  rateLimitPerLogin: 10,
  telegramBotToken: null,
  totpIssuer: 'Payrail',
} as const;
