import type { AccountType, LoginKind, PaymentNotificationPreferences, User, UserRole } from '@payrail/core';
import type { Column } from './sql';

export interface UserRow {
  id: string;
  account_type: AccountType;
  role: UserRole;
  merchant_id: string | null;
  login: string;
  login_kind: LoginKind;
  email_confirmed_at: Date | null;
  telegram_id: string | null;
  telegram_confirmed_at: Date | null;
  password_hash: string;
  financial_password_hash: string | null;
  totp_secret: string | null;
  totp_enabled_at: Date | null;
  recovery_code_hashes: string[];
  notify_channel: 'email' | 'telegram';
  payment_notifications: PaymentNotificationPreferences | null;
  locale: string;
  login_failures: number;
  login_locked_until: Date | null;
  financial_failures: number;
  financial_locked_until: Date | null;
  created_at: Date;
  updated_at: Date;
  version: number;
}

/** Every column but the id; `update` sets all of these. */
export const USER_DATA_COLUMNS: readonly Column<User>[] = [
  { name: 'account_type', value: (u) => u.accountType },
  { name: 'role', value: (u) => u.role },
  { name: 'merchant_id', value: (u) => u.merchantId },
  { name: 'login', value: (u) => u.login },
  { name: 'login_kind', value: (u) => u.loginKind },
  { name: 'email_confirmed_at', value: (u) => u.emailConfirmedAt },
  { name: 'telegram_id', value: (u) => u.telegramId },
  { name: 'telegram_confirmed_at', value: (u) => u.telegramConfirmedAt },
  { name: 'password_hash', value: (u) => u.passwordHash },
  { name: 'financial_password_hash', value: (u) => u.financialPasswordHash },
  { name: 'totp_secret', value: (u) => u.totpSecret },
  { name: 'totp_enabled_at', value: (u) => u.totpEnabledAt },
  { name: 'recovery_code_hashes', json: 'jsonb', value: (u) => u.recoveryCodeHashes },
  { name: 'notify_channel', value: (u) => u.notifyChannel },
  { name: 'payment_notifications', json: 'jsonb', value: (u) => u.paymentNotifications ?? null },
  { name: 'locale', value: (u) => u.locale },
  { name: 'login_failures', value: (u) => u.loginFailures },
  { name: 'login_locked_until', value: (u) => u.loginLockedUntil },
  { name: 'financial_failures', value: (u) => u.financialFailures },
  { name: 'financial_locked_until', value: (u) => u.financialLockedUntil },
  { name: 'created_at', value: (u) => u.createdAt },
  { name: 'updated_at', value: (u) => u.updatedAt },
  { name: 'version', value: (u) => u.version },
];

export const USER_COLUMNS: readonly Column<User>[] = [
  { name: 'id', value: (u) => u.id },
  ...USER_DATA_COLUMNS,
];

export function rowToUser(row: UserRow): User {
  return {
    id: row.id,
    accountType: row.account_type,
    role: row.role,
    merchantId: row.merchant_id,
    login: row.login,
    loginKind: row.login_kind,
    emailConfirmedAt: row.email_confirmed_at,
    telegramId: row.telegram_id,
    telegramConfirmedAt: row.telegram_confirmed_at,
    passwordHash: row.password_hash,
    financialPasswordHash: row.financial_password_hash,
    totpSecret: row.totp_secret,
    totpEnabledAt: row.totp_enabled_at,
    recoveryCodeHashes: row.recovery_code_hashes,
    notifyChannel: row.notify_channel,
    // Optional on User: absent until the buyer chooses (as the MongoDB store reads it back).
    ...(row.payment_notifications ? { paymentNotifications: row.payment_notifications } : {}),
    locale: row.locale,
    loginFailures: row.login_failures,
    loginLockedUntil: row.login_locked_until,
    financialFailures: row.financial_failures,
    financialLockedUntil: row.financial_locked_until,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    version: row.version,
  };
}
