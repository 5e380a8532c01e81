import type { Collection, Db, IndexDescription } from 'mongodb';
import type { BuyerContactDoc } from './buyer-contact-documents';
import type {
  AccountTokenDoc,
  ApiKeyDoc,
  AuditEntryDoc,
  CardFingerprintDoc,
  CardPaymentDoc,
  DeliveryDoc,
  EndpointDoc,
  FeedbackSettingsDoc,
  FraudMarkDoc,
  IdempotencyDoc,
  JobClaimDoc,
  ListEntryDoc,
  MerchantDoc,
  PaymentDoc,
  ProviderRefDoc,
  ReconciliationDoc,
  RiskCounterDoc,
  RuleSetDoc,
  SessionDoc,
  ShopDoc,
  StandaloneAuditDoc,
  StandaloneEventDoc,
  StoredCardDoc,
  UserClaimDoc,
  UserDoc,
} from './documents';
import { guarded } from './errors';
import type { NotificationDoc } from './notification-documents';
import type { AcquiringBankDoc, ApplicationDoc } from './onboarding-documents';
import type {
  EnrolmentClaimDoc,
  IinRangeSetDoc,
  IssuerApiKeyDoc,
  IssuerDoc,
  IssuerEnrolmentDoc,
  IssuerStatisticsDoc,
} from './repositories/issuers';
import type { TicketAttachmentDoc, TicketDoc } from './ticket-documents';

/** The store's collections on one database, and how to run an operation on them. */
export interface Collections {
  /** Runs one operation: connects first if needed, and translates driver errors (see errors.ts). */
  run<T>(operation: () => Promise<T>): Promise<T>;
  payments: Collection<PaymentDoc>;
  merchants: Collection<MerchantDoc>;
  apiKeys: Collection<ApiKeyDoc>;
  idempotency: Collection<IdempotencyDoc>;
  providerRefs: Collection<ProviderRefDoc>;
  storedCards: Collection<StoredCardDoc>;
  cardFingerprints: Collection<CardFingerprintDoc>;
  cardPayments: Collection<CardPaymentDoc>;
  sessions: Collection<SessionDoc>;
  auditLog: Collection<AuditEntryDoc>;
  accountTokens: Collection<AccountTokenDoc>;
  riskCounters: Collection<RiskCounterDoc>;
  users: Collection<UserDoc>;
  userClaims: Collection<UserClaimDoc>;
  jobClaims: Collection<JobClaimDoc>;
  reconciliations: Collection<ReconciliationDoc>;
  webhookEndpoints: Collection<EndpointDoc>;
  webhookDeliveries: Collection<DeliveryDoc>;
  events: Collection<StandaloneEventDoc>;
  antifraudEntries: Collection<ListEntryDoc>;
  antifraudRuleSets: Collection<RuleSetDoc>;
  antifraudMarks: Collection<FraudMarkDoc>;
  antifraudFeedback: Collection<FeedbackSettingsDoc>;
  antifraudAudit: Collection<StandaloneAuditDoc>;
  applications: Collection<ApplicationDoc>;
  acquiringBanks: Collection<AcquiringBankDoc>;
  issuers: Collection<IssuerDoc>;
  issuerApiKeys: Collection<IssuerApiKeyDoc>;
  iinRangeSets: Collection<IinRangeSetDoc>;
  issuerEnrolments: Collection<IssuerEnrolmentDoc>;
  issuerEnrolmentClaims: Collection<EnrolmentClaimDoc>;
  issuerStatistics: Collection<IssuerStatisticsDoc>;
  tickets: Collection<TicketDoc>;
  ticketAttachments: Collection<TicketAttachmentDoc>;
  shops: Collection<ShopDoc>;
  buyerContacts: Collection<BuyerContactDoc>;
  notifications: Collection<NotificationDoc>;
}

