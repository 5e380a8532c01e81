// The soak test's verdict (bench/soak.ts, docs/performance.md "Soak"): a pure function of the recorded
// windows, so the rule is unit-tested (bench/soak-analysis.test.ts) apart from any load.

/** One measurement window of the soak run. */
export interface SoakWindow {
  /** 0-based. */
  index: number;
  /** Seconds since the soak load started, at the window's start. */
  start_s: number;
  duration_s: number;
  /** Completed operations (payment flows) and failed ones. */
  ops: number;
  errors: number;
  ops_per_s: number;
  target_ops_per_s: number;
  p50_ms: number;
  p99_ms: number;
  max_ms: number;
  /** Server RSS at the end of the window, and the highest one sampled (every second) during it. */
  rss_mb: number;
  rss_max_mb: number;
  /** Server CPU time (user + system) during the window per completed operation. */
  cpu_ms_per_op: number;
  /** V8 heap of the server at the end of the window; null when it could not be read. */
  heap_used_mb: number | null;
  heap_total_mb: number | null;
  /** Machine 1-minute load average at the end of the window. */
  loadavg_1m: number;
  /** Lines the server logged at level error or fatal during the window (a note, not a failure). */
  server_error_logs?: number;
  /** PostgreSQL: outbox events not yet dispatched at the end of the window (null: not read). */
  outbox_backlog?: number | null;
  error_samples?: string[];
  server_error_sample?: string;
}

export interface SoakThresholds {
  /** Leading windows left out of the growth analysis (JIT, pools, caches filling). Errors still count. */
  warmupWindows: number;
  /** Fewest windows after warm-up for a verdict (each third needs one). */
  minWindows: number;
  /** Fail when the last third's median RSS exceeds the first third's by more than this many percent… */
  rssGrowthPct: number;
  /** …or when the least-squares slope of RSS exceeds this many MB per hour… */
  rssSlopeMbPerHour: number;
  /** …and the medians agree that RSS rose, by at least this many MB (so one spike or noise in a short run
   * cannot fail it through the slope alone). */
  rssSlopeMinRiseMb: number;
  /** Fail when the last third's median p99 exceeds the first third's by this factor… */
  p99GrowthFactor: number;
  /** …and by at least this many milliseconds (4 → 7 ms is noise on a shared machine, not growth). */
  p99MinRiseMs: number;
  /** Note (not fail) windows whose achieved rate fell below this fraction of the target. */
  paceShortfall: number;
}

export const DEFAULT_SOAK_THRESHOLDS: SoakThresholds = {
  warmupWindows: 1,
  minWindows: 3,
  rssGrowthPct: 10,
  rssSlopeMbPerHour: 20,
  rssSlopeMinRiseMb: 5,
  p99GrowthFactor: 1.5,
  p99MinRiseMs: 5,
  paceShortfall: 0.9,
};

export interface GrowthSummary {
  first_third_median: number;
  last_third_median: number;
  growth: number;
  growth_pct: number;
  /** Least-squares slope per hour over the analysed windows (window end times). */
  slope_per_hour: number;
}

export interface SoakVerdict {
  pass: boolean;
  /** Why it failed (empty when it passed). */
  failures: string[];
  /** Things worth knowing that do not fail the run (machine load changed, pacing fell behind, heap). */
  notes: string[];
  windows_total: number;
  windows_analysed: number;
  errors: number;
  rss_mb: GrowthSummary | null;
  p99_ms: (GrowthSummary & { factor: number }) | null;
  heap_used_mb: GrowthSummary | null;
  loadavg_1m: { first_third_median: number; last_third_median: number } | null;
  thresholds: SoakThresholds;
}

export function median(values: number[]): number {
  const xs = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (xs.length === 0) return Number.NaN;
  const mid = Math.floor(xs.length / 2);
  return xs.length % 2 ? (xs[mid] as number) : ((xs[mid - 1] as number) + (xs[mid] as number)) / 2;
}

