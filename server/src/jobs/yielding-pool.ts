import type { PostgresStore } from '@payrail/store-postgres';

type Pool = PostgresStore['pool'];

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The pool as agenda sees it on PGlite, where the store's pool has ONE connection shared with requests.
 * Agenda polls on a timer and does not wait for one poll's queries before the next poll; on a slow
 * (busy) machine its queries could pile up in the pool's FIFO queue ahead of requests, which then time
 * out waiting for the connection (503 PAYRAIL_ERR_STORE_UNAVAILABLE, seen in tests before this). So:
 * - agenda has at most ONE query queued or running at a time;
 * - before each one, it lets requests that are already waiting for the connection go first (up to
 *   `maxYieldMs`, so the scheduler still makes progress under constant load).
 * The job handlers use the store's methods like requests do; only agenda's own polling is gated.
 */
export function yieldingPool(pool: Pool, maxYieldMs = 2_000): Pool {
  let chain: Promise<unknown> = Promise.resolve();
  const politely = async <T>(run: () => Promise<T>): Promise<T> => {
    const deadline = Date.now() + maxYieldMs;
    while (pool.waitingCount > 0 && Date.now() < deadline) await sleep(5);
    return run();
  };
  const serialised = <T>(run: () => Promise<T>): Promise<T> => {
    const next = chain.then(() => politely(run));
    chain = next.catch(() => {});
    return next;
  };
  return new Proxy(pool, {
    get(target, property) {
      if (property === 'query') {
        return (...args: unknown[]) =>
          serialised(() => (target.query as (...a: unknown[]) => Promise<unknown>).apply(target, args));
      }
      const value = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
