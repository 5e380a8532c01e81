import { describe, expect, it } from 'vitest';
import { analyzeSoak, leastSquaresSlope, median, parseDuration, type SoakWindow } from './soak-analysis';

// The soak verdict (docs/performance.md, "Soak"): RSS and p99 must not grow and nothing may fail, decided
// on medians of thirds after warm-up plus an RSS trend, so that a noisy shared machine does not fail a
// flat run and a steady leak does not pass.

const WINDOW_S = 60;

/** 30 one-minute windows (a 30-minute soak) with RSS/p99 from the given functions of the window index. */
function run(
  rss: (i: number) => number,
  p99: (i: number) => number = () => 30,
  more: (i: number) => Partial<SoakWindow> = () => ({}),
  count = 30,
): SoakWindow[] {
  return Array.from({ length: count }, (_, i) => ({
    index: i,
    start_s: i * WINDOW_S,
    duration_s: WINDOW_S,
    ops: 4000,
    errors: 0,
    ops_per_s: 66.7,
    target_ops_per_s: 67,
    p50_ms: 15,
    p99_ms: p99(i),
    max_ms: p99(i) * 2,
    rss_mb: rss(i),
    rss_max_mb: rss(i) + 5,
    cpu_ms_per_op: 4,
    heap_used_mb: 60,
    heap_total_mb: 90,
    loadavg_1m: 2,
    ...more(i),
  }));
}

/** Deterministic noise in [-1, 1] (a fixed LCG), so the noisy cases are the same on every run. */
function noise(seed: number): (i: number) => number {
  const values: number[] = [];
  let s = seed;
  for (let i = 0; i < 200; i++) {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    values.push((s / 2 ** 31) * 2 - 1);
  }
  return (i) => values[i] as number;
}

describe('parseDuration', () => {
  it('reads units, combinations and plain seconds', () => {
    expect(parseDuration('30m')).toBe(1800);
    expect(parseDuration('90s')).toBe(90);
    expect(parseDuration('1h30m')).toBe(5400);
    expect(parseDuration('500ms')).toBe(0.5);
    expect(parseDuration('45')).toBe(45);
  });

  it('rejects what it cannot read', () => {
    expect(() => parseDuration('30 minutes')).toThrow(/cannot read duration/);
    expect(() => parseDuration('m')).toThrow(/cannot read duration/);
  });
});

describe('median and least-squares slope', () => {
  it('medians of odd and even lists, ignoring NaN', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([Number.NaN, 5, 1])).toBe(3);
    expect(median([])).toBeNaN();
  });

  it('slope of a line, and 0 for a flat or single-point series', () => {
    expect(leastSquaresSlope([0, 1, 2, 3], [10, 12, 14, 16])).toBeCloseTo(2);
    expect(leastSquaresSlope([0, 1, 2], [5, 5, 5])).toBe(0);
    expect(leastSquaresSlope([1], [5])).toBe(0);
  });
});

