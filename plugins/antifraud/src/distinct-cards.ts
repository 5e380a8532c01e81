import type { Features, VelocityDimension, VelocityFeature } from './features';
import type { VelocityQuery, VelocityRecord } from './velocity';

/** The queries an assessment asks for its `velocity.<dimension>.cards.<window>` features, and what follows. */
export interface DistinctCardsPlan {
  queries: VelocityQuery[];
  /** Sets the features from the answers (in `queries` order); returns the events to record. */
  apply(f: Features, counts: readonly number[], now: Date): VelocityRecord[];
}

const pairKey = (key: string, card: string) => `${key}\u0000${card}`;
const windowKey = (windowMs: number, key: string) => `${windowMs}\u0000${key}`;

/**
 * Distinct cards by IP, email or customer, from plain event counters (no scan, no set per key): for each
 * window, a `new_card` event is recorded the first time a card is seen with the key in that window
 * (`card_seen` of the pair counts 0), and the feature is the count of `new_card` events in the window
 * plus one when this card is new. Exact when each card is used once per window (card testing); a card
 * used again inside a window that has slid past its first use is not counted a second time (a possible
 * undercount of reused cards).
 */
export function distinctCardsPlan(
  f: Features,
  slots: ReadonlyMap<string, VelocityFeature>,
  maxWindowMs: number | undefined,
): DistinctCardsPlan {
  const card = f.keys.card;
  const wanted: { slot: string; dimension: VelocityDimension; key: string; windowMs: number }[] = [];
  if (card !== undefined) {
    for (const [slot, feature] of slots) {
      if (feature.event !== 'cards') continue;
      const key = f.keys[feature.dimension];
      if (key === undefined) continue;
      wanted.push({
        slot,
        dimension: feature.dimension,
        key,
        windowMs: Math.min(feature.windowMs, maxWindowMs ?? feature.windowMs),
      });
    }
  }
  const queries: VelocityQuery[] = wanted.flatMap((w) => [
    { dimension: w.dimension, key: pairKey(w.key, card as string), event: 'card_seen', windowMs: w.windowMs },
    { dimension: w.dimension, key: windowKey(w.windowMs, w.key), event: 'new_card', windowMs: w.windowMs },
  ]);
  return {
    queries,
    apply(features, counts, now) {
      if (wanted.length === 0) return [];
      const seen: Partial<Record<VelocityDimension, string>> = {};
      const fresh = new Map<number, Partial<Record<VelocityDimension, string>>>();
      wanted.forEach((w, i) => {
        const pair = counts[2 * i] ?? 0;
        const earlier = counts[2 * i + 1] ?? 0;
        const isNew = pair === 0;
        features.velocity.set(w.slot, earlier + (isNew ? 1 : 0));
        seen[w.dimension] = pairKey(w.key, card as string);
        if (isNew) {
          const keys = fresh.get(w.windowMs) ?? {};
          keys[w.dimension] = windowKey(w.windowMs, w.key);
          fresh.set(w.windowMs, keys);
        }
      });
      return [
        { event: 'card_seen', keys: seen, at: now },
        ...[...fresh.values()].map((keys): VelocityRecord => ({ event: 'new_card', keys, at: now })),
      ];
    },
  };
}
