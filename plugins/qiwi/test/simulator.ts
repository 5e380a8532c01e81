/**
 * The plugin's tests drive the one QIWI simulator (`src/simulator`) through msw handlers, so
 * `server.use(...)` can still override single routes (timeouts, broken connections).
 */
import { HttpResponse, http } from 'msw';
import { QiwiSimulator, type QiwiSimulatorOptions } from '../src/simulator';

export type { SimBill, SimRefund } from '../src/simulator';

export class TestQiwiSimulator extends QiwiSimulator {
  constructor(siteId: string, secretKey: string, options: Partial<QiwiSimulatorOptions> = {}) {
    super({ siteId, secretKey, ...options });
  }

  handlers() {
    return [
      http.all('*/partner/bill/v1/bills/*', async ({ request }) => {
        return (await this.handleApi(request)) ?? HttpResponse.text('no route', { status: 404 });
      }),
    ];
  }
}

export { TestQiwiSimulator as QiwiSimulator };
