import { PayrailError, type User, type UserRole } from '@payrail/core';

/** What each role may do in the personal account. Everything is also scoped to the user's merchant. */
export type Permission =
  | 'payments:read'
  | 'payments:write'
  | 'api_keys:manage'
  /** Webhook endpoints (where payment events go, with their signing secrets): owner only. */
  | 'webhooks:manage'
  | 'audit:read'
  | 'users:read'
  | 'users:manage'
  | 'shops:read'
  | 'shops:manage'
  | 'tickets:read'
  | 'tickets:write'
  /** Real-time, period and annual reports (CSV, PDF). */
  | 'reports:read'
  /** The free trial and the live-account application (owner only). */
  | 'onboarding:manage';

const GRANTS: Record<UserRole, readonly Permission[]> = {
  owner: [
    'payments:read',
    'payments:write',
    'api_keys:manage',
    'webhooks:manage',
    'audit:read',
    'users:read',
    'users:manage',
    'shops:read',
    'shops:manage',
    'tickets:read',
    'tickets:write',
    'reports:read',
    'onboarding:manage',
  ],
  staff: ['payments:read', 'payments:write', 'shops:read', 'tickets:read', 'tickets:write', 'reports:read'],
  buyer: [],
  issuer: [],
  // PSP staff act on merchants through the back office (`/v1/backoffice`), not as a merchant user.
  admin: [],
  support: [],
};

/** What PSP staff may do in the back office (`/v1/backoffice/*`); merchants and buyers have none of it. */
export type PspPermission =
  | 'merchants:read'
  | 'applications:review'
  | 'tickets:support'
  | 'issuers:manage'
  | 'staff:manage';

const PSP_GRANTS: Partial<Record<UserRole, readonly PspPermission[]>> = {
  admin: ['merchants:read', 'applications:review', 'tickets:support', 'issuers:manage', 'staff:manage'],
  support: ['merchants:read', 'tickets:support'],
};

export const isPspStaff = (user: User): boolean => user.accountType === 'psp';

/** The back-office permissions a user holds (none unless PSP staff). */
export const pspPermissionsOf = (user: User): readonly PspPermission[] =>
  isPspStaff(user) ? (PSP_GRANTS[user.role] ?? []) : [];

export const canPsp = (user: User, permission: PspPermission): boolean =>
  isPspStaff(user) && (PSP_GRANTS[user.role] ?? []).includes(permission);

/** 403 PAYRAIL_ERR_FORBIDDEN unless the user is PSP staff whose role grants `permission`. */
export function requirePspPermission(user: User, permission: PspPermission): void {
  if (!canPsp(user, permission)) {
    throw new PayrailError('PAYRAIL_ERR_FORBIDDEN', {
      message: `Your role (${user.role}) does not allow ${permission}; it needs PSP staff with that permission.`,
    });
  }
}

export const can = (user: User, permission: Permission): boolean =>
  user.merchantId !== null && GRANTS[user.role].includes(permission);

/** The user's merchant id if their role grants `permission`; 403 PAYRAIL_ERR_FORBIDDEN otherwise. */
export function requireMerchantPermission(user: User, permission: Permission): string {
  if (!can(user, permission) || user.merchantId === null) {
    throw new PayrailError('PAYRAIL_ERR_FORBIDDEN', {
      message: `Your role (${user.role}) does not allow ${permission}.`,
    });
  }
  return user.merchantId;
}
