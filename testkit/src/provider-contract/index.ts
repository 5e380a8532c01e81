import { afterAll, beforeAll, describe, it } from 'vitest';
import { PROVIDER_CONTRACT_CASE_NAMES, PROVIDER_CONTRACT_CASES } from './cases';
import { type ProviderContractSetup, type ProviderUnderTest, startProvider } from './contract';

export type { ProviderCaseContext, ProviderContractCase } from './cases';
export { PROVIDER_CONTRACT_CASE_NAMES, PROVIDER_CONTRACT_CASES } from './cases';
export * from './check-outcome';
export type { ProviderContractSetup, ProviderUnderTest, ScenarioInput, WebhookCaseContext } from './contract';
export { startProvider } from './contract';

/**
 * The contract every payment provider plugin passes (DESIGN.md §3, §9). Call it at the top level of a
 * test file with a setup that makes the plugin and the scenario inputs:
 *
 * ```ts
 * describeProviderContract('cards', {
 *   plugin: () => cards({ fingerprintKey: 'k'.repeat(32) }),
 *   scenarios: {
 *     success: (input) => ({ ...input, paymentMethod: card('4242424242424242') }),
 *     decline: (input) => ({ ...input, paymentMethod: card('4000000000000002') }),
 *   },
 * });
 * ```
 *
 * It checks the plugin value, that it boots through the real plugin registry (semver `coreRange`,
 * options, capabilities ⇔ methods), that outcomes are well-formed and declines are data with a
 * normalised code, that failures are PayrailErrors, and — per declared capability — capture, cancel,
 * refund and webhook signature checks. A case the plugin cannot run is reported as skipped with the
 * reason (in the test and on the console), never dropped silently.
 */
export function describeProviderContract(name: string, setup: ProviderContractSetup): void {
  const unknown = Object.keys(setup.skip ?? {}).filter((c) => !PROVIDER_CONTRACT_CASE_NAMES.includes(c));
  if (unknown.length > 0) {
    throw new Error(`describeProviderContract(${name}): unknown case(s) in skip: ${unknown.join('; ')}`);
  }

  describe(`Provider contract: ${name}`, () => {
    beforeAll(async () => {
      await setup.beforeAll?.();
    });
    afterAll(async () => {
      await setup.afterAll?.();
    });

    for (const contractCase of PROVIDER_CONTRACT_CASES) {
      const skipReason = setup.skip?.[contractCase.name];
      if (skipReason !== undefined) {
        console.warn(`[provider contract: ${name}] skipped "${contractCase.name}": ${skipReason}`);
        it.skip(`${contractCase.name} (skipped: ${skipReason})`, () => {});
        continue;
      }
      it(contractCase.name, async (testContext) => {
        const started: ProviderUnderTest[] = [];
        const skip = (reason: string): never => {
          console.warn(`[provider contract: ${name}] skipped "${contractCase.name}": ${reason}`);
          return testContext.skip(reason);
        };
        try {
          if (contractCase.needs && !setup.plugin().capabilities.includes(contractCase.needs)) {
            skip(`the plugin does not declare the "${contractCase.needs}" capability`);
          }
          await contractCase.run({
            setup,
            skip,
            start: async () => {
              const p = await startProvider(setup);
              started.push(p);
              return p;
            },
          });
        } finally {
          await Promise.all(started.map((p) => p.close()));
        }
      });
    }
  });
}
