import { describe, expect, it } from 'vitest';
import { input } from '../test/helpers';
import { compileCondition } from './compile';
import { extractFeatures, type Features } from './features';
import { type ConditionInput, conditionSchema } from './rule-schema';

const compile = (c: ConditionInput) => compileCondition(conditionSchema.parse(c));
const features = (...args: Parameters<typeof input>): Features => extractFeatures(input(...args));
const test = (c: ConditionInput, f: Features = features()) => compile(c)(f);

describe('operators', () => {
  it('eq / neq, with values normalised like the features', () => {
    expect(test({ field: 'payment.currency', op: 'eq', value: 'rub' })).toBe(true);
    expect(test({ field: 'payment.currency', op: 'eq', value: 'USD' })).toBe(false);
    expect(test({ field: 'customer.email', op: 'eq', value: ' Buyer@Example.COM ' })).toBe(true);
    expect(test({ field: 'payment.amount', op: 'eq', value: 100_000 })).toBe(true);
    expect(test({ field: 'payment.mode', op: 'neq', value: 'test' })).toBe(true);
    expect(test({ field: 'payment.mode', op: 'neq', value: 'live' })).toBe(false);
  });

  it('gt / gte / lt / lte on numbers, boundaries included or not', () => {
    const f = features({ amount: 500 });
    expect(test({ field: 'payment.amount', op: 'gt', value: 499 }, f)).toBe(true);
    expect(test({ field: 'payment.amount', op: 'gt', value: 500 }, f)).toBe(false);
    expect(test({ field: 'payment.amount', op: 'gte', value: 500 }, f)).toBe(true);
    expect(test({ field: 'payment.amount', op: 'gte', value: 501 }, f)).toBe(false);
    expect(test({ field: 'payment.amount', op: 'lt', value: 501 }, f)).toBe(true);
    expect(test({ field: 'payment.amount', op: 'lt', value: 500 }, f)).toBe(false);
    expect(test({ field: 'payment.amount', op: 'lte', value: 500 }, f)).toBe(true);
    expect(test({ field: 'payment.amount', op: 'lte', value: 499 }, f)).toBe(false);
  });

  it('in / not_in', () => {
    expect(test({ field: 'card.brand', op: 'in', value: ['MIR', 'Visa'] })).toBe(true);
    expect(test({ field: 'card.brand', op: 'in', value: ['mir'] })).toBe(false);
    expect(test({ field: 'card.first6', op: 'not_in', value: ['220000', '400000'] })).toBe(true);
    expect(test({ field: 'card.first6', op: 'not_in', value: ['424242'] })).toBe(false);
    expect(test({ field: 'payment.amount', op: 'in', value: [1, 100_000] })).toBe(true);
  });

  it('matches, with flags, compiled once', () => {
    expect(test({ field: 'customer.email', op: 'matches', value: '^buyer@' })).toBe(true);
    expect(test({ field: 'client.user_agent', op: 'matches', value: 'headless', flags: 'i' })).toBe(false);
    expect(test({ field: 'client.user_agent', op: 'matches', value: 'MOZILLA', flags: 'i' })).toBe(true);
    const predicate = compile({ field: 'customer.email', op: 'matches', value: 'example' });
    const f = features();
    // No `g` flag, so repeated calls give the same answer (no lastIndex state).
    expect([predicate(f), predicate(f), predicate(f)]).toEqual([true, true, true]);
  });

  it('exists, and every comparison on an absent feature is false', () => {
    const f = features({ email: null, ip: null, noCard: true });
    expect(test({ field: 'customer.email', op: 'exists' }, f)).toBe(false);
    expect(test({ field: 'customer.email', op: 'exists' })).toBe(true);
    for (const c of [
      { field: 'customer.email', op: 'neq', value: 'x@y.z' },
      { field: 'customer.email', op: 'not_in', value: ['x@y.z'] },
      { field: 'card.country', op: 'eq', value: 'RU' },
      { field: 'client.ip', op: 'cidr', value: '0.0.0.0/0' },
      { field: 'customer.email', op: 'matches', value: '.*' },
      { field: 'velocity.card.payments.1h', op: 'lt', value: 10 },
      { field: 'velocity.card.payments.1h', op: 'lte', value: 10 },
      { field: 'velocity.card.payments.1h', op: 'gte', value: 0 },
    ] as ConditionInput[]) {
      expect(test(c, f), JSON.stringify(c)).toBe(false);
    }
    expect(test({ not: { field: 'customer.email', op: 'exists' } }, f)).toBe(true);
  });

  it('all / any / not', () => {
    const yes = { field: 'payment.currency', op: 'eq', value: 'RUB' } as const;
    const no = { field: 'payment.currency', op: 'eq', value: 'USD' } as const;
    expect(test({ all: [yes, yes] })).toBe(true);
    expect(test({ all: [yes, no] })).toBe(false);
    expect(test({ any: [no, yes] })).toBe(true);
    expect(test({ any: [no, no] })).toBe(false);
    expect(test({ not: no })).toBe(true);
    expect(test({ not: { all: [yes, { not: no }] } })).toBe(false);
  });

  it('reads card, customer and metadata fields when present', () => {
    const f = features({
      card: { country: 'ru', brand: 'MIR', first6: '220000' },
      customer: { email: 'a@Mail.RU', country: 'kz' },
      metadata: { channel: 'app' },
    });
    expect(test({ field: 'card.country', op: 'eq', value: 'RU' }, f)).toBe(true);
    expect(test({ field: 'card.brand', op: 'eq', value: 'mir' }, f)).toBe(true);
    expect(test({ field: 'customer.country', op: 'eq', value: 'KZ' }, f)).toBe(true);
    expect(test({ field: 'customer.email_domain', op: 'eq', value: 'mail.ru' }, f)).toBe(true);
    expect(test({ field: 'payment.metadata.channel', op: 'eq', value: 'app' }, f)).toBe(true);
    expect(test({ field: 'payment.metadata.toString', op: 'exists' }, f)).toBe(false);
  });
});

