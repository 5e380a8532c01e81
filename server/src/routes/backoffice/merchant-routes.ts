import { PayrailError } from '@payrail/core';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { accountOf } from '../../accounts/account-request';
import type { AccountsDeps } from '../../accounts/deps';
import { requirePspPermission } from '../../accounts/roles';
import { listPage } from '../../http/list-page';
import { merchantResource } from '../../onboarding/resources';
import { ok200 } from '../accounts/responses';
import { idParams, merchantsQuery } from './schemas-onboarding';

/** Merchants as PSP staff see them (`/v1/backoffice/merchants`, `merchants:read`): onboarding state included. */
export const backofficeMerchantRoutes: FastifyPluginAsyncZod<{ deps: AccountsDeps }> = async (
  app,
  { deps },
) => {
  const { store, clock } = deps;
  const security = [{ session: [] }];
  const tags = ['backoffice'];

  app.get(
    '/merchants',
    {
      schema: {
        tags,
        security,
        summary: 'Every merchant, newest first',
        querystring: merchantsQuery,
        response: ok200,
      },
    },
    async (request) => {
      requirePspPermission(accountOf(request).user, 'merchants:read');
      const { limit, starting_after } = request.query;
      const page = await store.merchants.list({
        limit,
        ...(starting_after ? { startingAfter: starting_after } : {}),
      });
      const now = clock.now();
      // At most 100 point reads: one page of merchants, each with its application (if any).
      const applications = await Promise.all(
        page.data.map((m) => store.applications.getByMerchant({ merchantId: m.id })),
      );
      return listPage(
        { data: page.data.map((m, i) => ({ m, a: applications[i] ?? null })), hasMore: page.hasMore },
        ({ m, a }) => merchantResource(m, a, now),
      );
    },
  );

  app.get(
    '/merchants/:id',
    { schema: { tags, security, summary: 'One merchant', params: idParams, response: ok200 } },
    async (request) => {
      requirePspPermission(accountOf(request).user, 'merchants:read');
      const merchant = await store.merchants.get({ id: request.params.id });
      if (!merchant) throw new PayrailError('PAYRAIL_ERR_MERCHANT_NOT_FOUND', { param: 'id' });
      const application = await store.applications.getByMerchant({ merchantId: merchant.id });
      return merchantResource(merchant, application, clock.now());
    },
  );
};
