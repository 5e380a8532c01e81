import { randomBytes } from 'node:crypto';
import { type AnyPlugin, type PaymentProvider, PayrailError } from '@payrail/core';
import { qiwi } from '@payrail/plugin-qiwi';
import { QiwiSimulator } from '@payrail/plugin-qiwi/simulator';
import { webmoney } from '@payrail/plugin-webmoney';
import { WebMoneySimulator } from '@payrail/plugin-webmoney/simulator';
import { simulatorsCanServe } from './can-serve';

/** Where the simulators are mounted, and the plugin instance id their providers are registered under. */
export const SIMULATOR_PREFIX = '/_sim';
export const SANDBOX_INSTANCE_ID = 'sandbox';

/** Test purses of the simulated WebMoney merchant (letter = currency, as the protocol requires). */
export const SANDBOX_PURSES = { USD: 'Z100000000001', EUR: 'E100000000001', RUB: 'R100000000001' } as const;
/** The simulated merchant's WMID, for X18 status queries. */
export const SANDBOX_WMID = '100000000001';

export interface SandboxSimulators {
  /** Base URL of the simulators (`<publicUrl>/_sim`). */
  baseUrl: string;
  qiwi: QiwiSimulator;
  webmoney: WebMoneySimulator;
  /** `qiwi` and `webmoney` provider instances (`sandbox`) pointed at the simulators. */
  plugins: AnyPlugin[];
}

type ProviderLike = { init(ctx: never): PaymentProvider | Promise<PaymentProvider> };

/**
 * Anyone who can reach the server can "pay" on a simulator, so its providers take test-mode payments
 * only: a live-mode payment routed to them is refused before any call, like an unsupported currency.
 */
function testModeOnly<P extends ProviderLike>(plugin: P): P {
  const init = plugin.init.bind(plugin) as (ctx: never) => Promise<PaymentProvider>;
  return {
    ...plugin,
    async init(ctx: never): Promise<PaymentProvider> {
      const provider = await init(ctx);
      return {
        ...provider,
        async createPayment(input) {
          if (input.payment.mode === 'live') {
            throw new PayrailError('PAYRAIL_ERR_METHOD_UNAVAILABLE', {
              message:
                'The sandbox simulators take test-mode payments only; configure a real provider for live mode.',
            });
          }
          return provider.createPayment(input);
        },
      };
    },
  };
}

function assertReachable(publicUrl: string): void {
  if (simulatorsCanServe(publicUrl)) return;
  const url = new URL(publicUrl);
  throw new PayrailError('PAYRAIL_ERR_CONFIG', {
    param: 'PAYRAIL_SIMULATORS',
    message: `The provider simulators need PAYRAIL_PUBLIC_URL on https:// or a loopback host (got ${url.origin}); set PAYRAIL_SIMULATORS=0 or change the URL.`,
  });
}

/**
 * Simulated QIWI and WebMoney, and provider instances that talk to them through the server's own
 * public URL, so every call and notification is real HTTP. The keys are random per process: the
 * simulators keep their bills in memory and forget them at restart anyway.
 */
export function createSandboxSimulators(publicUrl: string): SandboxSimulators {
  assertReachable(publicUrl);
  const baseUrl = `${publicUrl}${SIMULATOR_PREFIX}`;
  const qiwiSecret = randomBytes(24).toString('hex');
  const webmoneySecret = randomBytes(24).toString('hex');
  const qiwiSim = new QiwiSimulator({
    siteId: 'sandbox-site',
    secretKey: qiwiSecret,
    payFormUrl: `${baseUrl}/qiwi/form`,
    notificationUrl: `${publicUrl}/hooks/qiwi/${SANDBOX_INSTANCE_ID}`,
  });
  const webmoneySim = new WebMoneySimulator({
    secretKey: webmoneySecret,
    hashMethod: 'SHA256',
    testMode: true,
    purses: Object.values(SANDBOX_PURSES),
    x18: { wmid: SANDBOX_WMID },
  });
  return {
    baseUrl,
    qiwi: qiwiSim,
    webmoney: webmoneySim,
    plugins: [
      testModeOnly(
        qiwi({
          instanceId: SANDBOX_INSTANCE_ID,
          siteId: 'sandbox-site',
          secretKey: qiwiSecret,
          publicKey: 'sandbox-public-key',
          apiBaseUrl: `${baseUrl}/qiwi`,
        }),
      ),
      testModeOnly(
        webmoney({
          instanceId: SANDBOX_INSTANCE_ID,
          purses: { ...SANDBOX_PURSES },
          secretKey: webmoneySecret,
          hashMethod: 'SHA256',
          hash2: 'required',
          testMode: true,
          formUrl: `${baseUrl}/webmoney/lmi/payment_utf.asp`,
          x18: { wmid: SANDBOX_WMID, url: `${baseUrl}/webmoney/conf/xml/XMLTransGet.asp` },
        }),
      ),
    ],
  };
}
