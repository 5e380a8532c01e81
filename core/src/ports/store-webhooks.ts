import type { Mode } from '../payments';
import type { OutboxEvent } from './store';

/** A merchant's URL that receives signed event notifications (`POST /v1/webhook_endpoints`). */
export interface WebhookEndpoint {
  id: string;
  merchantId: string;
  mode: Mode;
  url: string;
  /** Event types to send, e.g. `payment.succeeded`; `*` means every type. */
  eventTypes: string[];
  /**
   * Only events whose payment (or refund's payment) belongs to this shop of the merchant; null or absent
   * (endpoints made before shops had endpoints): every event.
   */
  shopId?: string | null;
  description: string | null;
  /**
   * The signing secret, sealed by the server (AES-256-GCM) before it reaches the store: the store never
   * sees the plain `whsec_…` value, which is shown to the merchant once, at creation.
   */
  sealedSecret: string;
  /** `disabled` after failing for the whole retry window; `deleted` by the merchant (kept for the log). */
  status: 'enabled' | 'disabled' | 'deleted';
  /** Start of the current run of failed deliveries; null while deliveries succeed. */
  failingSince: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

/** What a merchant may change on an endpoint; a field left out stays as it is. */
export interface WebhookEndpointChange {
  url?: string;
  eventTypes?: string[];
  description?: string | null;
  status?: 'enabled' | 'disabled';
}

/** One HTTP request made for a delivery. */
export interface WebhookAttempt {
  at: Date;
  /** HTTP status, or null when no response came (timeout, refused connection). */
  statusCode: number | null;
  /** Short reason for a failure; never the response body. */
  error: string | null;
  durationMs: number;
}

/**
 * One event for one endpoint. There is at most one delivery per (event, endpoint): retries and manual
 * resends reuse it, so the receiver always sees the same event id.
 */
export interface WebhookDelivery {
  id: string;
  eventId: string;
  endpointId: string;
  merchantId: string;
  mode: Mode;
  status: 'pending' | 'succeeded' | 'failed';
  attempts: WebhookAttempt[];
  nextAttemptAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

/**
 * Storage for merchant webhooks. Every method is one atomic step; the ones that claim work are
 * conditional writes, so several server processes can run the dispatcher and the sender at once.
 */
export interface WebhookRepository {
  createEndpoint(args: { endpoint: WebhookEndpoint }): Promise<void>;
  /** The merchant's endpoint in this mode (deleted ones included), or null. */
  getEndpoint(args: { merchantId: string; mode: Mode; id: string }): Promise<WebhookEndpoint | null>;
  /** Not deleted, oldest first. */
  listEndpoints(args: { merchantId: string; mode: Mode }): Promise<WebhookEndpoint[]>;
  /**
   * Changes a not-deleted endpoint (only the fields given). Setting `status: 'enabled'` also clears
   * `failingSince` (a fresh start after the merchant fixed the receiver). The endpoint after the change,
   * or null when there was none (or it is deleted).
   */
  updateEndpoint(args: {
    merchantId: string;
    mode: Mode;
    id: string;
    change: WebhookEndpointChange;
    now: Date;
  }): Promise<WebhookEndpoint | null>;
  /** Marks the endpoint deleted and fails its pending deliveries; false when there was none to delete. */
  deleteEndpoint(args: { merchantId: string; mode: Mode; id: string; now: Date }): Promise<boolean>;
  /** Enabled endpoints of the merchant and mode that subscribe to this event type (or to `*`). */
  endpointsFor(args: { merchantId: string; mode: Mode; type: string }): Promise<WebhookEndpoint[]>;
  /** Success clears `failingSince`; a failure sets it if unset. Returns the endpoint after the change. */
  recordEndpointResult(args: { id: string; ok: boolean; now: Date }): Promise<WebhookEndpoint | null>;
  /**
   * Disables an enabled endpoint and writes `event` (telling the merchant) in the same step. Returns false
   * when it was not enabled any more (another process disabled it first): then no event is written.
   */
  disableEndpoint(args: { id: string; now: Date; event: OutboxEvent }): Promise<boolean>;

  /** The merchant's event in this mode, or null. */
  getEvent(args: { merchantId: string; mode: Mode; id: string }): Promise<OutboxEvent | null>;
  /** Events not yet turned into deliveries, oldest first. */
  undispatchedEvents(args: { limit: number }): Promise<OutboxEvent[]>;
  /**
   * Inserts the event's deliveries (skipping any (event, endpoint) pair that already has one) and marks
   * the event dispatched. Running it twice, or in two processes at once, leaves one delivery per pair.
   * `first` is true for the one call that marked the event (so per-event side effects run once).
   */
  dispatchEvent(args: {
    eventId: string;
    deliveries: WebhookDelivery[];
    now: Date;
  }): Promise<{ first: boolean }>;
  /**
   * Leases up to `limit` pending deliveries due at `now` that nobody else holds, until `lockedUntil`,
   * under `lockToken`. A process that dies loses its lease when it expires, and the delivery is retried.
   */
  claimDueDeliveries(args: {
    now: Date;
    limit: number;
    lockedUntil: Date;
    lockToken: string;
  }): Promise<WebhookDelivery[]>;
  /**
   * Appends an attempt and sets the new status and next attempt, only while `lockToken` still holds the
   * lease. Returns false when the lease was lost (nothing written).
   */
  recordAttempt(args: {
    id: string;
    lockToken: string;
    attempt: WebhookAttempt;
    status: WebhookDelivery['status'];
    nextAttemptAt: Date | null;
    now: Date;
  }): Promise<boolean>;
  /** An event's deliveries, oldest first. */
  listDeliveries(args: { merchantId: string; mode: Mode; eventId: string }): Promise<WebhookDelivery[]>;
  /**
   * Queues the event's deliveries again, now (to one endpoint or all of them); creates a delivery for
   * given endpoints that had none. Returns the deliveries after the change.
   */
  resendEvent(args: {
    merchantId: string;
    mode: Mode;
    eventId: string;
    deliveries: WebhookDelivery[];
    now: Date;
  }): Promise<WebhookDelivery[]>;
}
