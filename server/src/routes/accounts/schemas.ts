import { z } from 'zod';
import { loginSchema } from '../../accounts/login-name';
import { telegramAuthSchema } from '../../accounts/telegram-login';

/** Passwords are checked against the policy in code (exact rule messages); here only a hard cap. */
const passwordField = (name: string) =>
  z
    .string({ error: `${name} is required` })
    .min(1, `${name} is required`)
    .max(1024, `${name} is too long`);

const tokenField = (name: string) =>
  z
    .string({ error: `${name} is required` })
    .min(16)
    .max(128);

export const registerBody = z.strictObject({
  login: loginSchema.describe('An email address or a Telegram @username.'),
  password: passwordField('password'),
  account_type: z.enum(['merchant', 'buyer']),
  merchant_name: z.string().trim().min(1).max(200).optional(),
  locale: z.enum(['en', 'ru']).default('en'),
});

export const loginBody = z.strictObject({
  login: z.string().min(1).max(254),
  password: passwordField('password'),
});

export const mfaLoginBody = z.strictObject({
  mfa_token: tokenField('mfa_token'),
  code: z.string().min(6).max(16),
});

export const tokenBody = z.strictObject({ token: tokenField('token') });

export const telegramConfirmBody = z.strictObject({
  login: loginSchema,
  password: passwordField('password'),
  telegram: telegramAuthSchema,
});

export const forgotBody = z.strictObject({ login: z.string().min(1).max(254) });

export const resetBody = z.strictObject({
  token: tokenField('token'),
  new_password: passwordField('new_password'),
});

export const changePasswordBody = z.strictObject({
  current_password: passwordField('current_password'),
  new_password: passwordField('new_password'),
});

export const financialPasswordBody = z.strictObject({
  current_password: passwordField('current_password'),
  financial_password: passwordField('financial_password'),
});

export const financialProof = {
  financial_password: passwordField('financial_password').optional(),
  step_up_token: tokenField('step_up_token').optional(),
};

export const stepUpBody = z.strictObject({
  financial_password: passwordField('financial_password'),
  operation: z.enum([
    'payment.refund',
    'payment.cancel',
    'payment.capture',
    'api_key.create',
    'webhook_settings.change',
  ]),
  object_id: z.string().min(1).max(64).nullish(),
  amount: z.number().int().positive().nullish(),
});

export const sessionIdParams = z.strictObject({ id: z.string().min(1).max(64) });

export const totpStartBody = z.strictObject({ current_password: passwordField('current_password') });
export const totpConfirmBody = z.strictObject({ code: z.string().regex(/^\d{6}$/, 'code must be 6 digits') });
export const totpDisableBody = z.strictObject({
  current_password: passwordField('current_password'),
  code: z.string().min(6).max(16),
});

export const createApiKeyBody = z.strictObject({
  mode: z.enum(['test', 'live']),
  expires_at: z.iso.datetime({ offset: true }).optional(),
  ...financialProof,
});

export const auditQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  starting_after: z.string().max(64).optional(),
});

export const accountPaymentsQuery = z.strictObject({
  mode: z.enum(['test', 'live']).default('test'),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  starting_after: z.string().max(64).optional(),
});

export const notificationSettingsBody = z.strictObject({
  notify_channel: z.enum(['email', 'telegram']).optional(),
  locale: z.enum(['en', 'ru']).optional(),
});

export const inviteStaffBody = z.strictObject({
  login: z.email().max(254),
  locale: z.enum(['en', 'ru']).default('en'),
});

export const changeRoleBody = z.strictObject({ role: z.enum(['owner', 'staff']) });
