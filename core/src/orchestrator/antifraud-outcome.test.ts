import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { Payment } from '../payments';
import { defineAntifraud } from '../plugins/define';
import type { RegisteredAntifraud } from '../plugins/registry';
import type { AntifraudEngine, AntifraudInput, AntifraudOutcome } from '../plugins/types';
import type { Logger } from '../ports/logger';
import { silentLogger } from '../ports/logger';
import { reportAntifraudOutcome } from './antifraud';
import { DEFAULT_ANTIFRAUD_POLICY } from './types';

function registered(engine: AntifraudEngine): RegisteredAntifraud {
  const plugin = defineAntifraud({
    manifest: { id: 'af', name: 'af', version: '1.0.0', coreRange: '^0.1.0' },
    optionsSchema: z.object({}),
    capabilities: ['pre_authorization'],
    init: () => engine,
  })({});
  return { plugin, engine };
}

const payment = (status: Payment['status']) =>
  ({
    id: 'pay_1',
    merchantId: 'mer_1',
    mode: 'test',
    status,
    amount: 100,
    currency: 'EUR',
    method: 'card',
    captureMethod: 'automatic',
    orderId: null,
    description: null,
    customer: { email: 'a@example.com' },
    returnUrl: null,
    metadata: {},
    provider: { id: 'cards', instanceId: 'default' },
    card: { brand: 'visa', first6: '424242', last4: '4242', expMonth: 1, expYear: 2030, fingerprint: 'fp' },
  }) as unknown as Payment;

const policy = { ...DEFAULT_ANTIFRAUD_POLICY, timeoutMs: 50 };

describe('reportAntifraudOutcome', () => {
  it('reports only the end of an attempt, with the assessed input or one rebuilt from the payment', async () => {
    const seen: AntifraudOutcome[] = [];
    const engines = [
      registered({
        assess: async () => ({ verdict: 'allow', score: 0, reasons: [] }),
        onOutcome: (o) => void seen.push(o),
      }),
      registered({ assess: async () => ({ verdict: 'allow', score: 0, reasons: [] }) }), // no hook: skipped
    ];
    const assessed = {
      stage: 'pre_authorization',
      client: { ip: '203.0.113.1' },
    } as unknown as AntifraudInput;
    await reportAntifraudOutcome(engines, 'processing', payment('failed'), assessed, policy, silentLogger);
    await reportAntifraudOutcome(
      engines,
      'requires_action',
      payment('authorized'),
      undefined,
      policy,
      silentLogger,
    );
    // Not the end of an attempt: an antifraud deny (from requires_payment_method), a capture, a repeat.
    await reportAntifraudOutcome(
      engines,
      'requires_payment_method',
      payment('failed'),
      assessed,
      policy,
      silentLogger,
    );
    await reportAntifraudOutcome(
      engines,
      'authorized',
      payment('succeeded'),
      undefined,
      policy,
      silentLogger,
    );
    await reportAntifraudOutcome(
      engines,
      'processing',
      payment('processing'),
      undefined,
      policy,
      silentLogger,
    );
    expect(seen).toHaveLength(2);
    expect(seen[0]?.input).toBe(assessed);
    expect(seen[1]?.input).toMatchObject({
      stage: 'pre_authorization',
      payment: { id: 'pay_1', method: 'card', customer: { email: 'a@example.com' } },
      card: { fingerprint: 'fp' },
    });
    expect(seen[1]?.input.client).toBeUndefined();
  });

  it('logs a failing or hanging hook and returns normally', async () => {
    const warnings: unknown[] = [];
    const logger: Logger = { ...silentLogger, warn: (obj: unknown) => void warnings.push(obj) };
    const engines = [
      registered({
        assess: async () => ({ verdict: 'allow', score: 0, reasons: [] }),
        onOutcome: async () => {
          throw new Error('store down');
        },
      }),
      registered({
        assess: async () => ({ verdict: 'allow', score: 0, reasons: [] }),
        onOutcome: () => new Promise<void>(() => {}),
      }),
    ];
    await expect(
      reportAntifraudOutcome(engines, 'processing', payment('failed'), undefined, policy, logger),
    ).resolves.toBeUndefined();
    expect(warnings).toEqual([
      expect.objectContaining({ err: 'store down' }),
      expect.objectContaining({ err: 'timed out after 50 ms' }),
    ]);
  });
});
