import { z } from 'zod';
import { type FeatureRef, resolveFeature, STATIC_FEATURES } from './features';
import { parseIpRange } from './ip';

export const OPERATORS = [
  'eq',
  'neq',
  'gt',
  'gte',
  'lt',
  'lte',
  'in',
  'not_in',
  'cidr',
  'matches',
  'exists',
] as const;
export type Operator = (typeof OPERATORS)[number];

export const ACTIONS = ['allow', 'review', 'challenge', 'deny'] as const;
export type RuleAction = (typeof ACTIONS)[number];

/** Score a rule gets when it names none: the core default policy's thresholds for that verdict. */
export const DEFAULT_SCORE: Record<RuleAction, number> = { allow: 0, review: 60, challenge: 75, deny: 100 };

/** Bounds that keep one bad config from making every assessment slow. */
const MAX_IN_VALUES = 100_000;
const MAX_PATTERN_LENGTH = 512;
const MAX_CHILDREN = 100;

export interface Comparison {
  field: string;
  op: Operator;
  value?: unknown;
  /** Regex flags for `matches`: any of `i`, `m`, `s`, `u`. */
  flags?: string;
}

/** A condition as written in JSON: exactly one of `all`, `any`, `not`, or a comparison. */
export type ConditionInput =
  | { all: ConditionInput[] }
  | { any: ConditionInput[] }
  | { not: ConditionInput }
  | Comparison;

/** A validated condition, tagged by kind. */
export type Condition =
  | { kind: 'all'; all: Condition[] }
  | { kind: 'any'; any: Condition[] }
  | { kind: 'not'; not: Condition }
  | { kind: 'compare'; field: string; ref: FeatureRef; op: Operator; value: unknown; flags: string };

const isScalarOf = (type: FeatureRef['type'], v: unknown): boolean =>
  type === 'number' ? typeof v === 'number' && Number.isFinite(v) : typeof v === 'string';

const fieldHelp = `known fields: ${Object.keys(STATIC_FEATURES).join(', ')}, payment.metadata.<key>, velocity.<card|email|ip|customer>.<payments|declines>.<window such as 10m, 1h, 7d>, velocity.<email|ip|customer>.cards.<window>`;

/** Checks one comparison; returns [path, message] pairs. */
function checkComparison(c: Comparison): { ref?: FeatureRef; issues: [PropertyKey[], string][] } {
  const issues: [PropertyKey[], string][] = [];
  const ref = resolveFeature(c.field);
  if (!ref) {
    issues.push([['field'], `unknown field "${c.field}"; ${fieldHelp}`]);
    return { issues };
  }
  const typeName = ref.type === 'number' ? 'a number' : 'a string';
  const { op, value } = c;
  if (op !== 'matches' && c.flags !== undefined) issues.push([['flags'], 'flags apply only to "matches"']);
  switch (op) {
    case 'exists':
      if (value !== undefined) issues.push([['value'], '"exists" takes no value']);
      break;
    case 'eq':
    case 'neq':
      if (!isScalarOf(ref.type, value)) issues.push([['value'], `"${op}" on ${c.field} needs ${typeName}`]);
      break;
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte':
      if (ref.type !== 'number') {
        issues.push([
          ['op'],
          `"${op}" needs a numeric field; ${c.field} is a string (use eq, in or matches)`,
        ]);
      } else if (!isScalarOf('number', value)) {
        issues.push([['value'], `"${op}" needs a finite number`]);
      }
      break;
    case 'in':
    case 'not_in':
      if (!Array.isArray(value) || value.length === 0) {
        issues.push([['value'], `"${op}" needs a non-empty array`]);
      } else if (value.length > MAX_IN_VALUES) {
        issues.push([['value'], `"${op}" takes at most ${MAX_IN_VALUES} values`]);
      } else {
        value.forEach((v, i) => {
          if (!isScalarOf(ref.type, v)) issues.push([['value', i], `must be ${typeName} (field ${c.field})`]);
        });
      }
      break;
    case 'cidr': {
      if (c.field !== 'client.ip') {
        issues.push([['field'], '"cidr" applies only to client.ip']);
        break;
      }
      const list = typeof value === 'string' ? [value] : value;
      if (!Array.isArray(list) || list.length === 0) {
        issues.push([['value'], '"cidr" needs a CIDR range or a non-empty array of them']);
        break;
      }
      list.forEach((v, i) => {
        const parsed = typeof v === 'string' ? parseIpRange(v) : 'must be a string';
        if (typeof parsed === 'string') {
          issues.push([typeof value === 'string' ? ['value'] : ['value', i], parsed]);
        }
      });
      break;
    }
    case 'matches': {
      if (ref.type !== 'string')
        issues.push([['op'], `"matches" needs a string field; ${c.field} is a number`]);
      if (typeof value !== 'string' || value.length === 0 || value.length > MAX_PATTERN_LENGTH) {
        issues.push([
          ['value'],
          `"matches" needs a regular expression of 1–${MAX_PATTERN_LENGTH} characters`,
        ]);
        break;
      }
      if (c.flags !== undefined && !/^(?!.*(.).*\1)[imsu]*$/.test(c.flags)) {
        issues.push([['flags'], 'flags may be i, m, s and u, each once (g and y are stateful and refused)']);
        break;
      }
      try {
        new RegExp(value, c.flags);
      } catch (err) {
        issues.push([['value'], `invalid regular expression: ${(err as Error).message}`]);
      }
      break;
    }
  }
  return { ref, issues };
}

