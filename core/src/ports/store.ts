import type { LedgerAccount, LedgerEntry, LedgerPosting, Tariff } from '../ledger';
import type { Mode, Payment, PaymentStatus, Refund } from '../payments';
import type { AccountTokenRepository } from './store-account-tokens';
import type { AcquiringBankRepository } from './store-acquiring-banks';
import type { AntifraudConfigRepository } from './store-antifraud';
import type { ApplicationRepository } from './store-applications';
import type { AuditLogRepository } from './store-audit-log';
import type {
  BuyerContactRepository,
  CustomerContactFilter,
  CustomerContactListArgs,
  MerchantCustomerRef,
} from './store-buyer-contact';
import type { IssuerRepository } from './store-issuers';
import type { JobRepository } from './store-jobs';
import type { MerchantOnboarding, MerchantOnboardingRepository } from './store-merchant-onboarding';
import type { NotificationRepository } from './store-notifications';
import type { ReportRepository } from './store-reports';
import type { ReviewRepository } from './store-reviews';
import type { RiskCounterRepository } from './store-risk-counters';
import type { SessionRepository } from './store-sessions';
import type { ShopRepository } from './store-shops';
import type { StoredCardRepository } from './store-stored-cards';
import type { TicketRepository } from './store-tickets';
import type { UserRepository } from './store-users';
import type { WebhookRepository } from './store-webhooks';

/**
 * The storage port. Every method takes one args object. Adapters: `@payrail/store-postgres` (PostgreSQL
 * and the embedded PGlite) and, later, `@payrail/store-mongodb`.
 *
 * Why no general `transaction(fn)`: every write that must be atomic is one method here (`payments.insert`,
 * `payments.commit`, `merchants.create`). That keeps the port implementable on MongoDB with
 * single-document atomic operations, and keeps long-running work (provider calls) out of transactions.
 */
export interface Store {
  /** Adapter name for logs and /readyz, e.g. "postgres" or "pglite". */
  readonly kind: string;
  /** Applies pending migrations; safe to call on every start and from several processes at once. */
  migrate(): Promise<void>;
  /** Cheap round trip for readiness checks. */
  ping(): Promise<void>;
  close(): Promise<void>;
  merchants: MerchantRepository;
  apiKeys: ApiKeyRepository;
  payments: PaymentRepository;
  refunds: RefundRepository;
  ledger: LedgerRepository;
  idempotency: IdempotencyRepository;
  events: EventRepository;
  users: UserRepository;
  sessions: SessionRepository;
  accountTokens: AccountTokenRepository;
  auditLog: AuditLogRepository;
  storedCards: StoredCardRepository;
  webhooks: WebhookRepository;
  jobs: JobRepository;
  riskCounters: RiskCounterRepository;
  reviews: ReviewRepository;
  antifraud: AntifraudConfigRepository;
  reports: ReportRepository;
  /** Live-account applications and the acquiring banks merchants choose from (onboarding, issue 9). */
  applications: ApplicationRepository;
  acquiringBanks: AcquiringBankRepository;
  tickets: TicketRepository;
  issuers: IssuerRepository;
  shops: ShopRepository;
  /** Buyers' confirmed contact emails (buyer account). */
  buyerContacts: BuyerContactRepository;
  /** The durable queue of account and payment notifications (email, Telegram). */
  notifications: NotificationRepository;
}

export interface Merchant {
  id: string;
  name: string;
  email: string;
  tariff: Tariff;
  /**
   * Which provider instance serves a payment method for this merchant: method → "pluginId:instanceId"
   * (e.g. `{ "qiwi_wallet": "qiwi:shop-2" }`). Methods not listed go to the first registered instance
   * that supports the method and currency. Stored as JSON.
   */
  providerRoutes: Record<string, string>;
  createdAt: Date;
  /** Trial and live mode; absent: live since creation (read it with `onboardingOf`). */
  onboarding?: MerchantOnboarding;
}

