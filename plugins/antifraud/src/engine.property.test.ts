import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { engineOf, input } from '../test/helpers';
import { compileCondition } from './compile';
import { extractFeatures } from './features';
import { ACTIONS, type ConditionInput, conditionSchema, DEFAULT_SCORE, type RuleInput } from './rule-schema';

const RANK = { allow: 0, review: 1, challenge: 2, deny: 3 } as const;

/** Random condition trees over the amount, evaluated against a plain JS reference. */
type Ref = (amount: number) => boolean;
const comparison = fc
  .tuple(
    fc.constantFrom('eq', 'neq', 'gt', 'gte', 'lt', 'lte', 'in', 'not_in'),
    fc.integer({ min: 0, max: 20 }),
    fc.array(fc.integer({ min: 0, max: 20 }), { minLength: 1, maxLength: 4 }),
  )
  .map(([op, value, values]): [ConditionInput, Ref] => {
    const field = 'payment.amount';
    switch (op) {
      case 'eq':
        return [{ field, op, value }, (a) => a === value];
      case 'neq':
        return [{ field, op, value }, (a) => a !== value];
      case 'gt':
        return [{ field, op, value }, (a) => a > value];
      case 'gte':
        return [{ field, op, value }, (a) => a >= value];
      case 'lt':
        return [{ field, op, value }, (a) => a < value];
      case 'lte':
        return [{ field, op, value }, (a) => a <= value];
      case 'in':
        return [{ field, op, value: values }, (a) => values.includes(a)];
      default:
        return [{ field, op: 'not_in', value: values }, (a) => !values.includes(a)];
    }
  });

const tree: fc.Arbitrary<[ConditionInput, Ref]> = fc.letrec<{ node: [ConditionInput, Ref] }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    comparison,
    fc
      .array(tie('node'), { minLength: 1, maxLength: 3 })
      .map(([...kids]): [ConditionInput, Ref] => [
        { all: kids.map((k) => k[0]) },
        (a) => kids.every((k) => k[1](a)),
      ]),
    fc
      .array(tie('node'), { minLength: 1, maxLength: 3 })
      .map(([...kids]): [ConditionInput, Ref] => [
        { any: kids.map((k) => k[0]) },
        (a) => kids.some((k) => k[1](a)),
      ]),
    tie('node').map(([c, r]): [ConditionInput, Ref] => [{ not: c }, (a) => !r(a)]),
  ),
})).node;

const ruleArb = fc.record({
  action: fc.constantFrom(...ACTIONS.filter((a) => a !== 'allow')),
  score: fc.option(fc.integer({ min: 0, max: 100 }), { nil: undefined }),
  threshold: fc.integer({ min: 0, max: 20 }),
});

describe('properties', () => {
  test.prop([tree, fc.integer({ min: 0, max: 20 })], { numRuns: 300 })(
    'a compiled condition agrees with a plain reference evaluation',
    ([condition, reference], amount) => {
      const predicate = compileCondition(conditionSchema.parse(condition));
      expect(predicate(extractFeatures(input({ amount })))).toBe(reference(amount));
    },
  );

  test.prop([fc.array(ruleArb, { maxLength: 8 }), fc.integer({ min: 0, max: 20 })], { numRuns: 200 })(
    'the verdict is the strongest matching action and the score the highest matching score, within 0–100',
    async (specs, amount) => {
      const rules: RuleInput[] = specs.map((s, i) => ({
        id: `r${i}`,
        description: `rule ${i}`,
        action: s.action,
        ...(s.score === undefined ? {} : { score: s.score }),
        when: { field: 'payment.amount', op: 'gte', value: s.threshold },
      }));
      const signal = await engineOf({ rules }).assess(input({ amount }));
      const matching = specs.filter((s) => amount >= s.threshold);
      const verdict = matching.reduce<keyof typeof RANK>(
        (v, s) => (RANK[s.action] > RANK[v] ? s.action : v),
        'allow',
      );
      const score = Math.max(0, ...matching.map((s) => s.score ?? DEFAULT_SCORE[s.action]));
      expect(signal.verdict).toBe(verdict);
      expect(signal.score).toBe(score);
      expect(signal.score).toBeGreaterThanOrEqual(0);
      expect(signal.score).toBeLessThanOrEqual(100);
      expect(signal.reasons).toHaveLength(matching.length);
      if (matching.some((s) => s.action === 'deny')) expect(signal.verdict).toBe('deny');
    },
  );

  test.prop([fc.array(ruleArb, { maxLength: 5 }), fc.integer({ min: 0, max: 20 })], { numRuns: 100 })(
    'an allow-list hit always allows with score 0, whatever else matches',
    async (specs, amount) => {
      const rules: RuleInput[] = specs.map((s, i) => ({
        id: `r${i}`,
        description: `rule ${i}`,
        action: s.action,
        when: { field: 'payment.amount', op: 'gte', value: s.threshold },
      }));
      const engine = engineOf({
        rules,
        lists: { allow: { emails: ['buyer@example.com'] }, block: { emails: ['buyer@example.com'] } },
      });
      expect(await engine.assess(input({ amount }))).toEqual({
        verdict: 'allow',
        score: 0,
        reasons: ['list:allow:email: email buyer@example.com is on the allow list'],
        rulesVersion: expect.any(String),
      });
    },
  );
});