const comparisonShape = z.strictObject({
  field: z.string(),
  op: z.enum(OPERATORS),
  value: z.unknown().optional(),
  flags: z.string().optional(),
});

type Issue = [PropertyKey[], string];

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Parses one condition node by hand rather than with a zod union, so that an error names the exact
 * path and problem (`when.all.1.value: "gt" needs a finite number`) instead of "Invalid input".
 */
function parseCondition(raw: unknown, issues: Issue[], path: PropertyKey[]): Condition | undefined {
  if (!isObject(raw)) {
    issues.push([path, 'a condition must be an object']);
    return undefined;
  }
  const forms = (['all', 'any', 'not', 'field'] as const).filter((k) => k in raw);
  if (forms.length !== 1) {
    issues.push([
      path,
      forms.length === 0
        ? 'a condition needs one of "all", "any", "not", or a comparison { field, op, value }'
        : `a condition has exactly one of "all", "any", "not" or "field", not ${forms.map((f) => `"${f}"`).join(' and ')}`,
    ]);
    return undefined;
  }
  const form = forms[0] as (typeof forms)[number];
  if (form !== 'field') {
    for (const key of Object.keys(raw)) {
      if (key !== form) issues.push([[...path, key], `unrecognized key "${key}" next to "${form}"`]);
    }
  }
  if (form === 'not') {
    const child = parseCondition(raw.not, issues, [...path, 'not']);
    return child && { kind: 'not', not: child };
  }
  if (form === 'all' || form === 'any') {
    const list = raw[form];
    if (!Array.isArray(list) || list.length === 0 || list.length > MAX_CHILDREN) {
      issues.push([[...path, form], `"${form}" needs an array of 1–${MAX_CHILDREN} conditions`]);
      return undefined;
    }
    const children = list.map((c, i) => parseCondition(c, issues, [...path, form, i]));
    if (children.some((c) => c === undefined)) return undefined;
    return form === 'all'
      ? { kind: 'all', all: children as Condition[] }
      : { kind: 'any', any: children as Condition[] };
  }
  const shape = comparisonShape.safeParse(raw);
  if (!shape.success) {
    for (const issue of shape.error.issues) issues.push([[...path, ...issue.path], issue.message]);
    return undefined;
  }
  const checked = checkComparison(shape.data);
  for (const [p, message] of checked.issues) issues.push([[...path, ...p], message]);
  if (!checked.ref || checked.issues.length > 0) return undefined;
  const c = shape.data;
  return {
    kind: 'compare',
    field: c.field,
    ref: checked.ref,
    op: c.op,
    value: c.value,
    flags: c.flags ?? '',
  };
}

/**
 * A condition tree. Written as one object per node: `{ all: [...] }`, `{ any: [...] }`, `{ not: {...} }`
 * or a comparison `{ field, op, value }`. Every issue names its path (`rules.2.when.all.1.value`).
 */
export const conditionSchema: z.ZodType<Condition, ConditionInput> = z.unknown().transform((raw, ctx) => {
  const issues: Issue[] = [];
  const condition = parseCondition(raw, issues, []);
  for (const [path, message] of issues) ctx.addIssue({ code: 'custom', path: path as never, message });
  return condition ?? z.NEVER;
}) as unknown as z.ZodType<Condition, ConditionInput>;

export const RULE_ID = /^[a-z0-9][a-z0-9_.-]{0,63}$/;

export const ruleSchema = z.strictObject({
  /** Stable id; the reason code is `rule:<id>`. Lowercase letters, digits, `_`, `.`, `-`. */
  id: z.string().regex(RULE_ID, 'must be lowercase letters, digits, "_", "." or "-" (at most 64)'),
  /** Human text; it follows the code in the reason. */
  description: z.string().min(1).max(500),
  when: conditionSchema,
  action: z.enum(ACTIONS),
  /** 0–100; defaults by action: allow 0, review 60, challenge 75, deny 100. */
  score: z.number().int().min(0).max(100).optional(),
  /** Set false to keep a rule in the file without running it. */
  enabled: z.boolean().default(true),
});

export type RuleInput = z.input<typeof ruleSchema>;
export type Rule = z.output<typeof ruleSchema>;

export const ruleSetSchema = z.array(ruleSchema).superRefine((rules, ctx) => {
  const seen = new Map<string, number>();
  rules.forEach((rule, i) => {
    const first = seen.get(rule.id);
    if (first !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: [i, 'id'],
        message: `duplicate rule id "${rule.id}" (also rule ${first})`,
      });
    } else {
      seen.set(rule.id, i);
    }
  });
});

/** One line per issue, `path: message`, for logs and CLI output. */
export function formatIssues(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('\n');
}

/** Parses a rule set (e.g. `JSON.parse` of a rules file); throws an Error listing every issue by path. */
export function parseRules(json: unknown): Rule[] {
  const parsed = ruleSetSchema.safeParse(json);
  if (!parsed.success) throw new Error(`Invalid antifraud rules:\n${formatIssues(parsed.error)}`);
  return parsed.data;
}
