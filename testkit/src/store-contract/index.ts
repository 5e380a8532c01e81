import { afterEach, beforeEach, describe, it } from 'vitest';
import { accountCases } from './cases/accounts';
import { antifraudCases } from './cases/antifraud';
import { commitCases } from './cases/commit';
import { idempotencyCases } from './cases/idempotency';
import { issuerKeyCases } from './cases/issuer-keys';
import { issuerCases } from './cases/issuers';
import { jobCases } from './cases/jobs';
import { ledgerEventCases } from './cases/ledger-events';
import { merchantCases } from './cases/merchants';
import { migrationCases } from './cases/migrations';
import { notificationCases } from './cases/notifications';
import { paymentCases } from './cases/payments';
import { reportCases } from './cases/reports';
import { shopCases } from './cases/shops';
import { storedCardCases } from './cases/stored-cards';
import { ticketCases } from './cases/tickets';
import { webhookEndpointUpdateCases } from './cases/webhook-endpoint-updates';
import { webhookCases } from './cases/webhooks';
import type { ContractCase, StoreContractOptions, StoreHandle } from './contract';

export type { ContractCase, StoreContractOptions, StoreHandle } from './contract';
export * from './fixtures';
export * from './report-seed';

/** Every case of the store contract, in the order they run. */
export const STORE_CONTRACT_CASES: readonly ContractCase[] = [
  ...merchantCases,
  ...paymentCases,
  ...commitCases,
  ...idempotencyCases,
  ...ledgerEventCases,
  ...storedCardCases,
  ...reportCases,
  ...webhookCases,
  ...webhookEndpointUpdateCases,
  ...jobCases,
  ...antifraudCases,
  ...issuerCases,
  ...issuerKeyCases,
  ...migrationCases,
  ...accountCases,
  ...shopCases,
  ...ticketCases,
  ...notificationCases,
];

/** Case names, for `options.skip`. */
export const STORE_CONTRACT_CASE_NAMES: readonly string[] = STORE_CONTRACT_CASES.map((c) => c.name);

/**
 * The contract every `Store` adapter passes (DESIGN.md §6). Call it at the top level of a test file.
 *
 * `makeStore` is called before each case and must give a migrated store whose data cannot disturb the
 * case (the cases use fresh ids and their own merchants, so a shared store emptied or not between cases
 * both work); `cleanup` runs after each case. An adapter that cannot honour a case names it in
 * `options.skip` with the reason: it is then reported as skipped, with the reason in its title and on
 * the console, never dropped silently.
 */
export function describeStoreContract(
  name: string,
  makeStore: () => Promise<StoreHandle>,
  options: StoreContractOptions = {},
): void {
  const unknown = Object.keys(options.skip ?? {}).filter(
    (skipped) => !STORE_CONTRACT_CASE_NAMES.includes(skipped),
  );
  if (unknown.length > 0) {
    // A misspelt skip would silently run nothing of what was meant: refuse it.
    throw new Error(`describeStoreContract(${name}): unknown case(s) in skip: ${unknown.join('; ')}`);
  }

  describe(`Store contract: ${name}`, () => {
    let handle: StoreHandle | undefined;
    beforeEach(async () => {
      handle = await makeStore();
    });
    afterEach(async () => {
      const current = handle;
      handle = undefined;
      await current?.cleanup();
    });

    for (const contractCase of STORE_CONTRACT_CASES) {
      const reason = skipReason(contractCase, options);
      if (reason !== undefined) {
        console.warn(`[store contract: ${name}] skipped "${contractCase.name}": ${reason}`);
        it.skip(`${contractCase.name} (skipped: ${reason})`, () => {});
        continue;
      }
      it(contractCase.name, async () => {
        if (!handle) throw new Error('makeStore() did not provide a store');
        await contractCase.run({ store: handle.store, options });
      });
    }
  });
}

function skipReason(contractCase: ContractCase, options: StoreContractOptions): string | undefined {
  const explicit = options.skip?.[contractCase.name];
  if (explicit !== undefined) return explicit;
  if (contractCase.needs && options[contractCase.needs.option] === undefined)
    return contractCase.needs.reason;
  return undefined;
}
