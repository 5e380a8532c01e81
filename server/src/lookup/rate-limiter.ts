/**
 * A fixed-window counter per key, in memory. Used by the public payment lookup, which must slow down
 * guessing (card last 4 digits have only 10 000 values) without a login. Per process: behind several
 * server processes each keeps its own windows, so the effective limit is the sum — put a shared limit at
 * the proxy as well when running many (docs/reports.md). The map is bounded: when it is full, expired
 * windows are dropped, and if none expired the oldest keys go first.
 */
export class FixedWindowLimiter {
  private readonly windows = new Map<string, { start: number; count: number }>();

  constructor(private readonly options: { max: number; windowMs: number; maxKeys?: number }) {}

  /** Counts one hit on the key; 0 when it is allowed, else the ms until the key's window ends. */
  hit(key: string, now: number): number {
    const { max, windowMs } = this.options;
    let window = this.windows.get(key);
    if (!window || now - window.start >= windowMs) {
      this.makeRoom(now);
      window = { start: now, count: 0 };
      this.windows.delete(key);
      this.windows.set(key, window);
    }
    window.count += 1;
    return window.count > max ? window.start + windowMs - now : 0;
  }

  private makeRoom(now: number): void {
    const maxKeys = this.options.maxKeys ?? 100_000;
    if (this.windows.size < maxKeys) return;
    for (const [key, w] of this.windows) {
      if (now - w.start >= this.options.windowMs) this.windows.delete(key);
    }
    // Insertion order is age order: drop the oldest until there is room.
    for (const key of this.windows.keys()) {
      if (this.windows.size < maxKeys) break;
      this.windows.delete(key);
    }
  }
}