/** Least-squares slope of y over x (NaN points skipped; 0 with fewer than two points or constant x). */
export function leastSquaresSlope(xs: number[], ys: number[]): number {
  const pts = xs.map((x, i) => [x, ys[i] as number] as const).filter(([x, y]) => Number.isFinite(x + y));
  if (pts.length < 2) return 0;
  const mx = pts.reduce((s, [x]) => s + x, 0) / pts.length;
  const my = pts.reduce((s, [, y]) => s + y, 0) / pts.length;
  let num = 0;
  let den = 0;
  for (const [x, y] of pts) {
    num += (x - mx) * (y - my);
    den += (x - mx) ** 2;
  }
  return den === 0 ? 0 : num / den;
}

function growth(windows: SoakWindow[], pick: (w: SoakWindow) => number | null): GrowthSummary | null {
  const values = windows.map((w) => pick(w) ?? Number.NaN);
  if (values.filter(Number.isFinite).length < 3) return null;
  const third = Math.max(1, Math.floor(windows.length / 3));
  const first = median(values.slice(0, third));
  const last = median(values.slice(-third));
  const hours = windows.map((w) => (w.start_s + w.duration_s) / 3600);
  return {
    first_third_median: first,
    last_third_median: last,
    growth: last - first,
    growth_pct: first > 0 ? ((last - first) / first) * 100 : 0,
    slope_per_hour: leastSquaresSlope(hours, values),
  };
}

/** `30m`, `90s`, `1h`, `1h30m`, `500ms`, or a plain number of seconds → seconds. */
export function parseDuration(text: string): number {
  const trimmed = text.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Number(trimmed);
  const unit = { h: 3600, m: 60, s: 1, ms: 0.001 } as const;
  let total = 0;
  let rest = trimmed;
  while (rest.length) {
    const m = /^(\d+(?:\.\d+)?)(ms|h|m|s)/.exec(rest);
    if (!m) throw new Error(`cannot read duration "${text}" (e.g. 30m, 90s, 1h30m)`);
    total += Number(m[1]) * unit[m[2] as keyof typeof unit];
    rest = rest.slice(m[0].length);
  }
  return total;
}

const r1 = (x: number) => Math.round(x * 10) / 10;

/**
 * RSS and p99 must not grow, and nothing may fail. Windows after warm-up are split in thirds; the
 * medians of the first and last thirds are compared (a median ignores single spikes from GC or a
 * neighbour on a shared machine), and the RSS trend is also fitted by least squares so a slow steady
 * leak that the medians only half show still fails, provided the medians agree RSS rose.
 */
