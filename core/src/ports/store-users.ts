/**
 * People with an account in the personal account (merchant owners and staff, buyers, issuers, PSP staff).
 * Every method touches one user record, so a document store implements each with one atomic operation.
 */
export type AccountType = 'merchant' | 'buyer' | 'issuer' | 'psp';

/** owner/staff belong to a merchant; admin/support are PSP staff; buyer and issuer have their own role. */
export type UserRole = 'owner' | 'staff' | 'buyer' | 'issuer' | 'admin' | 'support';

export type LoginKind = 'email' | 'telegram';

/** How a buyer hears of one kind of payment event: `none` turns it off. */
export type PaymentNotifyChannel = 'email' | 'telegram' | 'none';

/** A buyer's payment notification channels (payments made with their confirmed contact). */
export interface PaymentNotificationPreferences {
  succeeded: PaymentNotifyChannel;
  declined: PaymentNotifyChannel;
  refunded: PaymentNotifyChannel;
}

/** Which failure counter a wrong secret increments: the login password or the financial password. */
export type FailureKind = 'login' | 'financial';

export interface User {
  id: string;
  accountType: AccountType;
  role: UserRole;
  /** The merchant an owner or staff user acts for; null for other account types. */
  merchantId: string | null;
  /** Normalised login: a lower-case email address or a lower-case `@username`. Unique. */
  login: string;
  loginKind: LoginKind;
  /** Set once the email login is confirmed by its link. */
  emailConfirmedAt: Date | null;
  /** Numeric Telegram id bound by a verified Login Widget payload. Unique when set. */
  telegramId: string | null;
  telegramConfirmedAt: Date | null;
  /** argon2id PHC string. */
  passwordHash: string;
  /** argon2id PHC string of the second-level (financial) password, or null when not set. */
  financialPasswordHash: string | null;
  /** Base32 TOTP secret; `totpEnabledAt` null means enrolment was started but not confirmed. */
  totpSecret: string | null;
  totpEnabledAt: Date | null;
  /** SHA-256 hex of each unused recovery code. */
  recoveryCodeHashes: string[];
  /** Preferred channel for notifications. */
  notifyChannel: 'email' | 'telegram';
  /**
   * A buyer's choice of channel per payment notification; absent or null: `notifyChannel` for each.
   * Older records (and other account types) have none.
   */
  paymentNotifications?: PaymentNotificationPreferences | null;
  /** 'en' or 'ru'. */
  locale: string;
  loginFailures: number;
  loginLockedUntil: Date | null;
  financialFailures: number;
  financialLockedUntil: Date | null;
  createdAt: Date;
  updatedAt: Date;
  /** Optimistic concurrency: `update` succeeds only while the stored version equals `expectedVersion`. */
  version: number;
}

export type UserInsertResult = { ok: true } | { ok: false; reason: 'login_taken' };

export type UserUpdateResult =
  | { ok: true; user: User }
  | { ok: false; reason: 'version_conflict' | 'telegram_id_taken' };

export interface UserRepository {
  insert(args: { user: User }): Promise<UserInsertResult>;
  get(args: { id: string }): Promise<User | null>;
  findByLogin(args: { login: string }): Promise<User | null>;
  findByTelegramId(args: { telegramId: string }): Promise<User | null>;
  /** Users of one merchant, oldest first. */
  listByMerchant(args: { merchantId: string }): Promise<User[]>;
  /** Replaces the record if its stored version is `expectedVersion`; the new version is +1. */
  update(args: { user: User; expectedVersion: number }): Promise<UserUpdateResult>;
  /**
   * Counts one failure atomically; when the count reaches `maxFailures` the account is locked until
   * `lockUntil` and the count restarts. Returns the counters after the change (null: no such user).
   */
  recordFailure(args: {
    id: string;
    kind: FailureKind;
    maxFailures: number;
    lockUntil: Date;
  }): Promise<{ failures: number; lockedUntil: Date | null; lockedNow: boolean } | null>;
  /** Resets the failure counter of one kind after a success. */
  clearFailures(args: { id: string; kind: FailureKind }): Promise<void>;
  /** Removes one unused recovery code atomically; false when it was not there (unknown or used). */
  consumeRecoveryCode(args: { id: string; codeHash: string }): Promise<boolean>;
}
