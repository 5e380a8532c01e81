/**
 * Throughput of `assess` (not a test): `pnpm --filter @payrail/plugin-antifraud bench`
 * or `node --import tsx plugins/antifraud/bench/ops.ts`. Prints ops/s per scenario.
 */
import { type AntifraudInput, ManualClock } from '@payrail/core';
import { createRulesEngine, parseAntifraudOptions, type RuleInput } from '../src';

const clock = new ManualClock();

const rules: RuleInput[] = [];
for (let i = 0; i < 50; i++) {
  rules.push({
    id: `r${i}`,
    description: `rule ${i}`,
    action: i % 10 === 0 ? 'deny' : 'review',
    when: {
      all: [
        { field: 'payment.currency', op: 'in', value: ['RUB', 'USD', 'EUR'] },
        { field: 'payment.amount', op: 'gt', value: 1_000_000 + i },
        {
          any: [
            { field: 'customer.email', op: 'matches', value: `^fraud${i}\\d*@`, flags: 'i' },
            { field: 'client.ip', op: 'cidr', value: [`10.${i}.0.0/16`, `2001:db8:${i.toString(16)}::/48`] },
            { not: { field: 'card.brand', op: 'in', value: ['visa', 'mastercard', 'mir'] } },
          ],
        },
      ],
    },
  });
}

const ips = Array.from({ length: 10_000 }, (_, i) => `100.${(i >> 8) & 255}.${i & 255}.0/24`);
const emails = Array.from({ length: 10_000 }, (_, i) => `blocked${i}@example.com`);

function inputOf(i: number): AntifraudInput {
  return {
    stage: 'pre_authorization',
    payment: {
      id: `pay_${i}`,
      merchantId: 'mer_1',
      mode: 'live',
      amount: 100_000 + (i % 2_000_000),
      currency: 'RUB',
      captureMethod: 'automatic',
      orderId: null,
      description: null,
      customer: { email: `buyer${i % 5000}@example.com` },
      returnUrl: null,
      metadata: {},
      paymentRef: null,
      method: 'card',
    },
    card: {
      brand: 'visa',
      first6: '424242',
      last4: '4242',
      expMonth: 12,
      expYear: 2030,
      fingerprint: `fp${i % 20_000}`,
    },
    client: { ip: `203.0.${(i >> 8) & 255}.${i & 255}` },
  };
}

async function run(name: string, options: unknown, n = 200_000): Promise<void> {
  const engine = createRulesEngine(parseAntifraudOptions(options), { clock });
  const inputs = Array.from({ length: 1024 }, (_, i) => inputOf(i));
  for (let i = 0; i < 5_000; i++) await engine.assess(inputs[i & 1023] as AntifraudInput); // warm up
  const start = process.hrtime.bigint();
  for (let i = 0; i < n; i++) {
    if ((i & 1023) === 0) clock.advance(1_000);
    await engine.assess(inputs[i & 1023] as AntifraudInput);
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  console.log(
    `${name.padEnd(52)} ${Math.round(n / seconds)
      .toLocaleString('en-US')
      .padStart(12)} ops/s`,
  );
}

await run('empty engine', {});
await run('50 rules (regex, cidr v4/v6, in, not)', { rules });
await run('lists: 10k CIDR + 10k emails + limits', {
  lists: { block: { ips, emails, iins: ['4000', '5100'] } },
  limits: { amount: { max: { RUB: 5_000_000 } } },
});
await run('50 rules + lists + 4 velocity limits + new card (memory)', {
  rules,
  lists: { block: { ips, emails } },
  limits: { amount: { max: { RUB: 5_000_000 } }, newCard: { above: { RUB: 1_000_000 } } },
  velocity: {
    limits: [
      { dimension: 'card', event: 'payments', window: '10m', limit: 5 },
      { dimension: 'email', event: 'payments', window: '1h', limit: 20 },
      { dimension: 'ip', event: 'payments', window: '1h', limit: 50 },
      { dimension: 'card', event: 'declines', window: '24h', limit: 3, action: 'deny' },
    ],
  },
});