export function collections(db: Db, connect: () => Promise<void>): Collections {
  return {
    run: (operation) =>
      guarded(async () => {
        await connect();
        return operation();
      }),
    payments: db.collection<PaymentDoc>('payments'),
    merchants: db.collection<MerchantDoc>('merchants'),
    apiKeys: db.collection<ApiKeyDoc>('api_keys'),
    idempotency: db.collection<IdempotencyDoc>('idempotency_keys'),
    providerRefs: db.collection<ProviderRefDoc>('provider_refs'),
    storedCards: db.collection<StoredCardDoc>('stored_cards'),
    cardFingerprints: db.collection<CardFingerprintDoc>('stored_card_fingerprints'),
    cardPayments: db.collection<CardPaymentDoc>('stored_card_payments'),
    sessions: db.collection<SessionDoc>('sessions'),
    auditLog: db.collection<AuditEntryDoc>('audit_log'),
    accountTokens: db.collection<AccountTokenDoc>('account_tokens'),
    riskCounters: db.collection<RiskCounterDoc>('risk_counters'),
    users: db.collection<UserDoc>('users'),
    userClaims: db.collection<UserClaimDoc>('user_claims'),
    jobClaims: db.collection<JobClaimDoc>('job_claims'),
    reconciliations: db.collection<ReconciliationDoc>('reconciliation_runs'),
    webhookEndpoints: db.collection<EndpointDoc>('webhook_endpoints'),
    webhookDeliveries: db.collection<DeliveryDoc>('webhook_deliveries'),
    events: db.collection<StandaloneEventDoc>('events'),
    antifraudEntries: db.collection<ListEntryDoc>('antifraud_list_entries'),
    antifraudRuleSets: db.collection<RuleSetDoc>('antifraud_rule_sets'),
    antifraudMarks: db.collection<FraudMarkDoc>('antifraud_fraud_marks'),
    antifraudFeedback: db.collection<FeedbackSettingsDoc>('antifraud_feedback_settings'),
    antifraudAudit: db.collection<StandaloneAuditDoc>('antifraud_audit'),
    applications: db.collection<ApplicationDoc>('merchant_applications'),
    acquiringBanks: db.collection<AcquiringBankDoc>('acquiring_banks'),
    issuers: db.collection<IssuerDoc>('issuers'),
    issuerApiKeys: db.collection<IssuerApiKeyDoc>('issuer_api_keys'),
    iinRangeSets: db.collection<IinRangeSetDoc>('issuer_iin_range_sets'),
    issuerEnrolments: db.collection<IssuerEnrolmentDoc>('issuer_enrolments'),
    issuerEnrolmentClaims: db.collection<EnrolmentClaimDoc>('issuer_enrolment_claims'),
    issuerStatistics: db.collection<IssuerStatisticsDoc>('issuer_statistics'),
    tickets: db.collection<TicketDoc>('tickets'),
    ticketAttachments: db.collection<TicketAttachmentDoc>('ticket_attachments'),
    shops: db.collection<ShopDoc>('shops'),
    buyerContacts: db.collection<BuyerContactDoc>('buyer_contacts'),
    notifications: db.collection<NotificationDoc>('notifications'),
  };
}

/**
 * Every index the store needs, created by `migrate()`. `createIndexes` with an identical specification
 * is a no-op, so this is safe on every start and from several processes at once. Changing an existing
 * index's options needs a new name (MongoDB refuses a different spec under the same name).
 *
 * Uniqueness that correctness depends on rests on `_id` (see keys.ts). The unique secondary indexes
 * below are a second line on a real MongoDB (the provider reference's is also claimed by `_id` in
 * `provider_refs`, see repositories/provider-refs.ts).
 */
export type CollectionName = Exclude<keyof Collections, 'run'>;

