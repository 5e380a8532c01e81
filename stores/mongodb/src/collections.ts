import type { Collection, Db, IndexDescription } from 'mongodb';
import type {
  AccountTokenDoc,
  ApiKeyDoc,
  AuditEntryDoc,
  CardFingerprintDoc,
  CardPaymentDoc,
  DeliveryDoc,
  EndpointDoc,
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
  StandaloneAuditDoc,
  StandaloneEventDoc,
  StoredCardDoc,
  UserClaimDoc,
  UserDoc,
} from './documents';
import { guarded } from './errors';

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
  antifraudAudit: Collection<StandaloneAuditDoc>;
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
    antifraudAudit: db.collection<StandaloneAuditDoc>('antifraud_audit'),
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
    {
      key: { 'provider.id': 1, 'provider.instanceId': 1, 'provider.paymentRef': 1 },
      name: 'payments_provider_ref',
      unique: true,
      partialFilterExpression: { 'provider.paymentRef': { $type: 'string' } },
    },
    { key: { refundIds: 1 }, name: 'payments_refund_ids' },
    { key: { merchantId: 1, mode: 1, 'events.id': -1 }, name: 'payments_events' },
    { key: { status: 1, 'risk.decision': 1, updatedAt: 1 }, name: 'payments_reviews' },
    { key: { status: 1, id: 1 }, name: 'payments_status' },
    { key: { 'events.id': 1 }, name: 'payments_event_id' },
    { key: { undispatched: 1 }, name: 'payments_undispatched' },
  ],
  merchants: [{ key: { id: 1 }, name: 'merchants_id', unique: true }],
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
  antifraudAudit: [{ key: { merchantId: 1, mode: 1, id: -1 }, name: 'antifraud_audit_list' }],
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
