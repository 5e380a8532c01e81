/** How a notification reaches its recipient. */
export type QueuedNotificationChannel = 'email' | 'telegram';

/**
 * `queued`: waiting for its next attempt; `sending`: leased by one process (until `leaseUntil`);
 * `sent`: delivered; `failed`: given up after the retry window.
 */
export type QueuedNotificationStatus = 'queued' | 'sending' | 'sent' | 'failed';

/**
 * One account or payment notification in the durable queue. The message is rendered when it is queued
 * (the template's wording at that moment travels with it), so delivery needs no template data. The body
 * may hold a single-use link: it is erased once the message is sent or given up.
 */
export interface QueuedNotification {
  /** `ntf_…` */
  id: string;
  /**
   * Unique: a second enqueue with the same key is a no-op. Payment notifications use
   * `<eventId>:<userId>:<template>`, so a re-run of the outbox dispatcher queues nothing twice.
   */
  dedupeKey: string;
  /** The user the message is for, when there is one (null for a bare address). */
  userId: string | null;
  channel: QueuedNotificationChannel;
  /** The email address or Telegram chat id. */
  address: string;
  template: string;
  locale: string;
  subject: string;
  text: string;
  html: string;
  status: QueuedNotificationStatus;
  /** Attempts started so far (a claim counts as one, so a crash mid-send is counted too). */
  attempts: number;
  /** When a queued message is due; null once sent or failed. */
  nextAttemptAt: Date | null;
  lastError: string | null;
  createdAt: Date;
  updatedAt: Date;
  sentAt: Date | null;
}

/**
 * Storage for the notification queue. Claims are conditional writes with a lease, so several processes
 * (and the in-process fast path) never send the same message at the same time; a process that dies
 * while holding a lease loses it when it expires, and the message is sent again (at least once).
 */
export interface NotificationRepository {
  /** Inserts a queued message; `inserted` false when a message with its dedupe key exists (nothing written). */
  enqueue(args: { message: QueuedNotification }): Promise<{ inserted: boolean }>;
  get(args: { id: string }): Promise<QueuedNotification | null>;
  findByDedupeKey(args: { dedupeKey: string }): Promise<QueuedNotification | null>;
  /**
   * Leases up to `limit` messages that are queued and due at `now`, or `sending` with an expired lease,
   * and counts an attempt on each. Returns the leased messages.
   */
  claimDue(args: {
    now: Date;
    limit: number;
    leaseUntil: Date;
    leaseToken: string;
  }): Promise<QueuedNotification[]>;
  /** Leases one message under the same conditions (the fast path right after enqueue); null if not claimable. */
  claim(args: {
    id: string;
    now: Date;
    leaseUntil: Date;
    leaseToken: string;
  }): Promise<QueuedNotification | null>;
  /** Marks a leased message sent and erases its body; false when the lease was lost (nothing written). */
  markSent(args: { id: string; leaseToken: string; now: Date }): Promise<boolean>;
  /**
   * Records a failed attempt on a leased message: back to `queued` at `nextAttemptAt`, or `failed`
   * (body erased) when `nextAttemptAt` is null. False when the lease was lost.
   */
  recordFailure(args: {
    id: string;
    leaseToken: string;
    error: string;
    nextAttemptAt: Date | null;
    now: Date;
  }): Promise<boolean>;
}
