/**
 * Single-use, expiring tokens (email confirmation, password reset, the second step of a 2FA login, a
 * financial step-up). Only the SHA-256 of the token is stored.
 */
export type AccountTokenPurpose =
  | 'email_confirmation'
  | 'password_reset'
  | 'mfa_login'
  | 'step_up'
  /** A buyer's contact email (`data.email`), confirmed by its mailed link. */
  | 'contact_confirmation';

export interface AccountToken {
  id: string;
  purpose: AccountTokenPurpose;
  userId: string;
  tokenHash: string;
  /** What the token is bound to, e.g. `{ operation: "refund", paymentId, amount }` for a step-up. */
  data: Record<string, unknown>;
  createdAt: Date;
  expiresAt: Date;
  usedAt: Date | null;
}

export type ConsumeTokenResult =
  | { ok: true; token: AccountToken }
  | { ok: false; reason: 'unknown' | 'expired' | 'used' };

export interface AccountTokenRepository {
  insert(args: { token: AccountToken }): Promise<void>;
  /** Marks the token used atomically, once; tells why when it cannot be used. */
  consume(args: { tokenHash: string; purpose: AccountTokenPurpose; now: Date }): Promise<ConsumeTokenResult>;
  /** Marks every unused token of this user and purpose used (e.g. older reset links after a reset). */
  invalidateAll(args: { userId: string; purpose: AccountTokenPurpose; now: Date }): Promise<void>;
}
