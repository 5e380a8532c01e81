import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { PayrailError } from '../errors';
import { systemClock } from '../ports/clock';
import type { HttpClient } from '../ports/http-client';
import { silentLogger } from '../ports/logger';
import { defineAntifraud, defineProvider, defineShopBridge } from './define';
import { createPluginRegistry } from './registry';
import type { PaymentProvider } from './types';

const http: HttpClient = {
  request: async () => ({ statusCode: 200, headers: {}, body: '' }),
  close: async () => {},
};
const env = { logger: silentLogger, clock: systemClock, http, publicUrl: 'http://localhost:3000/' };

const base: PaymentProvider = {
  createPayment: async () => ({ status: 'succeeded' }),
  syncPayment: async () => ({ status: 'succeeded' }),
};

const wallet = defineProvider({
  manifest: { id: 'wallet', name: 'Wallet', version: '1.0.0', coreRange: '^0.1.0' },
  optionsSchema: z.object({ siteId: z.string().min(1), instanceId: z.string().optional() }),
  capabilities: ['refund'],
  paymentMethods: ['wallet'],
  currencies: ['RUB'],
  confirmation: 'immediate',
  init: (ctx) => ({
    ...base,
    refundPayment: async () => ({ status: 'succeeded', refundRef: ctx.options.siteId }),
  }),
});

async function bootError(plugins: Parameters<typeof createPluginRegistry>[0], coreVersion?: string) {
  try {
    await createPluginRegistry(plugins, { ...env, ...(coreVersion ? { coreVersion } : {}) });
  } catch (error) {
    return error as PayrailError;
  }
  throw new Error('expected the boot to fail');
}

describe('plugin registry', () => {
  it('initialises valid plugins with parsed options and a webhook URL per instance', async () => {
    let webhookUrl = '';
    const spy = defineProvider({
      manifest: { id: 'spy', name: 'Spy', version: '1.0.0', coreRange: '>=0.1.0' },
      optionsSchema: z.object({}),
      capabilities: [],
      paymentMethods: ['spy'],
      currencies: 'any',
      confirmation: 'immediate',
      init: (ctx) => {
        webhookUrl = ctx.webhookUrl;
        return base;
      },
    });
    const registry = await createPluginRegistry(
      [wallet({ siteId: 'a' }), wallet({ siteId: 'b', instanceId: 'second' }), spy({ instanceId: 'x1' })],
      env,
    );
    expect(registry.providers.map((p) => `${p.plugin.manifest.id}:${p.plugin.instanceId}`)).toEqual([
      'wallet:default',
      'wallet:second',
      'spy:x1',
    ]);
    expect(webhookUrl).toBe('http://localhost:3000/hooks/spy/x1');
    const second = registry.provider('wallet', 'second');
    await expect(
      second?.provider.refundPayment?.({ payment: {} as never, refundId: 're_1', amount: 1, reason: null }),
    ).resolves.toEqual({ status: 'succeeded', refundRef: 'b' });
  });

  it('rejects two plugins with the same id and instance id', async () => {
    const error = await bootError([wallet({ siteId: 'a' }), wallet({ siteId: 'b' })]);
    expect(error.code).toBe('PAYRAIL_ERR_PLUGIN_DUPLICATE');
    expect(error.message).toContain('wallet:default');
  });

  it('rejects options that do not match the schema, naming the field', async () => {
    const error = await bootError([wallet({ siteId: '' })]);
    expect(error.code).toBe('PAYRAIL_ERR_PLUGIN_OPTIONS');
    expect(error.message).toContain('siteId');
  });

  it('rejects a plugin whose coreRange excludes this core', async () => {
    const error = await bootError([wallet({ siteId: 'a' })], '1.0.0');
    expect(error.code).toBe('PAYRAIL_ERR_PLUGIN_CORE_RANGE');
    expect(error.message).toMatch(/\^0\.1\.0.*1\.0\.0/);
  });

  it('rejects a declared capability without its method', async () => {
    const liar = defineProvider({
      manifest: { id: 'liar', name: 'Liar', version: '1.0.0', coreRange: '^0.1.0' },
      optionsSchema: z.object({}),
      capabilities: ['refund', 'capture'],
      paymentMethods: ['x'],
      currencies: 'any',
      confirmation: 'immediate',
      init: () => ({ ...base, refundPayment: async () => ({ status: 'succeeded' as const }) }),
    });
    const error = await bootError([liar({})]);
    expect(error.code).toBe('PAYRAIL_ERR_PLUGIN_CAPABILITIES');
    expect(error.message).toContain('capturePayment');
  });

  it('rejects an implemented method that is not declared', async () => {
    const shy = defineProvider({
      manifest: { id: 'shy', name: 'Shy', version: '1.0.0', coreRange: '^0.1.0' },
      optionsSchema: z.object({}),
      capabilities: [],
      paymentMethods: ['x'],
      currencies: 'any',
      confirmation: 'immediate',
      init: () => ({ ...base, cancelPayment: async () => {} }),
    });
    const error = await bootError([shy({})]);
    expect(error.code).toBe('PAYRAIL_ERR_PLUGIN_CAPABILITIES');
    expect(error.message).toContain('"cancel"');
  });

  it('rejects unknown capabilities and bad instance ids', async () => {
    const odd = defineShopBridge({
      manifest: { id: 'shop', name: 'Shop', version: '1.0.0', coreRange: '^0.1.0' },
      optionsSchema: z.object({}),
      capabilities: ['order_updates', 'teleport' as never],
      init: () => ({ onPaymentEvent: async () => {} }),
    });
    expect((await bootError([odd({})])).code).toBe('PAYRAIL_ERR_PLUGIN_CAPABILITIES');
    expect((await bootError([wallet({ siteId: 'a', instanceId: 'Bad Id' })])).code).toBe(
      'PAYRAIL_ERR_PLUGIN_INVALID',
    );
  });

  it('requires the kind-specific methods from init', async () => {
    const hollow = defineAntifraud({
      manifest: { id: 'hollow', name: 'Hollow', version: '1.0.0', coreRange: '^0.1.0' },
      optionsSchema: z.object({}),
      capabilities: ['pre_authorization'],
      init: () => ({}) as never,
    });
    const error = await bootError([hollow({})]);
    expect(error.code).toBe('PAYRAIL_ERR_PLUGIN_INVALID');
    expect(error.message).toContain('assess()');
  });
});
