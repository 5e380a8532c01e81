import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { type Logger, PayrailError } from '@payrail/core';
import { z } from 'zod';
import { ACCOUNT_DEFAULTS, type AccountsOptions } from './accounts-options';
import { logOnlyMailer, type SmtpOptions, smtpMailer } from './notifications/mailer';
import { createNotifier } from './notifications/notifier';
import { telegramBot } from './notifications/telegram-bot';
import { DEFAULT_PASSWORD_POLICY, type PasswordPolicy } from './password-policy';

/** Accounts settings from the environment (README: "Accounts and notifications"). */
export interface AccountsConfig {
  accountUrl: string | undefined;
  cookieSecret: string | undefined;
  passwordPolicy: PasswordPolicy;
  rateLimitPerIp: number;
  smtp: SmtpOptions | null;
  telegramBotToken: string | null;
  telegramApiUrl: string | undefined;
}

const env = z.object({
  PAYRAIL_ACCOUNT_URL: z.url().optional(),
  PAYRAIL_COOKIE_SECRET: z.string().min(32).optional(),
  PAYRAIL_PASSWORD_MIN_LENGTH: z.coerce.number().int().min(6).max(128).default(8),
  PAYRAIL_PASSWORD_MAX_LENGTH: z.coerce.number().int().min(8).max(1024).default(128),
  PAYRAIL_PASSWORD_REQUIRE: z
    .string()
    .trim()
    .regex(/^((lower|upper|digit)(,(lower|upper|digit))*)?$/, 'a comma-separated list of lower, upper, digit')
    .default('lower,upper,digit'),
  PAYRAIL_PASSWORD_BLOCKLIST_FILE: z.string().trim().min(1).optional(),
  PAYRAIL_AUTH_RATE_LIMIT: z.coerce
    .number()
    .int()
    .min(1)
    .max(100_000)
    .default(ACCOUNT_DEFAULTS.rateLimitPerIp),
  PAYRAIL_SMTP_HOST: z.string().trim().min(1).optional(),
  PAYRAIL_SMTP_PORT: z.coerce.number().int().min(1).max(65535).default(587),
  PAYRAIL_SMTP_TLS: z.enum(['tls', 'starttls', 'none']).default('starttls'),
  PAYRAIL_SMTP_USER: z.string().optional(),
  PAYRAIL_SMTP_PASSWORD: z.string().optional(),
  PAYRAIL_SMTP_FROM: z.string().trim().min(3).default('Payrail <no-reply@localhost>'),
  PAYRAIL_TELEGRAM_BOT_TOKEN: z
    .string()
    .regex(/^\d+:[\w-]{20,}$/, 'must look like 123456:ABC-…')
    .optional(),
  PAYRAIL_TELEGRAM_API_URL: z.url().optional(),
});

export function loadAccountsConfig(source: NodeJS.ProcessEnv): AccountsConfig {
  const parsed = env.safeParse(source);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new PayrailError('PAYRAIL_ERR_CONFIG', {
      message: `Invalid environment variable ${String(issue?.path[0])}: ${issue?.message}.`,
    });
  }
  const e = parsed.data;
  const required = new Set(e.PAYRAIL_PASSWORD_REQUIRE.split(',').filter(Boolean));
  let blocklist = DEFAULT_PASSWORD_POLICY.blocklist;
  if (e.PAYRAIL_PASSWORD_BLOCKLIST_FILE) {
    let text: string;
    try {
      text = readFileSync(e.PAYRAIL_PASSWORD_BLOCKLIST_FILE, 'utf8');
    } catch (error) {
      throw new PayrailError('PAYRAIL_ERR_CONFIG', {
        message: `PAYRAIL_PASSWORD_BLOCKLIST_FILE cannot be read: ${(error as Error).message}`,
      });
    }
    const extra = text
      .split(/\r?\n/)
      .map((line) => line.trim().toLowerCase())
      .filter(Boolean);
    blocklist = new Set([...blocklist, ...extra]);
  }
  return {
    accountUrl: e.PAYRAIL_ACCOUNT_URL?.replace(/\/$/, ''),
    cookieSecret: e.PAYRAIL_COOKIE_SECRET,
    passwordPolicy: {
      minLength: e.PAYRAIL_PASSWORD_MIN_LENGTH,
      maxLength: Math.max(e.PAYRAIL_PASSWORD_MAX_LENGTH, e.PAYRAIL_PASSWORD_MIN_LENGTH),
      requireLowercase: required.has('lower'),
      requireUppercase: required.has('upper'),
      requireDigit: required.has('digit'),
      blocklist,
      rejectContainingLogin: true,
    },
    rateLimitPerIp: e.PAYRAIL_AUTH_RATE_LIMIT,
    smtp: e.PAYRAIL_SMTP_HOST
      ? {
          host: e.PAYRAIL_SMTP_HOST,
          port: e.PAYRAIL_SMTP_PORT,
          tls: e.PAYRAIL_SMTP_TLS,
          ...(e.PAYRAIL_SMTP_USER ? { user: e.PAYRAIL_SMTP_USER } : {}),
          ...(e.PAYRAIL_SMTP_PASSWORD ? { password: e.PAYRAIL_SMTP_PASSWORD } : {}),
          from: e.PAYRAIL_SMTP_FROM,
        }
      : null,
    telegramBotToken: e.PAYRAIL_TELEGRAM_BOT_TOKEN ?? null,
    telegramApiUrl: e.PAYRAIL_TELEGRAM_API_URL,
  };
}

/** Builds the runtime options (mailer, bot, notifier) from the configuration. */
export function createAccountsOptions(
  config: AccountsConfig,
  publicUrl: string,
  logger: Logger,
  overrides: Partial<AccountsOptions> = {},
): AccountsOptions {
  const mailer = config.smtp ? smtpMailer(config.smtp) : logOnlyMailer(logger);
  const telegram = config.telegramBotToken
    ? telegramBot({
        token: config.telegramBotToken,
        ...(config.telegramApiUrl ? { apiOrigin: config.telegramApiUrl } : {}),
      })
    : null;
  if (!config.cookieSecret) {
    logger.warn(
      {},
      'PAYRAIL_COOKIE_SECRET is not set: CSRF tokens are valid only until this process restarts',
    );
  }
  return {
    ...ACCOUNT_DEFAULTS,
    accountUrl: config.accountUrl ?? publicUrl,
    passwordPolicy: config.passwordPolicy,
    cookieSecret: config.cookieSecret ?? randomBytes(32).toString('hex'),
    rateLimitPerIp: config.rateLimitPerIp,
    telegramBotToken: config.telegramBotToken,
    notifier: createNotifier({ mailer, telegram, logger }),
    ...overrides,
  };
}

/** Defaults for an app built without configuration (tests, embedding): no SMTP, no Telegram. */
export function defaultAccountsOptions(publicUrl: string, logger: Logger): AccountsOptions {
  return createAccountsOptions(loadAccountsConfig({}), publicUrl, logger);
}
