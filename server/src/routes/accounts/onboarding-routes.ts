import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { accountOf } from '../../accounts/account-request';
import type { AccountsDeps } from '../../accounts/deps';
import { requireMerchantPermission } from '../../accounts/roles';
import { applicationDetailsBody } from '../../onboarding/application-details';
import { ownApplication, saveApplication, submitApplication } from '../../onboarding/applications';
import { acquiringBankResource, applicationResource, onboardingResource } from '../../onboarding/resources';
import { startTrial } from '../../onboarding/trial';
import { ok200, ok201 } from './responses';

/**
 * Merchant onboarding in the personal account (`/v1/account/onboarding/*`, owner only): the one-day free
 * trial and the live-account application (docs/accounts.md, "Onboarding"). The application is always the
 * caller's own merchant's: there is no id to guess.
 */
export const onboardingRoutes: FastifyPluginAsyncZod<{ deps: AccountsDeps }> = async (app, { deps }) => {
  const { store, clock } = deps;
  const security = [{ session: [] }];
  const tags = ['account'];
  const ownerOf = (request: Parameters<typeof accountOf>[0]) => {
    const { user } = accountOf(request);
    return { user, merchantId: requireMerchantPermission(user, 'onboarding:manage') };
  };

  app.get(
    '/onboarding',
    { schema: { tags, security, summary: 'Trial, live mode and application status', response: ok200 } },
    async (request) => {
      const { merchantId } = ownerOf(request);
      const merchant = await store.merchants.get({ id: merchantId });
      const application = await store.applications.getByMerchant({ merchantId });
      // The session's merchant always exists; a missing one would be a broken database.
      if (!merchant) throw new Error(`merchant ${merchantId} of a logged-in user is missing`);
      return { object: 'onboarding', ...onboardingResource(merchant, application, clock.now()) };
    },
  );

  app.post(
    '/onboarding/trial',
    {
      schema: {
        tags,
        security,
        summary: 'Start the one-day free trial (once); answers a test API key, shown this once',
        response: ok201,
      },
    },
    async (request, reply) => {
      const { user, merchantId } = ownerOf(request);
      const { merchant, testKey } = await startTrial(deps, request, user, merchantId);
      const application = await store.applications.getByMerchant({ merchantId });
      return reply.code(201).send({
        object: 'onboarding',
        ...onboardingResource(merchant, application, clock.now()),
        test_key: {
          id: testKey.record.id,
          mode: 'test',
          prefix: testKey.record.displayPrefix,
          secret: testKey.secret,
        },
      });
    },
  );

  app.get(
    '/onboarding/acquiring-banks',
    { schema: { tags, security, summary: 'The acquiring banks an application may choose', response: ok200 } },
    async (request) => {
      ownerOf(request);
      const banks = await store.acquiringBanks.list({ activeOnly: true });
      return { object: 'list', data: banks.map(acquiringBankResource), has_more: false };
    },
  );

  app.get(
    '/onboarding/application',
    { schema: { tags, security, summary: 'The live-account application', response: ok200 } },
    async (request) => {
      const { merchantId } = ownerOf(request);
      return applicationResource(await ownApplication(deps, merchantId), { staffView: false });
    },
  );

  app.put(
    '/onboarding/application',
    {
      schema: {
        tags,
        security,
        summary: 'Create or replace the draft application (while draft or changes requested)',
        body: applicationDetailsBody,
        response: { ...ok200, ...ok201 },
      },
    },
    async (request, reply) => {
      const { user, merchantId } = ownerOf(request);
      const saved = await saveApplication(deps, request, user, merchantId, request.body);
      return reply
        .code(saved.created ? 201 : 200)
        .send(applicationResource(saved.application, { staffView: false }));
    },
  );

  app.post(
    '/onboarding/application/submit',
    { schema: { tags, security, summary: 'Submit the application for review', response: ok200 } },
    async (request) => {
      const { user, merchantId } = ownerOf(request);
      return applicationResource(await submitApplication(deps, request, user, merchantId), {
        staffView: false,
      });
    },
  );
};
