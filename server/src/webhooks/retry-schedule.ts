/**
 * When a failed delivery is tried again: exponential backoff (1 min, then doubling) capped at 6 h between
 * tries, for at most 3 days after the first attempt. After that the delivery is `failed`; an endpoint
 * whose deliveries have failed for the whole window is disabled.
 */
export interface RetryPolicy {
  /** Delay after the first failure, in ms. */
  baseDelayMs: number;
  /** Longest delay between two tries, in ms. */
  maxDelayMs: number;
  /** Time after the first attempt within which retries happen, in ms. */
  windowMs: number;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  baseDelayMs: MINUTE,
  maxDelayMs: 6 * HOUR,
  windowMs: 72 * HOUR,
};

/**
 * The next attempt after `failures` failed ones (1 = the first failed), or null when the window is over.
 * A little jitter (up to 10 %) spreads retries of many deliveries that failed together.
 */
export function nextAttemptAt(args: {
  policy: RetryPolicy;
  failures: number;
  firstAttemptAt: Date;
  now: Date;
  random?: () => number;
}): Date | null {
  const { policy, failures, firstAttemptAt, now } = args;
  const exponential = policy.baseDelayMs * 2 ** Math.min(Math.max(failures - 1, 0), 30);
  const delay = Math.min(exponential, policy.maxDelayMs) * (1 + 0.1 * (args.random ?? Math.random)());
  const at = new Date(now.getTime() + delay);
  return at.getTime() - firstAttemptAt.getTime() > policy.windowMs ? null : at;
}