export interface ApiKey {
  id: string;
  merchantId: string;
  mode: Mode;
  /** SHA-256 hex of the whole secret. Secrets are high-entropy, so a fast hash is the right tool here. */
  secretHash: string;
  /** The first characters of the secret (`sk_test_4f9a…`) for display; never enough to use. */
  displayPrefix: string;
  createdAt: Date;
  revokedAt: Date | null;
  /** After this the key no longer authenticates; null or absent: never expires. */
  expiresAt?: Date | null;
  /** Last successful authentication, updated at most once a minute. */
  lastUsedAt?: Date | null;
}

export interface MerchantRepository extends MerchantOnboardingRepository {
  /** Creates the merchant and its first keys atomically. */
  create(args: { merchant: Merchant; apiKeys: ApiKey[] }): Promise<void>;
  get(args: { id: string }): Promise<Merchant | null>;
  count(): Promise<number>;
}

export interface ApiKeyRepository {
  /** The active (not revoked) key with this hash, or null. */
  findActiveByHash(args: { secretHash: string }): Promise<ApiKey | null>;
  list(args: { merchantId: string }): Promise<ApiKey[]>;
  insert(args: { apiKey: ApiKey }): Promise<void>;
  /** Revokes one key of this merchant; the key after the change, or null when it is not theirs. */
  revoke(args: { merchantId: string; id: string; now: Date }): Promise<ApiKey | null>;
  /** Records a use; a no-op when the stored last use is newer than `ifOlderThan`. */
  touch(args: { id: string; now: Date; ifOlderThan: Date }): Promise<void>;
}

/** One event for the merchant, written in the same atomic write as the change it reports (outbox). */
export interface OutboxEvent {
  id: string;
  merchantId: string;
  mode: Mode;
  type: string;
  /** Id of the object the event is about (a payment or refund id). */
  objectId: string;
  data: Record<string, unknown>;
  createdAt: Date;
}

/** A processed provider notification; its key makes a repeated notification a no-op. */
export interface NotificationReceipt {
  pluginId: string;
  instanceId: string;
  /** Unique per provider notification: the provider's id, or a digest of its significant fields. */
  notificationId: string;
}

export interface PaymentChange {
  /** The payment's new full state; its `version` must be `expectedVersion + 1`. */
  payment: Payment;
  expectedVersion: number;
  /** Refunds to insert or replace (matched by id). */
  refunds?: Refund[];
  postings?: LedgerPosting[];
  events?: OutboxEvent[];
  /** When the change comes from a provider notification: recorded in the same write, once. */
  notification?: NotificationReceipt;
}

export type CommitResult =
  | { ok: true; payment: Payment }
  /** Someone else changed the payment since `expectedVersion` was read: re-read, re-decide, retry. */
  | { ok: false; reason: 'version_conflict' }
  /** The notification was already applied: nothing was written. */
  | { ok: false; reason: 'duplicate_notification' };

export interface PaymentListFilter {
  merchantId: string;
  mode: Mode;
  /** 1–100. */
  limit: number;
  /** Cursor: an id from the previous page; the next page holds older payments. */
  startingAfter?: string;
  status?: PaymentStatus;
  orderId?: string;
  /** Only payments of this shop. */
  shopId?: string;
  createdGte?: Date;
  createdLt?: Date;
}

export interface Page<T> {
  data: T[];
  hasMore: boolean;
}

