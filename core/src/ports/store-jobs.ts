import type { Payment, PaymentStatus } from '../payments';

/** A claim on a unit of background work (e.g. "sync payment pay_…"), with its retry count. */
export interface JobClaim {
  key: string;
  /** How many times the work was claimed before, this claim included (1 on the first). */
  attempts: number;
}

/** What one reconciliation run found and changed. */
export interface ReconciliationRun {
  id: string;
  startedAt: Date;
  finishedAt: Date;
  /** Payments compared with their provider. */
  checked: number;
  changes: Array<{ paymentId: string; from: PaymentStatus; to: PaymentStatus }>;
  /** Payments the provider could not be asked about, with the error code. */
  errors: Array<{ paymentId: string; code: string }>;
}

/**
 * Storage for background jobs. `claim` is the one primitive that makes a job run once across processes:
 * it succeeds for exactly one caller while the key is free or due.
 */
export interface JobRepository {
  /**
   * Claims `key` when it has no record or its record is due (`nextAt <= now`): sets `nextAt = until`
   * (the lease, and the earliest next claim) and counts the attempt. Null when someone else holds it.
   */
  claim(args: { key: string; now: Date; until: Date }): Promise<JobClaim | null>;
  /** Makes `key` due again at `nextAt` (backoff), keeping its attempt count. */
  reschedule(args: { key: string; nextAt: Date }): Promise<void>;
  /** Forgets `key`: the work is finished and the next claim starts from attempt 1. */
  release(args: { key: string }): Promise<void>;
  /**
   * Payments in one of `statuses`, last changed before `updatedBefore`, oldest id first, after `afterId`.
   * `withProviderRef`: only those the provider knows by its own id.
   */
  findPayments(args: {
    statuses: readonly PaymentStatus[];
    updatedBefore: Date;
    limit: number;
    afterId?: string;
    withProviderRef?: boolean;
  }): Promise<Payment[]>;
  recordReconciliation(args: { run: ReconciliationRun }): Promise<void>;
  /** Newest first. */
  listReconciliations(args: { limit: number }): Promise<ReconciliationRun[]>;
}