export function analyzeSoak(windows: SoakWindow[], overrides: Partial<SoakThresholds> = {}): SoakVerdict {
  const t: SoakThresholds = { ...DEFAULT_SOAK_THRESHOLDS, ...overrides };
  const failures: string[] = [];
  const notes: string[] = [];
  const errors = windows.reduce((s, w) => s + w.errors, 0);
  if (errors > 0) {
    const bad = windows.filter((w) => w.errors > 0).map((w) => w.index);
    failures.push(`${errors} failed operation(s), in window(s) ${bad.join(', ')}`);
  }
  const analysed = windows.slice(t.warmupWindows);
  const verdict: SoakVerdict = {
    pass: false,
    failures,
    notes,
    windows_total: windows.length,
    windows_analysed: analysed.length,
    errors,
    rss_mb: null,
    p99_ms: null,
    heap_used_mb: null,
    loadavg_1m: null,
    thresholds: t,
  };
  if (analysed.length < Math.max(3, t.minWindows)) {
    failures.push(
      `only ${analysed.length} window(s) after ${t.warmupWindows} warm-up window(s); need ${Math.max(3, t.minWindows)} for a verdict (longer --duration or shorter --window)`,
    );
    return verdict;
  }

  const spanS = analysed.reduce((s, w) => s + w.duration_s, 0);
  if (spanS < 600)
    notes.push(
      `only ${Math.round(spanS)} s after warm-up: a smoke test — trends per hour are extrapolated from a short span and may still show warm-up`,
    );

  const rss = growth(analysed, (w) => w.rss_mb);
  verdict.rss_mb = rss;
  if (!rss) {
    failures.push('server RSS could not be read in enough windows');
  } else {
    if (rss.growth_pct > t.rssGrowthPct)
      failures.push(
        `RSS grew ${r1(rss.growth_pct)} % (median of the first third ${r1(rss.first_third_median)} MB → last third ${r1(rss.last_third_median)} MB; limit ${t.rssGrowthPct} %)`,
      );
    else if (rss.slope_per_hour > t.rssSlopeMbPerHour && rss.growth >= t.rssSlopeMinRiseMb)
      failures.push(
        `RSS trend ${r1(rss.slope_per_hour)} MB/h (limit ${t.rssSlopeMbPerHour} MB/h), and the medians rose ${r1(rss.growth)} MB (${r1(rss.first_third_median)} → ${r1(rss.last_third_median)} MB)`,
      );
  }

  const p99 = growth(analysed, (w) => w.p99_ms);
  if (p99) {
    const factor = p99.first_third_median > 0 ? p99.last_third_median / p99.first_third_median : 1;
    verdict.p99_ms = { ...p99, factor };
    if (factor > t.p99GrowthFactor && p99.growth >= t.p99MinRiseMs)
      failures.push(
        `p99 grew ×${r1(factor)} (median of the first third ${r1(p99.first_third_median)} ms → last third ${r1(p99.last_third_median)} ms; limit ×${t.p99GrowthFactor})`,
      );
  } else {
    failures.push('p99 could not be measured in enough windows (no completed operations?)');
  }

  const heap = growth(analysed, (w) => w.heap_used_mb);
  verdict.heap_used_mb = heap;
  // The probe forces a full collection before it reads the heap, so this is the live heap: growth here is
  // memory the server keeps, i.e. a leak, even while RSS still looks flat.
  if (heap && heap.growth_pct > t.rssGrowthPct && heap.growth >= t.rssSlopeMinRiseMb)
    failures.push(
      `live V8 heap (after a full GC) grew ${r1(heap.growth_pct)} % (${r1(heap.first_third_median)} → ${r1(heap.last_third_median)} MB medians; limit ${t.rssGrowthPct} % and ${t.rssSlopeMinRiseMb} MB)`,
    );

  const third = Math.max(1, Math.floor(analysed.length / 3));
  const load = {
    first_third_median: median(analysed.slice(0, third).map((w) => w.loadavg_1m)),
    last_third_median: median(analysed.slice(-third).map((w) => w.loadavg_1m)),
  };
  verdict.loadavg_1m = load;
  const loadChanged =
    Math.abs(load.last_third_median - load.first_third_median) >= 1 &&
    (load.last_third_median > 1.5 * load.first_third_median ||
      load.first_third_median > 1.5 * load.last_third_median);
  if (loadChanged)
    notes.push(
      `machine load average changed from ${r1(load.first_third_median)} to ${r1(load.last_third_median)} (medians of the thirds): latency compares runs under different load`,
    );

  const logged = windows.filter((w) => (w.server_error_logs ?? 0) > 0);
  if (logged.length) {
    const count = logged.reduce((s, w) => s + (w.server_error_logs ?? 0), 0);
    const sample = logged.find((w) => w.server_error_sample)?.server_error_sample;
    notes.push(
      `the server logged ${count} error line(s), in window(s) ${logged.map((w) => w.index).join(', ')}${sample ? `; first: ${sample}` : ''}`,
    );
  }

  const backlog = growth(analysed, (w) => w.outbox_backlog ?? null);
  if (backlog && backlog.growth > 0 && backlog.last_third_median >= 100)
    notes.push(
      `the outbox backlog (undispatched events) grew from ${Math.round(backlog.first_third_median)} to ${Math.round(backlog.last_third_median)} (medians of the thirds): the dispatcher does not keep up with this rate`,
    );

  const behind = windows
    .filter((w) => w.ops_per_s < t.paceShortfall * w.target_ops_per_s)
    .map((w) => w.index);
  if (behind.length)
    notes.push(
      `achieved rate below ${t.paceShortfall * 100} % of the target in window(s) ${behind.join(', ')} (the server or the machine could not keep the pace)`,
    );

  verdict.pass = failures.length === 0;
  return verdict;
}