describe('analyzeSoak', () => {
  it('passes a flat run', () => {
    const v = analyzeSoak(run(() => 210));
    expect(v.pass).toBe(true);
    expect(v.failures).toEqual([]);
    expect(v.windows_analysed).toBe(29);
    expect(v.rss_mb?.growth).toBe(0);
    expect(v.rss_mb?.slope_per_hour).toBeCloseTo(0);
    expect(v.p99_ms?.factor).toBe(1);
  });

  it('ignores the warm-up window even when RSS jumps during it', () => {
    // Start-up RSS is far below the steady state: comparing against window 0 would look like +50 %.
    const v = analyzeSoak(run((i) => (i === 0 ? 140 : 210)));
    expect(v.pass).toBe(true);
    expect(v.rss_mb?.first_third_median).toBe(210);
  });

  it('fails a leak of 2 MB per minute (+28 % over the run)', () => {
    const v = analyzeSoak(run((i) => 200 + 2 * i));
    expect(v.pass).toBe(false);
    expect(v.failures.join('\n')).toMatch(/RSS grew/);
    expect(v.rss_mb?.slope_per_hour).toBeCloseTo(120, 0);
  });

  it('fails a slow leak under the percentage limit through its trend', () => {
    // 0.5 MB/min = 30 MB/h: the thirds' medians differ by only ~10 MB (< 10 % of 200 MB)
    const v = analyzeSoak(run((i) => 200 + 0.5 * i));
    expect(v.rss_mb?.growth_pct).toBeLessThan(10);
    expect(v.pass).toBe(false);
    expect(v.failures.join('\n')).toMatch(/RSS trend 30 MB\/h/);
  });

  it('fails a live-heap leak that RSS does not show yet, and passes a live heap that only wobbles', () => {
    // The probe reads the heap after a full GC: +0.5 MB per minute of live heap is memory kept.
    const leaking = analyzeSoak(
      run(
        () => 210,
        undefined,
        (i) => ({ heap_used_mb: 40 + 0.5 * i }),
      ),
    );
    expect(leaking.pass).toBe(false);
    expect(leaking.failures.join('\n')).toMatch(/live V8 heap \(after a full GC\) grew/);
    const heapNoise = noise(5);
    const wobbling = analyzeSoak(
      run(
        () => 210,
        undefined,
        (i) => ({ heap_used_mb: 40 + 2 * heapNoise(i) }),
      ),
    );
    expect(wobbling.failures).toEqual([]);
    expect(wobbling.pass).toBe(true);
  });

  it('passes a noisy but flat run: GC sawtooth, spikes, and a late outlier that tilts the fitted line', () => {
    const rssNoise = noise(7);
    const p99Noise = noise(11);
    const windows = run(
      (i) => 205 + 12 * rssNoise(i) + (i === 28 ? 90 : 0), // ±12 MB, and one +90 MB window near the end
      (i) => 30 + 10 * p99Noise(i) + (i % 7 === 3 ? 60 : 0), // ±10 ms, and a neighbour's burst every 7th
      (i) => ({ loadavg_1m: 2 + Math.abs(3 * rssNoise(i)) }),
    );
    const v = analyzeSoak(windows);
    // the outlier alone gives a fitted trend above the limit; the medians do not move, so no failure
    expect(v.rss_mb?.slope_per_hour).toBeGreaterThan(20);
    expect(Math.abs(v.rss_mb?.growth ?? 99)).toBeLessThan(5);
    expect(v.failures).toEqual([]);
    expect(v.pass).toBe(true);
  });

  it('fails when p99 grows, and notes a change of machine load next to it', () => {
    const v = analyzeSoak(
      run(
        () => 210,
        (i) => (i < 15 ? 30 : 80),
        (i) => ({ loadavg_1m: i < 15 ? 2 : 9 }),
      ),
    );
    expect(v.pass).toBe(false);
    expect(v.failures.join('\n')).toMatch(/p99 grew ×2\.7/);
    expect(v.notes.join('\n')).toMatch(/load average changed from 2 to 9/);
  });

  it('does not call a few milliseconds of p99 at a low level growth', () => {
    const v = analyzeSoak(
      run(
        () => 210,
        (i) => (i < 15 ? 4 : 7),
      ),
    );
    expect(v.p99_ms?.factor).toBeGreaterThan(1.5);
    expect(v.pass).toBe(true);
  });

  it('fails on any error, also in the warm-up window, and names the windows', () => {
    const v = analyzeSoak(
      run(
        () => 210,
        undefined,
        (i) => (i === 0 || i === 17 ? { errors: 1 } : {}),
      ),
    );
    expect(v.pass).toBe(false);
    expect(v.errors).toBe(2);
    expect(v.failures).toEqual(['2 failed operation(s), in window(s) 0, 17']);
  });

  it('calls a short run a smoke test', () => {
    const v = analyzeSoak(
      run(
        () => 210,
        undefined,
        () => ({ duration_s: 20 }),
        9,
      ),
    );
    expect(v.pass).toBe(true);
    expect(v.notes).toEqual([
      'only 160 s after warm-up: a smoke test — trends per hour are extrapolated from a short span and may still show warm-up',
    ]);
  });

  it('refuses a verdict on too few windows', () => {
    const v = analyzeSoak(run(() => 210, undefined, undefined, 3));
    expect(v.pass).toBe(false);
    expect(v.failures[0]).toMatch(/only 2 window\(s\) after 1 warm-up/);
  });

  it('fails when RSS could not be read, and notes windows that fell behind the pace', () => {
    const v = analyzeSoak(
      run(
        () => Number.NaN,
        undefined,
        (i) => (i === 5 ? { ops_per_s: 40 } : {}),
      ),
    );
    expect(v.pass).toBe(false);
    expect(v.failures).toEqual(['server RSS could not be read in enough windows']);
    expect(v.notes.join('\n')).toMatch(/below 90 % of the target in window\(s\) 5/);
  });

  it('notes, without failing, error lines the server logged', () => {
    const v = analyzeSoak(
      run(
        () => 210,
        undefined,
        (i) => (i === 4 ? { server_error_logs: 2, server_error_sample: '{"level":50,"msg":"job"}' } : {}),
      ),
    );
    expect(v.pass).toBe(true);
    expect(v.notes).toEqual([
      'the server logged 2 error line(s), in window(s) 4; first: {"level":50,"msg":"job"}',
    ]);
  });

  it('notes an outbox backlog that keeps growing, and not one that stays small', () => {
    const growing = analyzeSoak(
      run(
        () => 210,
        undefined,
        (i) => ({ outbox_backlog: 300 * i }),
      ),
    );
    expect(growing.pass).toBe(true);
    expect(growing.notes.join('\n')).toMatch(/outbox backlog \(undispatched events\) grew from 1500 to 7500/);
    const small = analyzeSoak(
      run(
        () => 210,
        undefined,
        (i) => ({ outbox_backlog: i % 3 === 0 ? 40 : 0 }),
      ),
    );
    expect(small.notes).toEqual([]);
  });

  it('takes threshold overrides', () => {
    const leak = run((i) => 200 + 0.5 * i);
    expect(analyzeSoak(leak, { rssSlopeMbPerHour: 40 }).pass).toBe(true);
  });
});
