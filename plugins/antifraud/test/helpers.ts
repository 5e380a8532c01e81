import type { AntifraudInput, CardDisplay } from '@payrail/core';
import { ManualClock } from '@payrail/core';
import { createRulesEngine, type RulesEngine } from '../src/engine';
import { type AntifraudOptions, parseAntifraudOptions } from '../src/options';

export interface InputOverrides {
  stage?: AntifraudInput['stage'];
  amount?: number;
  currency?: string;
  method?: string;
  mode?: 'test' | 'live';
  email?: string | null;
  customer?: Record<string, unknown> | null;
  metadata?: Record<string, string>;
  ip?: string | null;
  card?: Partial<CardDisplay> & Record<string, unknown>;
  noCard?: boolean;
}

/** A pre-authorization input of a 1000.00 RUB card payment; override what a test is about. */
export function input(o: InputOverrides = {}): AntifraudInput {
  const customer =
    o.customer !== undefined
      ? o.customer
      : o.email === null
        ? null
        : { email: o.email ?? 'buyer@example.com' };
  return {
    stage: o.stage ?? 'pre_authorization',
    payment: {
      id: 'pay_1',
      merchantId: 'mer_1',
      mode: o.mode ?? 'live',
      amount: o.amount ?? 100_000,
      currency: o.currency ?? 'RUB',
      captureMethod: 'automatic',
      orderId: null,
      description: null,
      customer: customer as AntifraudInput['payment']['customer'],
      returnUrl: null,
      metadata: o.metadata ?? {},
      paymentRef: null,
      method: o.method ?? 'card',
    },
    ...(o.noCard
      ? {}
      : {
          card: {
            brand: 'visa',
            first6: '424242',
            last4: '4242',
            expMonth: 12,
            expYear: 2030,
            fingerprint: 'fp_card_1',
            ...o.card,
          } as CardDisplay,
        }),
    ...(o.ip === null ? {} : { client: { ip: o.ip ?? '203.0.113.7', userAgent: 'Mozilla/5.0 test' } }),
  };
}

/** An engine from raw options (parsed like the registry does) on a manual clock. */
export function engineOf(options: AntifraudOptions, clock = new ManualClock()): RulesEngine {
  return createRulesEngine(parseAntifraudOptions(options), { clock });
}
