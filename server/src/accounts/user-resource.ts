import type { Session, User } from '@payrail/core';

/** The user as the API shows it: never a hash, secret or counter. */
export function userResource(user: User) {
  return {
    id: user.id,
    object: 'user' as const,
    login: user.login,
    login_kind: user.loginKind,
    account_type: user.accountType,
    role: user.role,
    merchant_id: user.merchantId,
    email_confirmed: user.emailConfirmedAt !== null,
    telegram_linked: user.telegramId !== null,
    mfa_enabled: user.totpEnabledAt !== null,
    financial_password_set: user.financialPasswordHash !== null,
    notify_channel: user.notifyChannel,
    locale: user.locale,
    created_at: user.createdAt.toISOString(),
  };
}

export function sessionResource(session: Session, currentId: string) {
  return {
    id: session.id,
    object: 'session' as const,
    created_at: session.createdAt.toISOString(),
    expires_at: session.expiresAt.toISOString(),
    ip: session.ip,
    user_agent: session.userAgent,
    current: session.id === currentId,
  };
}