describe('cidr', () => {
  const inRange = (ip: string, value: string | string[]) =>
    test({ field: 'client.ip', op: 'cidr', value }, features({ ip }));

  it('matches IPv4 ranges and single addresses', () => {
    expect(inRange('203.0.113.7', '203.0.113.0/24')).toBe(true);
    expect(inRange('203.0.114.7', '203.0.113.0/24')).toBe(false);
    expect(inRange('203.0.113.7', '203.0.113.7')).toBe(true);
    expect(inRange('203.0.113.8', '203.0.113.7/32')).toBe(false);
    expect(inRange('10.1.2.3', ['192.168.0.0/16', '10.0.0.0/8'])).toBe(true);
    expect(inRange('8.8.8.8', '0.0.0.0/0')).toBe(true);
  });

  it('matches IPv6 ranges, in any spelling', () => {
    expect(inRange('2001:db8::1', '2001:db8::/32')).toBe(true);
    expect(inRange('2001:0DB8:0000::0001', '2001:db8::/32')).toBe(true);
    expect(inRange('2001:db9::1', '2001:db8::/32')).toBe(false);
    expect(inRange('2001:db8:abcd:12::1', '2001:db8:abcd:0012::/64')).toBe(true);
  });

  it('keeps families apart, but treats IPv4-mapped IPv6 as IPv4', () => {
    expect(inRange('2001:db8::1', '0.0.0.0/0')).toBe(false);
    expect(inRange('203.0.113.7', '::/0')).toBe(false);
    expect(inRange('::ffff:203.0.113.7', '203.0.113.0/24')).toBe(true);
  });

  it('is false for a malformed client address', () => {
    expect(inRange('not-an-ip', '0.0.0.0/0')).toBe(false);
  });
});
