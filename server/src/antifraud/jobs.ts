import type { Store } from '@payrail/core';
import {
  DEFAULT_REVIEW_SETTINGS,
  type ReviewQueueServices,
  type ReviewSettings,
  reviewQueue,
} from './reviews';

/**
 * Periodic antifraud work, for the job scheduler to call (it owns timing and leases; these are safe to
 * run from several processes at once).
 */

/**
 * Applies the default action (PAYRAIL_REVIEW_DEFAULT, `reject` unless set) to reviews left open longer
 * than PAYRAIL_REVIEW_TIMEOUT (72 h), at most `limit` (100) per call, oldest first. Pass
 * `config.reviews` as `settings`.
 */
export function resolveExpiredReviews(args: {
  services: ReviewQueueServices;
  now: Date;
  settings?: ReviewSettings;
  limit?: number;
}): Promise<{ approved: number; rejected: number; failed: number }> {
  return reviewQueue(args.services, args.settings ?? DEFAULT_REVIEW_SETTINGS).resolveExpiredReviews({
    now: args.now,
    ...(args.limit !== undefined ? { limit: args.limit } : {}),
  });
}

/** Deletes velocity counters past their retention, at most `limit` (10 000) per call; returns how many. */
export function purgeExpiredRiskCounters(args: { store: Store; now: Date; limit?: number }): Promise<number> {
  return args.store.riskCounters.purgeExpired({ before: args.now, limit: args.limit ?? 10_000 });
}
