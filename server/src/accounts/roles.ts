import { PayrailError, type User, type UserRole } from '@payrail/core';

/** What each role may do in the personal account. Everything is also scoped to the user's merchant. */
export type Permission =
  | 'payments:read'
  | 'payments:write'
  | 'api_keys:manage'
  | 'audit:read'
  | 'users:read'
  | 'users:manage';

const GRANTS: Record<UserRole, readonly Permission[]> = {
  owner: ['payments:read', 'payments:write', 'api_keys:manage', 'audit:read', 'users:read', 'users:manage'],
  staff: ['payments:read', 'payments:write'],
  buyer: [],
  issuer: [],
  // PSP staff act on merchants through the back office (a later issue), not as a merchant user.
  admin: [],
  support: [],
};

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
