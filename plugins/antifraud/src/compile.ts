import {
  type FeatureRef,
  type Features,
  normalizeValue,
  type VelocityFeature,
  velocitySlot,
} from './features';
import { IpMatcher, type IpRange, normalizeIp, parseIpRange } from './ip';
import type { Condition } from './rule-schema';

/** A compiled condition: a closure over precomputed sets, block lists and regexes. */
export type Predicate = (f: Features) => boolean;

/** Reads a feature's value from the extracted features; undefined when absent. */
function reader(ref: FeatureRef): (f: Features) => string | number | undefined {
  switch (ref.kind) {
    case 'static': {
      const name = ref.name;
      return (f) => f.static[name];
    }
    case 'metadata': {
      const key = ref.key;
      return (f) => (Object.hasOwn(f.metadata, key) ? f.metadata[key] : undefined);
    }
    case 'velocity': {
      const slot = velocitySlot(ref);
      return (f) => f.velocity.get(slot);
    }
  }
}

const norm = (field: string, v: unknown): string | number =>
  typeof v === 'string' ? normalizeValue(field, v) : (v as number);

/**
 * Compiles a validated condition once. Every comparison on an absent feature is false — including
 * `neq` and `not_in` — so a rule never fires on data it cannot see; wrap it in `not` to act on absence,
 * or test presence with `exists`.
 */
export function compileCondition(c: Condition): Predicate {
  switch (c.kind) {
    case 'all': {
      const parts = c.all.map(compileCondition);
      return (f) => parts.every((p) => p(f));
    }
    case 'any': {
      const parts = c.any.map(compileCondition);
      return (f) => parts.some((p) => p(f));
    }
    case 'not': {
      const inner = compileCondition(c.not);
      return (f) => !inner(f);
    }
    case 'compare':
      return compileComparison(c);
  }
}

function compileComparison(c: Extract<Condition, { kind: 'compare' }>): Predicate {
  const read = reader(c.ref);
  switch (c.op) {
    case 'exists':
      return (f) => read(f) !== undefined;
    case 'eq': {
      const value = norm(c.field, c.value);
      return (f) => read(f) === value;
    }
    case 'neq': {
      const value = norm(c.field, c.value);
      return (f) => {
        const v = read(f);
        return v !== undefined && v !== value;
      };
    }
    case 'gt': {
      const value = c.value as number;
      return (f) => (read(f) as number) > value;
    }
    case 'gte': {
      const value = c.value as number;
      return (f) => (read(f) as number) >= value;
    }
    case 'lt': {
      const value = c.value as number;
      return (f) => {
        const v = read(f);
        return v !== undefined && (v as number) < value;
      };
    }
    case 'lte': {
      const value = c.value as number;
      return (f) => {
        const v = read(f);
        return v !== undefined && (v as number) <= value;
      };
    }
    case 'in': {
      const set = new Set((c.value as unknown[]).map((v) => norm(c.field, v)));
      return (f) => {
        const v = read(f);
        return v !== undefined && set.has(v);
      };
    }
    case 'not_in': {
      const set = new Set((c.value as unknown[]).map((v) => norm(c.field, v)));
      return (f) => {
        const v = read(f);
        return v !== undefined && !set.has(v);
      };
    }
    case 'cidr': {
      const texts = typeof c.value === 'string' ? [c.value] : (c.value as string[]);
      const matcher = new IpMatcher(texts.map((t) => parseIpRange(t) as IpRange));
      return (f) => {
        const v = read(f);
        if (typeof v !== 'string') return false;
        const ip = normalizeIp(v);
        return ip !== undefined && matcher.has(ip);
      };
    }
    case 'matches': {
      // Compiled once here; flags g and y are refused by the schema, so `test` keeps no state.
      const re = new RegExp(c.value as string, c.flags);
      return (f) => {
        const v = read(f);
        return typeof v === 'string' && re.test(v);
      };
    }
  }
}

/** Every velocity feature a condition reads, so the engine asks its source for exactly those. */
export function velocityFeaturesOf(c: Condition, out: VelocityFeature[] = []): VelocityFeature[] {
  switch (c.kind) {
    case 'all':
      for (const child of c.all) velocityFeaturesOf(child, out);
      break;
    case 'any':
      for (const child of c.any) velocityFeaturesOf(child, out);
      break;
    case 'not':
      velocityFeaturesOf(c.not, out);
      break;
    case 'compare':
      if (c.ref.kind === 'velocity') out.push(c.ref);
      break;
  }
  return out;
}
