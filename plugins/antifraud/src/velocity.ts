import type { VelocityDimension } from './features';

/**
 * What is counted: payment attempts (recorded by the engine at assessment) and declines (reported). For
 * distinct cards the engine also records `card_seen` (key: the IP/email/customer with the card) and
 * `new_card` (key: the window with the IP/email/customer, once per card first seen in that window).
 */
export type VelocityEvent = 'payment' | 'decline' | 'card_seen' | 'new_card';

export interface VelocityQuery {
  dimension: VelocityDimension;
  /** The normalised key: card fingerprint, lowercase email, normalised IP. */
  key: string;
  event: VelocityEvent;
  windowMs: number;
}

export interface VelocityRecord {
  event: VelocityEvent;
  keys: Partial<Record<VelocityDimension, string>>;
  at: Date;
}

/**
 * Where velocity counts come from. The engine asks for all the counts one assessment needs in a single
 * `count` call (a storage-backed source answers with one round trip) and records each attempt.
 */
export interface VelocitySource {
  /** How many events of each query happened in `(now - windowMs, now]`; one number per query, in order. */
  count(queries: readonly VelocityQuery[], now: Date): Promise<readonly number[]> | readonly number[];
  record(record: VelocityRecord): Promise<void> | void;
  /** Longest window the source keeps; rules asking for more are refused at init. */
  readonly maxWindowMs?: number;
}

export interface InMemoryVelocityOptions {
  /** How long events are kept, the longest window any rule may use. Default 30 days. */
  retentionMs?: number;
  /** Width of one counter bucket; windows are exact to within one bucket. Default 1 s. */
  resolutionMs?: number;
  /** Keys (dimension + event + value) kept; the least recently used are evicted past it. Default 100 000. */
  maxKeys?: number;
  /**
   * Buckets kept per key. Past it the two oldest are merged into the newer one, so counts never drop
   * (an old event may count a little longer than its window: the safe side for antifraud). Default 256.
   */
  maxBucketsPerKey?: number;
}

/** One key's events: bucket start times (ascending) and their counts, in parallel arrays. */
interface Series {
  starts: number[];
  counts: number[];
}

/**
 * Sliding-window counters in memory, for tests and single-process deployments. Each key holds sparse
 * buckets of `resolutionMs`; a count sums the buckets that overlap the window, whole (so it may include
 * events up to one bucket older than the window, or later in the bucket holding `now` — never fewer). Memory is bounded by `maxKeys × maxBucketsPerKey`:
 * buckets older than the retention are dropped on every write to their key, keys untouched for longer
 * than the retention are swept, and the least recently written keys are evicted past `maxKeys`.
 * Counts do not survive a restart and are not shared between processes.
 */
export class InMemoryVelocitySource implements VelocitySource {
  readonly maxWindowMs: number;
  readonly #resolution: number;
  readonly #maxKeys: number;
  readonly #maxBuckets: number;
  /** Insertion order = least recently written first (a key is re-inserted on write). */
  readonly #series = new Map<string, Series>();
  #writesSinceSweep = 0;

  constructor(options: InMemoryVelocityOptions = {}) {
    this.maxWindowMs = options.retentionMs ?? 30 * 86_400_000;
    this.#resolution = options.resolutionMs ?? 1_000;
    this.#maxKeys = options.maxKeys ?? 100_000;
    this.#maxBuckets = options.maxBucketsPerKey ?? 256;
    for (const [name, v] of Object.entries({
      retentionMs: this.maxWindowMs,
      resolutionMs: this.#resolution,
      maxKeys: this.#maxKeys,
      maxBucketsPerKey: this.#maxBuckets,
    })) {
      if (!Number.isInteger(v) || v < 1)
        throw new RangeError(`InMemoryVelocitySource: ${name} must be a positive integer`);
    }
    if (this.#maxBuckets < 2)
      throw new RangeError('InMemoryVelocitySource: maxBucketsPerKey must be at least 2');
  }

  /** Number of keys held (for tests and metrics). */
  get size(): number {
    return this.#series.size;
  }

  count(queries: readonly VelocityQuery[], now: Date): number[] {
    const t = now.getTime();
    return queries.map((q) => {
      const series = this.#series.get(keyOf(q.dimension, q.event, q.key));
      if (!series) return 0;
      // A bucket [start, start + resolution) overlaps (t - window, t] when start + resolution > t - window.
      const from = t - q.windowMs - this.#resolution;
      let total = 0;
      for (let i = series.starts.length - 1; i >= 0; i--) {
        const start = series.starts[i] as number;
        if (start <= from) break;
        if (start <= t) total += series.counts[i] as number;
      }
      return total;
    });
  }

  record(record: VelocityRecord): void {
    const t = record.at.getTime();
    const bucket = t - (((t % this.#resolution) + this.#resolution) % this.#resolution);
    for (const [dimension, value] of Object.entries(record.keys) as [
      VelocityDimension,
      string | undefined,
    ][]) {
      if (!value) continue;
      this.#add(keyOf(dimension, record.event, value), bucket, t);
    }
    if (++this.#writesSinceSweep >= 1024) {
      this.#writesSinceSweep = 0;
      this.sweep(record.at);
    }
  }

  /** Drops keys whose newest event is older than the retention. Runs every 1024 writes on its own. */
  sweep(now: Date): void {
    const horizon = now.getTime() - this.maxWindowMs - this.#resolution;
    for (const [key, series] of this.#series) {
      const newest = series.starts[series.starts.length - 1] ?? Number.NEGATIVE_INFINITY;
      if (newest <= horizon) this.#series.delete(key);
    }
  }

  #add(key: string, bucket: number, t: number): void {
    let series = this.#series.get(key);
    if (series) {
      this.#series.delete(key); // re-inserted below: most recently written last
    } else {
      series = { starts: [], counts: [] };
    }
    this.#series.set(key, series);
    const { starts, counts } = series;
    // Events normally arrive in time order; a late one goes into its bucket by a short scan back.
    let i = starts.length - 1;
    while (i >= 0 && (starts[i] as number) > bucket) i--;
    if (i >= 0 && starts[i] === bucket) {
      counts[i] = (counts[i] as number) + 1;
    } else {
      starts.splice(i + 1, 0, bucket);
      counts.splice(i + 1, 0, 1);
    }
    // Drop what left the retention, then merge the oldest buckets past the cap.
    const horizon = t - this.maxWindowMs - this.#resolution;
    let expired = 0;
    while (expired < starts.length - 1 && (starts[expired] as number) <= horizon) expired++;
    if (expired > 0) {
      starts.splice(0, expired);
      counts.splice(0, expired);
    }
    while (starts.length > this.#maxBuckets) {
      counts[1] = (counts[1] as number) + (counts[0] as number);
      starts.shift();
      counts.shift();
    }
    while (this.#series.size > this.#maxKeys) {
      const oldest = this.#series.keys().next().value as string;
      this.#series.delete(oldest);
    }
  }
}

const keyOf = (dimension: VelocityDimension, event: VelocityEvent, value: string): string =>
  `${dimension}\u0000${event}\u0000${value}`;
