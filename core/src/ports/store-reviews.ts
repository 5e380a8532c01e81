import type { Mode, Payment } from '../payments';
import type { Page } from './store';

/**
 * The antifraud review queue, read from payments: a payment is under review while it is `authorized` and
 * its `risk.decision` is `review` (held by core for the merchant to approve = capture, or reject = void).
 * Approving or rejecting changes the payment's status, which takes it out of the queue, so there is no
 * separate state to keep in sync.
 */
export interface ReviewRepository {
  /** The merchant's open reviews in a mode, newest first (ids sort by creation time). */
  listOpen(args: {
    merchantId: string;
    mode: Mode;
    limit: number;
    startingAfter?: string;
  }): Promise<Page<Payment>>;
  /**
   * Open reviews of every merchant held since before `heldBefore` (by the payment's `updatedAt`, which is
   * when it was authorized: nothing else changes a held payment), oldest first, at most `limit`.
   */
  listHeldBefore(args: { heldBefore: Date; limit: number }): Promise<Payment[]>;
}
