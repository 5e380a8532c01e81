import {
  assessRisk,
  createPluginRegistry,
  DEFAULT_ANTIFRAUD_POLICY,
  type HttpClient,
  ManualClock,
  type PayrailError,
  silentLogger,
} from '@payrail/core';
import { describe, expect, it } from 'vitest';
import { antifraud, type RulesEngine } from '../src';
import { input } from './helpers';

const http: HttpClient = {
  request: async () => ({ statusCode: 200, headers: {}, body: '' }),
  close: async () => {},
};
const env = (clock = new ManualClock()) => ({
  logger: silentLogger,
  clock,
  http,
  publicUrl: 'http://localhost:3000',
});

const rules = [
  {
    id: 'high-risk-country',
    description: 'card issued in a high-risk country',
    action: 'review',
    score: 65,
    when: { field: 'card.country', op: 'in', value: ['NG', 'KP'] },
  },
  {
    id: 'disposable-email',
    description: 'disposable email domain',
    action: 'challenge',
    when: { field: 'customer.email_domain', op: 'in', value: ['mailinator.com', 'yopmail.com'] },
  },
] as const;

describe('antifraud plugin in core', () => {
  it('registers, and core combines its signal by the policy', async () => {
    const clock = new ManualClock();
    const registry = await createPluginRegistry(
      [
        antifraud({
          rules: [...rules],
          lists: { block: { ips: ['198.51.100.0/24'] } },
          limits: { amount: { max: { RUB: 5_000_000 } } },
          velocity: {
            limits: [{ dimension: 'card', event: 'payments', window: '10m', limit: 2, action: 'deny' }],
          },
        }),
      ],
      env(clock),
    );
    expect(registry.antifraud).toHaveLength(1);
    const [registered] = registry.antifraud;
    expect(registered?.plugin.manifest.id).toBe('antifraud');
    expect(registered?.plugin.capabilities).toEqual(['pre_authorization']);

    const assess = (o: Parameters<typeof input>[0]) =>
      assessRisk(registry.antifraud, input(o), DEFAULT_ANTIFRAUD_POLICY, silentLogger);

    expect(await assess({ card: { fingerprint: 'c1' } })).toEqual({
      decision: 'allow',
      score: 0,
      reasons: [],
      rulesVersion: expect.stringMatching(/^antifraud:default@[0-9a-f]{16}$/),
    });
    expect(await assess({ card: { fingerprint: 'c2', country: 'ng' } })).toEqual({
      decision: 'review',
      score: 65,
      reasons: ['antifraud:default: rule:high-risk-country: card issued in a high-risk country'],
      rulesVersion: expect.stringMatching(/^antifraud:default@/),
    });
    // Challenge by the rule (score 75 reaches core's challenge threshold as well).
    expect(await assess({ card: { fingerprint: 'c3' }, email: 'x@mailinator.com' })).toMatchObject({
      decision: 'challenge',
      score: 75,
    });
    const denied = await assess({ card: { fingerprint: 'c4' }, ip: '198.51.100.4', amount: 6_000_000 });
    expect(denied?.decision).toBe('deny');
    expect(denied?.reasons).toEqual([
      'antifraud:default: list:block:ip: IP address 198.51.100.4 is on the block list',
      'antifraud:default: limit:amount: amount 6000000 RUB (minor units) is above the per-payment limit 5000000',
    ]);
    // Velocity across calls through core: the third attempt with c1 within 10 minutes is denied.
    clock.advance(60_000);
    expect((await assess({ card: { fingerprint: 'c1' } }))?.decision).toBe('allow');
    expect((await assess({ card: { fingerprint: 'c1' } }))?.decision).toBe('deny');
    // The engine returned by init also takes decline reports.
    expect(typeof (registered!.engine as RulesEngine).recordDecline).toBe('function');
  });

  it('declares its stages as capabilities, so core runs it at refunds only when asked', async () => {
    const refunds = antifraud({
      instanceId: 'refunds',
      stages: ['pre_refund'],
      rules: [
        {
          id: 'no-test-refunds',
          description: 'refund of a test payment',
          action: 'deny',
          when: { field: 'payment.mode', op: 'eq', value: 'test' },
        },
      ],
    });
    const payments = antifraud({ rules: [{ ...rules[0] }] });
    const registry = await createPluginRegistry([payments, refunds], env());
    expect(registry.antifraud.map((a) => a.plugin.capabilities)).toEqual([
      ['pre_authorization'],
      ['pre_refund'],
    ]);
    const risk = await assessRisk(
      registry.antifraud,
      input({ stage: 'pre_refund', mode: 'test', card: { country: 'NG' } }),
      DEFAULT_ANTIFRAUD_POLICY,
      silentLogger,
    );
    expect(risk).toEqual({
      decision: 'deny',
      score: 100,
      reasons: ['antifraud:refunds: rule:no-test-refunds: refund of a test payment'],
      rulesVersion: expect.stringMatching(/^antifraud:refunds@[0-9a-f]{16}$/),
    });
  });

  it('stops the boot on invalid options, naming the path', async () => {
    const error = await createPluginRegistry(
      [
        antifraud({
          rules: [
            {
              id: 'r',
              description: 'd',
              action: 'deny',
              when: { field: 'payment.amount', op: 'gt', value: 'big' },
            },
          ],
        }),
      ],
      env(),
    ).catch((e: PayrailError) => e);
    expect((error as PayrailError).code).toBe('PAYRAIL_ERR_PLUGIN_OPTIONS');
    expect((error as Error).message).toContain('rules.0.when.value: "gt" needs a finite number');
  });
});
