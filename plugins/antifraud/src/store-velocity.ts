import { createHash } from 'node:crypto';
import type { RiskCounterRepository } from '@payrail/core';
import type { VelocityDimension } from './features';
import type { VelocityEvent, VelocityQuery, VelocityRecord, VelocitySource } from './velocity';

export interface StoreVelocityOptions {
  /**
   * Separates the counts of different antifraud instances on one database. Default `antifraud:default`;
   * the server uses `antifraud:<instanceId>`.
   */
  namespace?: string;
  /** Width of one counter bucket; counts are exact to within one bucket. Default 10 s. */
  resolutionMs?: number;
  /** How long counters are kept (the longest window a rule may use). Default 30 days. */
  retentionMs?: number;
}

/**
 * Velocity counts in the store (`store.riskCounters`): they survive restarts and are shared by every
 * server process on the database. An event adds one to its key's counter in the current bucket (one
 * upsert statement for all of an event's keys); a count sums the buckets overlapping the window (one
 * statement for all of an assessment's queries, each an index range scan). Like the in-memory source, a
 * count may include events up to one bucket older than the window, never fewer.
 *
 * Keys are SHA-256 of namespace, dimension, event and value: no email or IP is stored in clear here.
 */
export class StoreVelocitySource implements VelocitySource {
  readonly maxWindowMs: number;
  readonly #counters: Pick<RiskCounterRepository, 'increment' | 'count'>;
  readonly #namespace: string;
  readonly #resolution: number;

  constructor(
    counters: Pick<RiskCounterRepository, 'increment' | 'count'>,
    options: StoreVelocityOptions = {},
  ) {
    this.#counters = counters;
    this.#namespace = options.namespace ?? 'antifraud:default';
    this.#resolution = options.resolutionMs ?? 10_000;
    this.maxWindowMs = options.retentionMs ?? 30 * 86_400_000;
    for (const [name, v] of Object.entries({
      resolutionMs: this.#resolution,
      retentionMs: this.maxWindowMs,
    })) {
      if (!Number.isInteger(v) || v < 1)
        throw new RangeError(`StoreVelocitySource: ${name} must be a positive integer`);
    }
  }

  #key(dimension: VelocityDimension, event: VelocityEvent, value: string): string {
    return createHash('sha256')
      .update(`${this.#namespace}\u0000${dimension}\u0000${event}\u0000${value}`)
      .digest('base64url');
  }

  #bucket(t: number): number {
    return Math.floor(t / this.#resolution) * this.#resolution;
  }

  async count(queries: readonly VelocityQuery[], now: Date): Promise<readonly number[]> {
    const t = now.getTime();
    return this.#counters.count({
      queries: queries.map((q) => ({
        key: this.#key(q.dimension, q.event, q.key),
        // The bucket holding the window's start overlaps the window: counted whole (never fewer).
        since: new Date(this.#bucket(t - q.windowMs)),
      })),
    });
  }

  async record(record: VelocityRecord): Promise<void> {
    const keys: string[] = [];
    for (const [dimension, value] of Object.entries(record.keys) as [
      VelocityDimension,
      string | undefined,
    ][]) {
      if (value) keys.push(this.#key(dimension, record.event, value));
    }
    if (keys.length === 0) return;
    const bucket = this.#bucket(record.at.getTime());
    await this.#counters.increment({
      keys,
      bucket: new Date(bucket),
      expiresAt: new Date(bucket + this.maxWindowMs + this.#resolution),
    });
  }
}
