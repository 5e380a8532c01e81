import { defineProvider, type PaymentProvider, PayrailError } from '@payrail/core';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  PROVIDER_CONTRACT_CASES,
  type ProviderContractSetup,
  type ProviderUnderTest,
  startProvider,
} from '../src/provider-contract';

/**
 * The contract must fail broken providers, not only pass good ones: each case here is run against a
 * provider with one specific defect and must reject.
 */
function broken(
  impl: Partial<PaymentProvider>,
  capabilities: Array<'capture' | 'cancel' | 'refund' | 'webhooks'> = [],
) {
  return defineProvider({
    manifest: { id: 'broken', name: 'Broken', version: '0.0.1', coreRange: '^0.1.0' },
    optionsSchema: z.strictObject({ instanceId: z.string().optional() }),
    capabilities,
    paymentMethods: ['broken'],
    currencies: ['USD'],
    confirmation: 'immediate',
    init: () => ({
      createPayment: async () => ({ status: 'succeeded' }),
      syncPayment: async () => ({ status: 'succeeded' }),
      ...impl,
    }),
  })({});
}

function setupFor(
  plugin: ReturnType<typeof broken>,
  extra: Partial<ProviderContractSetup> = {},
): ProviderContractSetup {
  return {
    plugin: () => plugin,
    scenarios: { success: (i) => i, decline: (i) => i, failure: (i) => i },
    ...extra,
  };
}

async function runCase(name: string, setup: ProviderContractSetup): Promise<void> {
  const found = PROVIDER_CONTRACT_CASES.find((c) => c.name.startsWith(name));
  if (!found) throw new Error(`no case ${name}`);
  const started: ProviderUnderTest[] = [];
  try {
    await found.run({
      setup,
      skip: (reason) => {
        throw new Error(`skipped: ${reason}`);
      },
      start: async () => {
        const p = await startProvider(setup);
        started.push(p);
        return p;
      },
    });
  } finally {
    await Promise.all(started.map((p) => p.close()));
  }
}

describe('provider contract fails broken providers', () => {
  it('a declared capability without its method', async () => {
    await expect(runCase('declared capabilities', setupFor(broken({}, ['refund'])))).rejects.toMatchObject({
      code: 'PAYRAIL_ERR_PLUGIN_CAPABILITIES',
    });
  });

  it('an implemented method without its capability', async () => {
    const plugin = broken({ cancelPayment: async () => {} });
    await expect(runCase('declared capabilities', setupFor(plugin))).rejects.toThrow();
  });

  it('a decline with a code outside DECLINE_CODES', async () => {
    const plugin = broken({
      createPayment: async () => ({ status: 'declined', decline: { code: 'nope' as never, message: 'x' } }),
    });
    await expect(runCase('createPayment: a decline', setupFor(plugin))).rejects.toThrow(/DECLINE_CODES/);
  });

  it('a decline reported as an error', async () => {
    const plugin = broken({
      createPayment: async () => {
        throw new PayrailError('PAYRAIL_ERR_PROVIDER_REJECTED', { message: 'declined' });
      },
    });
    await expect(runCase('createPayment: a decline', setupFor(plugin))).rejects.toThrow(PayrailError);
  });

  it('a raw error escaping the plugin', async () => {
    const plugin = broken({
      createPayment: async () => {
        throw new TypeError('fetch failed');
      },
    });
    await expect(runCase('createPayment: a failing call', setupFor(plugin))).rejects.toThrow(
      /expected a PayrailError/,
    );
  });

  it('an outcome with a stray field, or amounts beyond the payment', async () => {
    const stray = broken({
      createPayment: async () => ({ status: 'succeeded', amount_captured: 5 }) as never,
    });
    await expect(runCase('createPayment: the success', setupFor(stray))).rejects.toThrow(/does not belong/);
    const tooMuch = broken({
      createPayment: async () => ({ status: 'succeeded', amountCaptured: 1_000_000 }),
    });
    await expect(runCase('createPayment: the success', setupFor(tooMuch))).rejects.toThrow();
  });

  it('card data that is more than first 6 / last 4', async () => {
    const plugin = broken({
      createPayment: async () => ({
        status: 'succeeded',
        card: { brand: 'visa', first6: '4242424242424242', last4: '4242', expMonth: 12, expYear: 2030 },
      }),
    });
    await expect(runCase('createPayment: the success', setupFor(plugin))).rejects.toThrow();
  });

  it('a webhook parser that accepts a bad signature', async () => {
    const plugin = broken(
      {
        webhooks: {
          parse: async () => ({ type: 'ignored', reason: 'whatever' }),
          respond: () => ({ statusCode: 200, body: '' }),
        },
      },
      ['webhooks'],
    );
    const setup = setupFor(plugin, {
      webhooks: { badSignature: () => [{ headers: {}, rawBody: Buffer.from('{}'), query: {} }] },
    });
    await expect(runCase('webhooks: a missing or wrong signature', setup)).rejects.toThrow(
      /expected the call to throw/,
    );
  });

  it('a sync that regresses a settled payment', async () => {
    const plugin = broken({ syncPayment: async () => ({ status: 'processing' }) });
    await expect(runCase('syncPayment agrees', setupFor(plugin))).rejects.toThrow();
  });

  it('options that accept garbage', async () => {
    const lax = defineProvider({
      manifest: { id: 'lax', name: 'Lax', version: '0.0.1', coreRange: '^0.1.0' },
      optionsSchema: z.any(),
      capabilities: [],
      paymentMethods: ['lax'],
      currencies: 'any',
      confirmation: 'immediate',
      init: () => ({
        createPayment: async () => ({ status: 'processing' }),
        syncPayment: async () => ({ status: 'processing' }),
      }),
    })({});
    await expect(runCase('options schema', setupFor(lax as never))).rejects.toThrow(/must be rejected/);
  });

  it('a coreRange that does not match this core', async () => {
    const old = defineProvider({
      manifest: { id: 'old', name: 'Old', version: '0.0.1', coreRange: '^9.0.0' },
      optionsSchema: z.strictObject({}),
      capabilities: [],
      paymentMethods: ['old'],
      currencies: 'any',
      confirmation: 'immediate',
      init: () => ({
        createPayment: async () => ({ status: 'processing' }),
        syncPayment: async () => ({ status: 'processing' }),
      }),
    })({});
    await expect(runCase('boots through the plugin registry', setupFor(old as never))).rejects.toMatchObject({
      code: 'PAYRAIL_ERR_PLUGIN_CORE_RANGE',
    });
  });
});
