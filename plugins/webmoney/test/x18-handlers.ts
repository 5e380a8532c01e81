import { HttpResponse, http } from 'msw';
import type { WebMoneySimulator } from '../src/simulator';

/**
 * X18 (XMLTransGet.asp) for the plugin's tests: the one WebMoney simulator (`src/simulator`) behind
 * msw, so the tests' loopback server records the requests and `use()` can still override it.
 */
export function x18Handlers(sim: WebMoneySimulator) {
  return [
    http.post('*/conf/xml/XMLTransGet.asp', async ({ request }) => {
      return (await sim.handleX18(request)) ?? HttpResponse.text('no route', { status: 404 });
    }),
  ];
}
