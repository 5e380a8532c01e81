import { describe, expect, it } from 'vitest';
import { parseRules, ruleSetSchema } from './rule-schema';

const rule = (when: unknown, extra: Record<string, unknown> = {}) => ({
  id: 'r1',
  description: 'test rule',
  action: 'deny',
  when,
  ...extra,
});

/** The issues of a rule set, as `path: message` lines. */
function issuesOf(rules: unknown): string[] {
  const parsed = ruleSetSchema.safeParse(rules);
  if (parsed.success) return [];
  return parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
}

describe('rule schema', () => {
  it('accepts a nested rule and applies defaults', () => {
    const [parsed] = parseRules([
      rule({
        all: [
          { field: 'payment.amount', op: 'gte', value: 500_000 },
          {
            any: [
              { field: 'card.country', op: 'in', value: ['NG', 'GH'] },
              { not: { field: 'client.ip', op: 'exists' } },
            ],
          },
        ],
      }),
    ]);
    expect(parsed).toMatchObject({ id: 'r1', action: 'deny', enabled: true });
    expect(parsed?.when.kind).toBe('all');
  });

  it('names the path of an unknown field', () => {
    const issues = issuesOf([
      rule({
        all: [
          { field: 'payment.amount', op: 'gt', value: 1 },
          { field: 'card.bin', op: 'eq', value: '4' },
        ],
      }),
    ]);
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatch(
      /^0\.when\.all\.1\.field: unknown field "card\.bin"; known fields: .*card\.first6/,
    );
  });

  it('names the path of a value of the wrong type', () => {
    expect(issuesOf([rule({ field: 'payment.amount', op: 'gt', value: '100' })])).toEqual([
      '0.when.value: "gt" needs a finite number',
    ]);
    expect(issuesOf([rule({ field: 'payment.currency', op: 'eq', value: 643 })])).toEqual([
      '0.when.value: "eq" on payment.currency needs a string',
    ]);
    expect(issuesOf([rule({ field: 'card.brand', op: 'in', value: ['visa', 1] })])).toEqual([
      '0.when.value.1: must be a string (field card.brand)',
    ]);
    expect(issuesOf([rule({ field: 'card.brand', op: 'in', value: [] })])).toEqual([
      '0.when.value: "in" needs a non-empty array',
    ]);
  });

  it('refuses ordering operators on string fields and regexes on numbers', () => {
    expect(issuesOf([rule({ field: 'card.brand', op: 'gt', value: 1 })])[0]).toMatch(
      /^0\.when\.op: "gt" needs a numeric field/,
    );
    expect(issuesOf([rule({ field: 'payment.amount', op: 'matches', value: '^1' })])[0]).toMatch(
      /^0\.when\.op: "matches" needs a string field/,
    );
  });

  it('validates CIDR ranges, IPv4 and IPv6, and only on client.ip', () => {
    expect(
      issuesOf([rule({ field: 'client.ip', op: 'cidr', value: ['10.0.0.0/8', '10.0.0.0/33'] })]),
    ).toEqual(['0.when.value.1: "10.0.0.0/33" has an invalid prefix length (0–32 for IPv4)']);
    expect(issuesOf([rule({ field: 'client.ip', op: 'cidr', value: '2001:db8::/129' })])).toEqual([
      '0.when.value: "2001:db8::/129" has an invalid prefix length (0–128 for IPv6)',
    ]);
    expect(issuesOf([rule({ field: 'client.ip', op: 'cidr', value: 'example.com/8' })])).toEqual([
      '0.when.value: "example.com/8" is not an IP address or CIDR range',
    ]);
    expect(issuesOf([rule({ field: 'customer.email', op: 'cidr', value: '10.0.0.0/8' })])).toEqual([
      '0.when.field: "cidr" applies only to client.ip',
    ]);
  });

  it('validates regular expressions and refuses stateful flags', () => {
    expect(issuesOf([rule({ field: 'customer.email', op: 'matches', value: '(' })])[0]).toMatch(
      /^0\.when\.value: invalid regular expression/,
    );
    expect(issuesOf([rule({ field: 'customer.email', op: 'matches', value: 'a', flags: 'g' })])[0]).toMatch(
      /^0\.when\.flags: flags may be i, m, s and u/,
    );
    expect(issuesOf([rule({ field: 'customer.email', op: 'eq', value: 'a', flags: 'i' })])).toEqual([
      '0.when.flags: flags apply only to "matches"',
    ]);
  });

  it('refuses malformed condition nodes with their path', () => {
    expect(issuesOf([rule({ all: [{ field: 'card.brand', op: 'eq', value: 'visa' }], any: [] })])).toEqual([
      '0.when: a condition has exactly one of "all", "any", "not" or "field", not "all" and "any"',
    ]);
    expect(issuesOf([rule({})])).toEqual([
      '0.when: a condition needs one of "all", "any", "not", or a comparison { field, op, value }',
    ]);
    expect(issuesOf([rule({ all: [] })])).toEqual(['0.when.all: "all" needs an array of 1–100 conditions']);
    expect(issuesOf([rule({ not: 'x' })])).toEqual(['0.when.not: a condition must be an object']);
    expect(issuesOf([rule({ field: 'card.brand', op: 'like', value: 'v' })])[0]).toMatch(
      /^0\.when\.op: Invalid option/,
    );
    expect(issuesOf([rule({ field: 'card.brand', op: 'eq', value: 'v', extra: 1 })])[0]).toMatch(
      /^0\.when: Unrecognized key/,
    );
  });

  it('checks the rule envelope: id, action, score, duplicates', () => {
    expect(issuesOf([rule({ field: 'card.brand', op: 'exists' }, { id: 'Bad Id' })])[0]).toMatch(
      /^0\.id: must be lowercase/,
    );
    expect(issuesOf([rule({ field: 'card.brand', op: 'exists' }, { action: 'block' })])[0]).toMatch(
      /^0\.action: Invalid option/,
    );
    expect(issuesOf([rule({ field: 'card.brand', op: 'exists' }, { score: 101 })])[0]).toMatch(/^0\.score: /);
    const twice = rule({ field: 'card.brand', op: 'exists' });
    expect(issuesOf([twice, twice])).toEqual(['1.id: duplicate rule id "r1" (also rule 0)']);
  });

  it('accepts velocity and metadata fields and refuses malformed windows', () => {
    expect(issuesOf([rule({ field: 'velocity.card.declines.10m', op: 'gte', value: 3 })])).toEqual([]);
    expect(issuesOf([rule({ field: 'payment.metadata.channel', op: 'eq', value: 'app' })])).toEqual([]);
    expect(issuesOf([rule({ field: 'velocity.card.declines.10w', op: 'gte', value: 3 })])[0]).toMatch(
      /^0\.when\.field: unknown field/,
    );
  });

  it('parseRules throws one message listing every issue', () => {
    expect(() =>
      parseRules([
        rule({
          all: [
            { field: 'x', op: 'eq', value: 1 },
            { field: 'payment.amount', op: 'lt', value: 'a' },
          ],
        }),
      ]),
    ).toThrow(
      /Invalid antifraud rules:\n0\.when\.all\.0\.field: unknown field "x".*\n0\.when\.all\.1\.value: "lt" needs a finite number/s,
    );
  });
});