export const INDEXES: { [K in CollectionName]: IndexDescription[] } = {
  payments: [
    { key: { id: 1 }, name: 'payments_id', unique: true },
    { key: { merchantId: 1, mode: 1, id: -1 }, name: 'payments_list' },
    { key: { merchantId: 1, mode: 1, status: 1, id: -1 }, name: 'payments_list_status' },
    { key: { merchantId: 1, mode: 1, orderId: 1, id: -1 }, name: 'payments_list_order' },
    // A shop's payments (list) and the shop filter of reports.
    { key: { merchantId: 1, mode: 1, shopId: 1, id: -1 }, name: 'payments_list_shop' },
    { key: { merchantId: 1, mode: 1, shopId: 1, createdAt: 1 }, name: 'payments_report_shop' },
    {
      key: { 'provider.id': 1, 'provider.instanceId': 1, 'provider.paymentRef': 1 },
      name: 'payments_provider_ref',
      unique: true,
      partialFilterExpression: { 'provider.paymentRef': { $type: 'string' } },
    },
    { key: { refundIds: 1 }, name: 'payments_refund_ids' },
    // Refunds in flight, for reconciliation: only payments holding a refund reservation are in it.
    {
      key: { amountRefundPending: 1 },
      name: 'payments_refund_pending',
      partialFilterExpression: { amountRefundPending: { $gt: 0 } },
    },
    { key: { merchantId: 1, mode: 1, 'events.id': -1 }, name: 'payments_events' },
    { key: { status: 1, 'risk.decision': 1, updatedAt: 1 }, name: 'payments_reviews' },
    { key: { status: 1, id: 1 }, name: 'payments_status' },
    { key: { 'events.id': 1 }, name: 'payments_event_id' },
    { key: { undispatched: 1 }, name: 'payments_undispatched' },
    // The buyer account: payments by customer email across merchants (repositories/payments-by-contact.ts).
    {
      key: { customerEmailKey: 1, mode: 1, id: -1 },
      name: 'payments_customer_email',
      partialFilterExpression: { customerEmailKey: { $type: 'string' } },
    },
  ],
  merchants: [
    { key: { id: 1 }, name: 'merchants_id', unique: true },
    // The trial-expiry job: running trials by end time (onboarding).
    { key: { 'onboarding.trialExpiredAt': 1, 'onboarding.trialEndsAt': 1 }, name: 'merchants_trials_due' },
  ],
  apiKeys: [
    { key: { secretHash: 1 }, name: 'api_keys_secret_hash', unique: true },
    { key: { id: 1 }, name: 'api_keys_id', unique: true },
    { key: { merchantId: 1, id: 1 }, name: 'api_keys_merchant' },
  ],
  idempotency: [
    // Expired records count as absent anyway; the TTL monitor only reclaims their space.
    { key: { expiresAt: 1 }, name: 'idempotency_ttl', expireAfterSeconds: 0 },
  ],
  providerRefs: [{ key: { paymentId: 1 }, name: 'provider_refs_payment' }],
  storedCards: [
    { key: { id: 1 }, name: 'stored_cards_id', unique: true },
    { key: { merchantId: 1, mode: 1, customerId: 1, id: 1 }, name: 'stored_cards_customer' },
    { key: { keyId: 1, id: 1 }, name: 'stored_cards_key' },
  ],
  cardFingerprints: [],
  cardPayments: [],
  sessions: [
    { key: { id: 1 }, name: 'sessions_id', unique: true },
    { key: { userId: 1, id: -1 }, name: 'sessions_user' },
  ],
  auditLog: [{ key: { merchantId: 1, id: -1 }, name: 'audit_log_merchant' }],
  accountTokens: [{ key: { userId: 1, purpose: 1 }, name: 'account_tokens_user' }],
  users: [
    { key: { id: 1 }, name: 'users_id', unique: true },
    { key: { login: 1 }, name: 'users_login', unique: true },
    {
      key: { telegramId: 1 },
      name: 'users_telegram_id',
      unique: true,
      partialFilterExpression: { telegramId: { $type: 'string' } },
    },
    { key: { merchantId: 1, id: 1 }, name: 'users_merchant' },
  ],
  userClaims: [],
  jobClaims: [],
  reconciliations: [{ key: { id: -1 }, name: 'reconciliation_runs_id' }],
  webhookEndpoints: [{ key: { merchantId: 1, mode: 1, id: 1 }, name: 'webhook_endpoints_merchant' }],
  webhookDeliveries: [
    { key: { id: 1 }, name: 'webhook_deliveries_id' },
    { key: { eventId: 1, id: 1 }, name: 'webhook_deliveries_event' },
    { key: { status: 1, nextAttemptAt: 1 }, name: 'webhook_deliveries_due' },
    { key: { endpointId: 1, status: 1 }, name: 'webhook_deliveries_endpoint' },
  ],
  events: [
    { key: { merchantId: 1, mode: 1, id: -1 }, name: 'events_list' },
    { key: { dispatchedAt: 1, id: 1 }, name: 'events_undispatched' },
  ],
  antifraudEntries: [
    { key: { merchantId: 1, mode: 1, deleted: 1, id: -1 }, name: 'antifraud_entries_list' },
    { key: { id: 1 }, name: 'antifraud_entries_id' },
  ],
  antifraudRuleSets: [],
  antifraudMarks: [{ key: { merchantId: 1, mode: 1, paymentId: 1 }, name: 'antifraud_marks_merchant' }],
  antifraudFeedback: [],
  antifraudAudit: [{ key: { merchantId: 1, mode: 1, id: -1 }, name: 'antifraud_audit_list' }],
  applications: [
    { key: { id: 1 }, name: 'merchant_applications_id', unique: true },
    // The review queue: by status, oldest first.
    { key: { status: 1, id: 1 }, name: 'merchant_applications_queue' },
    // Approvals whose merchant write is not done yet (resumeGrants): only those documents are indexed.
    {
      key: { 'pendingGrant.liveEnabledAt': 1 },
      name: 'merchant_applications_pending_grant',
      partialFilterExpression: { pendingGrant: { $exists: true } },
    },
  ],
  acquiringBanks: [],
  // Issuer service: keys, range sets, claims and counters are found by `_id`; enrolments by id or issuer.
  issuers: [],
  issuerApiKeys: [{ key: { issuerId: 1, id: 1 }, name: 'issuer_api_keys_issuer' }],
  iinRangeSets: [],
  issuerEnrolments: [
    { key: { issuerId: 1, mode: 1, id: 1 }, name: 'issuer_enrolments_issuer' },
    { key: { keyId: 1, id: 1 }, name: 'issuer_enrolments_key' },
  ],
  issuerEnrolmentClaims: [],
  issuerStatistics: [],
  tickets: [
    { key: { id: 1 }, name: 'tickets_id', unique: true },
    { key: { merchantId: 1, id: -1 }, name: 'tickets_merchant' },
    { key: { status: 1, id: -1 }, name: 'tickets_status' },
    { key: { assigneeId: 1, id: -1 }, name: 'tickets_assignee' },
  ],
  // Read by _id (derived from the attachment id) only.
  ticketAttachments: [],
  shops: [
    { key: { id: 1 }, name: 'shops_id', unique: true },
    { key: { merchantId: 1, id: 1 }, name: 'shops_merchant' },
  ],
  // One buyer per address rests on `_id` (derived from the email); a buyer's list reads by user.
  buyerContacts: [{ key: { userId: 1, email: 1 }, name: 'buyer_contacts_user' }],
  // Uniqueness of the dedupe key rests on `_id`; the delivery job looks up due and expired-lease messages.
  notifications: [
    { key: { id: 1 }, name: 'notifications_id', unique: true },
    { key: { status: 1, nextAttemptAt: 1 }, name: 'notifications_due' },
    { key: { status: 1, leaseUntil: 1 }, name: 'notifications_leased' },
  ],
  riskCounters: [
    { key: { key: 1, bucket: 1 }, name: 'risk_counters_key' },
    { key: { expiresAt: 1 }, name: 'risk_counters_expiry' },
  ],
};

/** Collections a sharded deployment shards (on `{ _id: 'hashed' }`, see the README). */
export const SHARDED_COLLECTIONS: readonly CollectionName[] = ['payments', 'idempotency'];

/**
 * Creates the indexes. On a sharded cluster a unique index must start with the shard key, so the
 * unique secondary indexes of sharded collections are left out there: uniqueness rests on `_id` and on
 * the `provider_refs` claims anyway.
 */
export async function createIndexes(all: Collections, options: { sharded?: boolean } = {}): Promise<void> {
  for (const name of Object.keys(INDEXES) as CollectionName[]) {
    const indexes = INDEXES[name].filter(
      (index) => !(options.sharded && index.unique && SHARDED_COLLECTIONS.includes(name)),
    );
    await (all[name] as unknown as Collection).createIndexes(indexes);
  }
}
