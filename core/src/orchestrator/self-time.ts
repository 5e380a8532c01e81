import { AsyncLocalStorage } from 'node:async_hooks';
import type { PluginRegistry } from '../plugins/registry';
import type { Store } from '../ports/store';
import type { Orchestrator } from './orchestrator';

/** One orchestrator call in flight: how long it has waited on the store, providers and engines. */
interface Span {
  externalMs: number;
  /** External calls open right now; overlapping ones (engines in parallel) count once. */
  depth: number;
  externalSince: number;
}

export interface SelfTimeSummary {
  count: number;
  p50_ms: number;
  p99_ms: number;
  max_ms: number;
}

/** Samples kept per method: a ring, so memory stays bounded in a long run. */
const MAX_SAMPLES = 20_000;

const percentile = (sorted: number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;

/**
 * The orchestrator's own time per call: wall time of a public call minus the time it spent waiting on
 * the store, provider plugins and antifraud engines (issue 7 asks for ≤ 2 ms p99). Off by default; the
 * server turns it on with PAYRAIL_ORCHESTRATOR_TIMING=1 and the bench reads it. It is an upper bound:
 * time the call's continuations waited for the event loop counts as the orchestrator's own.
 */
export class OrchestratorSelfTime {
  readonly #als = new AsyncLocalStorage<Span>();
  readonly #samples = new Map<string, { values: number[]; next: number }>();
  readonly #now: () => number;

  /** `now`: a millisecond clock (tests pass a hand-moved one). */
  constructor(now: () => number = () => performance.now()) {
    this.#now = now;
  }

  /** Runs `call` as one measured call of `method` when it answers a promise; a sync answer is not timed. */
  measure<T>(method: string, call: () => T): T {
    // A public call made by another (a review approval capturing) belongs to the outer one.
    if (this.#als.getStore()) return call();
    const span: Span = { externalMs: 0, depth: 0, externalSince: 0 };
    const started = this.#now();
    const result = this.#als.run(span, call);
    if (!(result instanceof Promise)) return result;
    return result.finally(() => {
      this.#record(method, this.#now() - started - span.externalMs);
    }) as T;
  }

  async external<T>(call: () => Promise<T> | T): Promise<T> {
    const span = this.#als.getStore();
    if (!span) return call();
    if (span.depth++ === 0) span.externalSince = this.#now();
    try {
      return await call();
    } finally {
      if (--span.depth === 0) span.externalMs += this.#now() - span.externalSince;
    }
  }

  summary(): Record<string, SelfTimeSummary> {
    const out: Record<string, SelfTimeSummary> = {};
    for (const [method, { values }] of this.#samples) {
      const sorted = [...values].sort((a, b) => a - b);
      const round = (ms: number) => Math.round(ms * 1000) / 1000;
      out[method] = {
        count: sorted.length,
        p50_ms: round(percentile(sorted, 50)),
        p99_ms: round(percentile(sorted, 99)),
        max_ms: round(sorted.at(-1) ?? 0),
      };
    }
    return out;
  }

  reset(): void {
    this.#samples.clear();
  }

  #record(method: string, ms: number): void {
    let ring = this.#samples.get(method);
    if (!ring) {
      ring = { values: [], next: 0 };
      this.#samples.set(method, ring);
    }
    if (ring.values.length < MAX_SAMPLES) ring.values.push(ms);
    else ring.values[ring.next] = ms;
    ring.next = (ring.next + 1) % MAX_SAMPLES;
  }
}

/** Every method of `target` (own or inherited) wrapped so its time counts as external. */
function externalMethods<T extends object>(target: T, timing: OrchestratorSelfTime): T {
  return new Proxy(target, {
    get(object, key) {
      const value = Reflect.get(object, key, object);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => timing.external(() => value.apply(object, args));
    },
  });
}

/** The store as the orchestrator should see it when timed: every repository call is external time. */
export function timedStore(store: Store, timing: OrchestratorSelfTime): Store {
  const repositories = new Map<PropertyKey, unknown>();
  return new Proxy(store, {
    get(object, key) {
      const value = Reflect.get(object, key, object);
      if (value === null || typeof value !== 'object') return value;
      let wrapped = repositories.get(key);
      if (!wrapped) {
        wrapped = externalMethods(value, timing);
        repositories.set(key, wrapped);
      }
      return wrapped;
    },
  });
}

/** The registry as the orchestrator should see it when timed: provider and engine calls are external. */
export function timedRegistry(registry: PluginRegistry, timing: OrchestratorSelfTime): PluginRegistry {
  const providers = registry.providers.map((p) => ({ ...p, provider: externalMethods(p.provider, timing) }));
  const antifraud = registry.antifraud.map((a) => ({ ...a, engine: externalMethods(a.engine, timing) }));
  return {
    providers,
    antifraud,
    notificationChannels: registry.notificationChannels,
    shopBridges: registry.shopBridges,
    provider(pluginId, instanceId) {
      const found = registry.provider(pluginId, instanceId);
      return found && providers.find((p) => p.plugin === found.plugin);
    },
  };
}

/** The orchestrator with each public async method measured (see OrchestratorSelfTime). */
export function timedOrchestrator(orchestrator: Orchestrator, timing: OrchestratorSelfTime): Orchestrator {
  return new Proxy(orchestrator, {
    get(object, key) {
      const value = Reflect.get(object, key, object);
      if (typeof value !== 'function' || typeof key !== 'string') return value;
      return (...args: unknown[]) => timing.measure(key, () => value.apply(object, args));
    },
  });
}
