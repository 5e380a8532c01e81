import { ManualClock } from '@payrail/core';
import { describe, expect, it } from 'vitest';
import { input } from '../test/helpers';
import { configVersion } from './config-version';
import { createRulesEngine } from './engine';
import type { MerchantConfig } from './merchant-config';
import { parseAntifraudOptions } from './options';

const rule = (id: string) => ({
  id,
  description: id,
  action: 'review' as const,
  when: { field: 'payment.amount', op: 'gt' as const, value: 1 },
});

describe('rules version', () => {
  it('is a content hash: key order does not matter, any change does', () => {
    expect(configVersion({ a: 1, b: [1, { c: 2, d: 3 }] })).toBe(
      configVersion({ b: [1, { d: 3, c: 2 }], a: 1 }),
    );
    expect(configVersion({ a: 1 })).not.toBe(configVersion({ a: 2 }));
    expect(configVersion({ at: new Date('2026-01-01T00:00:00Z') })).toBe(
      configVersion({ at: new Date('2026-01-01T00:00:00.000Z') }),
    );
    expect(configVersion({})).toMatch(/^[0-9a-f]{16}$/);
  });

  it('changes with the merchant layer: a rule or a list entry added gives a new version', async () => {
    let config: MerchantConfig = { rules: [rule('a')], lists: {} };
    const engine = createRulesEngine(
      parseAntifraudOptions({
        merchantConfig: { source: { load: async () => config }, ttl: 0 },
      }),
      { clock: new ManualClock() },
    );
    const v1 = (await engine.assess(input())).rulesVersion;
    expect((await engine.assess(input({ amount: 5 }))).rulesVersion).toBe(v1);
    config = { rules: [rule('a'), rule('b')], lists: {} };
    const v2 = (await engine.assess(input())).rulesVersion;
    config = { rules: [rule('a'), rule('b')], lists: { block: { emails: ['x@example.com'] } } };
    const v3 = (await engine.assess(input())).rulesVersion;
    expect(new Set([v1, v2, v3]).size).toBe(3);
    config = { rules: [rule('a')], lists: {} };
    expect((await engine.assess(input())).rulesVersion).toBe(v1);
  });

  it('differs between instance configurations', async () => {
    const of = (o: Parameters<typeof parseAntifraudOptions>[0]) =>
      createRulesEngine(parseAntifraudOptions(o), { clock: new ManualClock() }).assess(input());
    const a = (await of({ rules: [rule('a')] })).rulesVersion;
    const b = (await of({ rules: [rule('a')], limits: { amount: { max: { RUB: 5 } } } })).rulesVersion;
    expect(a).not.toBe(b);
    expect((await of({ rules: [rule('a')] })).rulesVersion).toBe(a);
  });
});