export interface PaymentRepository {
  /** Inserts a new payment (version 1) and its events atomically. */
  insert(args: { payment: Payment; events: OutboxEvent[] }): Promise<void>;
  /** A payment of this merchant and mode, or null: another merchant's payment is simply not found. */
  get(args: { merchantId: string; mode: Mode; id: string }): Promise<Payment | null>;
  /** Unscoped read for the payment page and provider notifications, which carry no merchant credentials. */
  getById(args: { id: string }): Promise<Payment | null>;
  findByProviderRef(args: {
    providerId: string;
    instanceId: string;
    paymentRef: string;
  }): Promise<Payment | null>;
  /** Newest first (ids sort by creation time). */
  list(args: PaymentListFilter): Promise<Page<Payment>>;
  /** Applies a change atomically if the stored version still equals `expectedVersion`. */
  commit(change: PaymentChange): Promise<CommitResult>;
  /** Payments of every merchant whose customer email is one of `emails` (case-insensitive), newest first. */
  listByCustomerContact(args: CustomerContactListArgs): Promise<Page<Payment>>;
  /**
   * The distinct (merchant, customer id) pairs of payments whose customer email is one of `emails`, at most
   * `limit` of them: which merchant customers the buyer has been (their saved cards are the buyer's).
   */
  customerRefsByContact(args: CustomerContactFilter & { limit: number }): Promise<MerchantCustomerRef[]>;
}

export interface RefundRepository {
  get(args: { merchantId: string; mode: Mode; id: string }): Promise<Refund | null>;
  listByPayment(args: { paymentId: string }): Promise<Refund[]>;
  /**
   * Refunds still `pending` and unchanged since `updatedBefore`, oldest first: the ones a crash or an
   * unknown provider outcome left in flight, for reconciliation to resolve.
   */
  listPending(args: { updatedBefore: Date; limit: number }): Promise<Refund[]>;
}

export interface LedgerBalance {
  account: LedgerAccount;
  currency: string;
  amount: number;
}

export interface LedgerRepository {
  listByPayment(args: { paymentId: string }): Promise<LedgerEntry[]>;
  /** Sum per account and currency over all of a merchant's entries in a mode. */
  balances(args: { merchantId: string; mode: Mode }): Promise<LedgerBalance[]>;
}

export interface StoredResponse {
  statusCode: number;
  body: unknown;
}

export interface IdempotencyScope {
  merchantId: string;
  mode: Mode;
  key: string;
}

export type IdempotencyBeginResult =
  /**
   * This caller owns the key now: do the work, then `complete` or `abandon`. `resourceUlid` is the ULID
   * reserved for what the request creates. `resumed`: an earlier attempt with this key died in flight
   * (its lock expired) or was abandoned, and the ULID is the one that attempt reserved, so it may already
   * have created that object — look it up before creating it again.
   */
  | { state: 'started'; resourceUlid: string; resumed: boolean }
  /** Another request with this key is running. */
  | { state: 'in_flight' }
  /** Done before with the same request: replay this. */
  | { state: 'completed'; response: StoredResponse }
  /** The key was used with a different request. */
  | { state: 'mismatch' };

export interface IdempotencyRepository {
  /**
   * Claims a key atomically. A record past `expiresAt` counts as absent; an in-flight record whose
   * `lockedUntil` passed (its process died) may be claimed again.
   */
  begin(
    args: IdempotencyScope & {
      requestHash: string;
      now: Date;
      expiresAt: Date;
      lockedUntil: Date;
      /** A fresh ULID, kept with the claim; a takeover of a dead in-flight claim keeps the old one. */
      resourceUlid: string;
    },
  ): Promise<IdempotencyBeginResult>;
  complete(args: IdempotencyScope & { response: StoredResponse }): Promise<void>;
  /**
   * Releases an in-flight key whose request answered a retryable failure (5xx, 409, 429), so a retry need
   * not wait for the lock: its lock ends now, but the record keeps its request hash and reserved ULID,
   * since the failed attempt may have had effects (the provider refunded, then the write failed). A retry
   * of the same request then takes it over like a dead claim (`resumed`, same ULID) and finds what that
   * attempt created; a different request with the key is a `mismatch`. Completed records are untouched.
   */
  abandon(args: IdempotencyScope): Promise<void>;
}

export interface EventRepository {
  list(args: {
    merchantId: string;
    mode: Mode;
    limit: number;
    startingAfter?: string;
    type?: string;
    objectId?: string;
  }): Promise<Page<OutboxEvent>>;
}
