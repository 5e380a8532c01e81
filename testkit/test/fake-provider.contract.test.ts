import { fakeProvider, fakeWebhookRequest, signFakeWebhook } from '../src/fake-provider';
import { describeProviderContract } from '../src/provider-contract';

const SECRET = 'fake-webhook-secret-0123456789';

describeProviderContract('fake', {
  plugin: () => fakeProvider({ webhookSecret: SECRET }),
  invalidOptions: [
    {},
    { webhookSecret: 'short' },
    { webhookSecret: 1234567890123456 },
    { webhookSecret: SECRET, extra: 1 },
  ],
  scenarios: {
    success: (input) => input,
    decline: (input) => ({
      ...input,
      payment: { ...input.payment, metadata: { fake_scenario: 'decline_card_declined' } },
    }),
    failure: (input) => ({
      ...input,
      payment: { ...input.payment, metadata: { fake_scenario: 'timeout_unknown' } },
    }),
  },
  webhooks: {
    badSignature: ({ payment }) => {
      const good = fakeWebhookRequest(SECRET, {
        id: 'evt_1',
        payment_id: payment.id,
        status: 'succeeded',
        amount: payment.amount,
        currency: payment.currency,
      });
      const wrongSecret = signFakeWebhook('another-secret-0123456789', good.rawBody);
      return [
        { ...good, headers: { 'content-type': 'application/json' } },
        { ...good, headers: { ...good.headers, 'x-fake-signature': wrongSecret } },
        { ...good, headers: { ...good.headers, 'x-fake-signature': 'zz'.repeat(32) } },
        { ...good, headers: { ...good.headers, 'x-fake-signature': wrongSecret.slice(0, 63) } },
        { ...good, headers: { ...good.headers, 'x-fake-signature': '' } },
      ];
    },
    signed: ({ payment }) =>
      fakeWebhookRequest(SECRET, {
        id: 'evt_2',
        payment_id: payment.id,
        status: 'succeeded',
        amount: payment.amount,
        currency: payment.currency,
      }),
  },
});
