import { PayrailError } from '@payrail/core';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { accountOf } from '../../accounts/account-request';
import type { AccountsDeps } from '../../accounts/deps';
import { requirePspPermission } from '../../accounts/roles';
import { listPage } from '../../http/list-page';
import { type ReviewDecision, reviewApplication } from '../../onboarding/applications';
import { applicationResource } from '../../onboarding/resources';
import { ok200 } from '../accounts/responses';
import {
  applicationIdParams,
  applicationQueueQuery,
  approveBody,
  rejectBody,
  requestChangesBody,
} from './schemas-onboarding';

/**
 * The review queue of live-account applications (`/v1/backoffice/applications`, `applications:review`):
 * list by status, read one, and the reviewer's steps on a submitted application.
 */
export const applicationRoutes: FastifyPluginAsyncZod<{ deps: AccountsDeps }> = async (app, { deps }) => {
  const { store } = deps;
  const security = [{ session: [] }];
  const tags = ['backoffice'];
  const reviewer = (request: Parameters<typeof accountOf>[0]) => {
    const { user } = accountOf(request);
    requirePspPermission(user, 'applications:review');
    return user;
  };
  const staffView = { staffView: true };

  app.get(
    '/applications',
    {
      schema: {
        tags,
        security,
        summary: 'Applications by status, oldest first',
        querystring: applicationQueueQuery,
        response: ok200,
      },
    },
    async (request) => {
      reviewer(request);
      const { status, limit, starting_after } = request.query;
      const page = await store.applications.list({
        limit,
        ...(status ? { status } : {}),
        ...(starting_after ? { startingAfter: starting_after } : {}),
      });
      return listPage(page, (a) => applicationResource(a, staffView));
    },
  );

  app.get(
    '/applications/:id',
    { schema: { tags, security, summary: 'One application', params: applicationIdParams, response: ok200 } },
    async (request) => {
      reviewer(request);
      const application = await store.applications.get({ id: request.params.id });
      if (!application) throw new PayrailError('PAYRAIL_ERR_APPLICATION_NOT_FOUND', { param: 'id' });
      return applicationResource(application, staffView);
    },
  );

  const decide = async (request: Parameters<typeof accountOf>[0], id: string, decision: ReviewDecision) =>
    applicationResource(await reviewApplication(deps, request, reviewer(request), id, decision), staffView);

  app.post(
    '/applications/:id/request-changes',
    {
      schema: {
        tags,
        security,
        summary: 'Send a submitted application back to the merchant with a comment',
        params: applicationIdParams,
        body: requestChangesBody,
        response: ok200,
      },
    },
    (request) =>
      decide(request, request.params.id, { action: 'request_changes', comment: request.body.comment }),
  );

  app.post(
    '/applications/:id/approve',
    {
      schema: {
        tags,
        security,
        summary: 'Approve: opens live mode and records the tariff and connection fee',
        params: applicationIdParams,
        body: approveBody,
        response: ok200,
      },
    },
    (request) =>
      decide(request, request.params.id, {
        action: 'approve',
        tariff: { percentBps: request.body.tariff.percent_bps, fixed: request.body.tariff.fixed },
        connectionFee: request.body.connection_fee,
      }),
  );

  app.post(
    '/applications/:id/reject',
    {
      schema: {
        tags,
        security,
        summary: 'Reject a submitted application with a reason',
        params: applicationIdParams,
        body: rejectBody,
        response: ok200,
      },
    },
    (request) => decide(request, request.params.id, { action: 'reject', reason: request.body.reason }),
  );
};
