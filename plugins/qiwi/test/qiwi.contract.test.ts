import { describeProviderContract, type MswLoopbackServer, serveMswHandlers } from '@payrail/testkit';
import { qiwi } from '../src';
import { QiwiSimulator } from './simulator';

const SITE = 'site-23044';
const SECRET = 'contract-secret-key';
const sim = new QiwiSimulator(SITE, SECRET);
let server: MswLoopbackServer | undefined;

describeProviderContract('qiwi (simulator)', {
  plugin: () =>
    qiwi({ siteId: SITE, secretKey: SECRET, publicKey: 'pk-contract', apiBaseUrl: server!.origin }),
  invalidOptions: [
    {},
    { siteId: SITE, secretKey: SECRET },
    { siteId: '', secretKey: SECRET, publicKey: 'pk' },
    { siteId: SITE, secretKey: SECRET, publicKey: 'pk', billLifetimeMinutes: 0 },
    { siteId: SITE, secretKey: SECRET, publicKey: 'pk', billLifetimeMinutes: 45 * 24 * 60 + 1 },
    { siteId: SITE, secretKey: SECRET, publicKey: 'pk', apiBaseUrl: 'ftp://api.qiwi.com' },
    { siteId: SITE, secretKey: SECRET, publicKey: 'pk', unknownOption: true },
  ],
  currency: 'RUB',
  scenarios: {
    success: (input) => input,
    // Required by the type; the case is skipped below with the reason.
    decline: (input) => input,
    failure: (input) => ({ ...input, payment: { ...input.payment, currency: 'USD' } }),
  },
  webhooks: {
    badSignature: ({ payment }) => {
      const good = sim.notification(payment.id);
      const { 'x-api-signature-sha256': sig, ...noHeader } = good.headers;
      return [
        { ...good, headers: noHeader },
        sim.notification(payment.id, 'another-secret'),
        { ...good, headers: { ...good.headers, 'x-api-signature-sha256': sig.toUpperCase() } },
        { ...good, headers: { ...good.headers, 'x-api-signature-sha256': 'foo' } },
      ];
    },
    signed: ({ payment }) => {
      sim.setStatus(payment.id, 'PAID');
      return sim.notification(payment.id);
    },
  },
  skip: {
    'createPayment: a decline is data with a normalised decline code, not an error':
      'QIWI never declines a bill at creation: the buyer pays (or not) on QIWI’s page, and an unpaid bill ends REJECTED or EXPIRED (canceled), which the status-map tests cover',
  },
  beforeAll: async () => {
    server = await serveMswHandlers(sim.handlers());
  },
  afterAll: async () => {
    await server?.close();
  },
});
