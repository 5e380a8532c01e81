import { type MerchantScope, PayrailError, type Store } from '@payrail/core';
import type { FastifyRequest } from 'fastify';
import { accountOf } from '../accounts/account-request';
import { requireMerchantPermission, requirePspPermission } from '../accounts/roles';
import { reportModeOf } from '../routes/v1/reports';

/** Reports in the personal account: the user's own merchant, owner and staff alike, `mode` chosen. */
export function accountReportScope(request: FastifyRequest): MerchantScope {
  const merchantId = requireMerchantPermission(accountOf(request).user, 'reports:read');
  return { merchantId, mode: reportModeOf(request) };
}

/**
 * Reports in the back office: PSP staff with `merchants:read` see any merchant's figures
 * (`/v1/backoffice/merchants/:merchantId/reports/*`); an unknown merchant is a 404.
 */
export function backofficeReportScope(store: Store) {
  return async (request: FastifyRequest): Promise<MerchantScope> => {
    requirePspPermission(accountOf(request).user, 'merchants:read');
    const { merchantId } = request.params as { merchantId: string };
    const merchant = await store.merchants.get({ id: merchantId });
    if (!merchant) {
      throw new PayrailError('PAYRAIL_ERR_NOT_FOUND', {
        param: 'merchantId',
        message: `No merchant ${merchantId.slice(0, 64)}.`,
      });
    }
    return { merchantId: merchant.id, mode: reportModeOf(request) };
  };
}
