import { newId, PayrailError } from '@payrail/core';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { accountOf } from '../../accounts/account-request';
import { audit } from '../../accounts/audit';
import type { AccountsDeps } from '../../accounts/deps';
import { requirePspPermission } from '../../accounts/roles';
import { acquiringBankResource } from '../../onboarding/resources';
import { ok200, ok201 } from '../accounts/responses';
import { acquiringBankBody, acquiringBankUpdateBody, idParams } from './schemas-onboarding';

/**
 * The acquiring banks the PSP offers (`/v1/backoffice/acquiring-banks`). Reviewers (`applications:review`)
 * maintain the list; a bank is never deleted, only deactivated (`active: false`), so old applications keep
 * pointing at it while new ones cannot choose it.
 */
export const acquiringBankRoutes: FastifyPluginAsyncZod<{ deps: AccountsDeps }> = async (app, { deps }) => {
  const { store, clock } = deps;
  const security = [{ session: [] }];
  const tags = ['backoffice'];

  app.get(
    '/acquiring-banks',
    { schema: { tags, security, summary: 'Every acquiring bank, active or not', response: ok200 } },
    async (request) => {
      requirePspPermission(accountOf(request).user, 'merchants:read');
      const banks = await store.acquiringBanks.list({ activeOnly: false });
      return { object: 'list', data: banks.map(acquiringBankResource), has_more: false };
    },
  );

  app.post(
    '/acquiring-banks',
    {
      schema: { tags, security, summary: 'Add an acquiring bank', body: acquiringBankBody, response: ok201 },
    },
    async (request, reply) => {
      const { user } = accountOf(request);
      requirePspPermission(user, 'applications:review');
      const now = clock.now();
      const bank = {
        id: newId('acquiringBank', now.getTime()),
        ...request.body,
        createdAt: now,
        updatedAt: now,
      };
      await store.acquiringBanks.insert({ bank });
      await audit(store, request, now, user, 'acquiring_bank.created', { bank_id: bank.id, name: bank.name });
      return reply.code(201).send(acquiringBankResource(bank));
    },
  );

  app.post(
    '/acquiring-banks/:id',
    {
      schema: {
        tags,
        security,
        summary: 'Rename, deactivate or reactivate an acquiring bank',
        params: idParams,
        body: acquiringBankUpdateBody,
        response: ok200,
      },
    },
    async (request) => {
      const { user } = accountOf(request);
      requirePspPermission(user, 'applications:review');
      const current = await store.acquiringBanks.get({ id: request.params.id });
      if (!current)
        throw new PayrailError('PAYRAIL_ERR_NOT_FOUND', { param: 'id', message: 'No such acquiring bank.' });
      const now = clock.now();
      const bank = await store.acquiringBanks.update({
        id: current.id,
        name: request.body.name ?? current.name,
        active: request.body.active ?? current.active,
        now,
      });
      if (!bank)
        throw new PayrailError('PAYRAIL_ERR_NOT_FOUND', { param: 'id', message: 'No such acquiring bank.' });
      await audit(store, request, now, user, 'acquiring_bank.updated', {
        bank_id: bank.id,
        name: bank.name,
        active: bank.active,
      });
      return acquiringBankResource(bank);
    },
  );
};
