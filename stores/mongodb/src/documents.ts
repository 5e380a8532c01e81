import type {
  AccountToken,
  AntifraudAuditRecord,
  AntifraudFeedbackSettings,
  AntifraudListEntry,
  AntifraudRuleSet,
  ApiKey,
  AuditEntry,
  FraudMark,
  LedgerEntry,
  Merchant,
  OutboxEvent,
  Payment,
  PostingKind,
  ReconciliationRun,
  Refund,
  Session,
  Shop,
  StoredCard,
  User,
  WebhookDelivery,
  WebhookEndpoint,
} from '@payrail/core';
import { onboardingOf } from '@payrail/core';
import type { ObjectId } from 'mongodb';
import { keyCollision } from './errors';
import { keyId } from './keys';

/**
 * Documents as stored, and their mapping to domain objects.
 *
 * Free-form maps whose keys come from merchants or providers (metadata, form fields, event data,
 * provider routes, replayed response bodies) are stored as JSON strings: MongoDB field names may not be
 * safe to use for arbitrary keys (`.`, leading `$`), and a string round-trips exactly.
 */

/** A payment and everything that changes with it: one document, so one atomic write per change. */
export interface PaymentDoc extends Omit<Payment, 'metadata' | 'nextAction'> {
  _id: ObjectId;
  metadata: string;
  nextAction: string | null;
  /** Refunds by id: `$set: { 'refunds.<id>': … }` inserts or replaces one in place. */
  refunds: Record<string, Refund>;
  /** Refund ids, indexed, to find a refund's payment. */
  refundIds: string[];
  ledger: LedgerEntryDoc[];
  /** The outbox: events written in the same update as the change they report. */
  events: EventDoc[];
  /** Ids of this document's events not yet turned into webhook deliveries. */
  undispatched: string[];
  /** Keys of the provider notifications applied to this payment (see `receiptKey`). */
  receipts: string[];
  /** `customer.email` lower-cased, indexed: the buyer account finds payments by it (absent: no email). */
  customerEmailKey?: string;
}

export type LedgerEntryDoc = LedgerEntry & { kind: PostingKind };
export type EventDoc = Omit<OutboxEvent, 'data'> & { data: string };
export type MerchantDoc = Omit<Merchant, 'providerRoutes'> & { _id: ObjectId; providerRoutes: string };
export type ApiKeyDoc = ApiKey & { _id: ObjectId };
/** A shop; provider routes as JSON text like the merchant's (method names are merchant-chosen keys). */
export type ShopDoc = Omit<Shop, 'providerRoutes'> & { _id: ObjectId; providerRoutes: string };

export interface IdempotencyDoc {
  _id: ObjectId;
  merchantId: string;
  mode: string;
  key: string;
  requestHash: string;
  state: 'in_flight' | 'completed';
  /** Reserved for the object the request creates; kept when a dead in-flight claim is taken over. */
  resourceUlid?: string;
  lockedUntil: Date | null;
  expiresAt: Date;
  createdAt: Date;
  updatedAt: Date;
  responseStatus?: number;
  /** JSON text of the response body, replayed as stored. */
  responseBody?: string;
}

/** A provider reference claimed by one payment: the `_id` makes it unique (see provider-refs.ts). */
export interface ProviderRefDoc {
  _id: ObjectId;
  providerId: string;
  instanceId: string;
  paymentRef: string;
  paymentId: string;
}

export type StoredCardDoc = StoredCard & { _id: ObjectId };

/** The live card of (merchant, mode, customer, fingerprint): the `_id` makes the dedup atomic. */
export interface CardFingerprintDoc {
  _id: ObjectId;
  cardId: string;
  claimedAt: Date;
}

/** The stored card a payment is paid with; one per payment (`_id` from the payment id). */
export interface CardPaymentDoc {
  _id: ObjectId;
  paymentId: string;
  storedCardId: string;
}

export type SessionDoc = Session & { _id: ObjectId };
export type UserDoc = User & { _id: ObjectId };
/** An antifraud audit record; `before`/`after` as JSON text. */
export type AuditDoc = Omit<AntifraudAuditRecord, 'before' | 'after'> & { before: string; after: string };
export type ListEntryDoc = AntifraudListEntry & { _id: ObjectId; deleted: boolean; audit: AuditDoc[] };
export type RuleSetDoc = Omit<AntifraudRuleSet, 'rules'> & {
  _id: ObjectId;
  rules: string;
  audit: AuditDoc[];
};
export type FraudMarkDoc = FraudMark & { _id: ObjectId; audit: AuditDoc[] };
/** A merchant's fraud-feedback settings in one mode, with the audit of their changes. */
export type FeedbackSettingsDoc = AntifraudFeedbackSettings & { _id: ObjectId; audit: AuditDoc[] };
export type StandaloneAuditDoc = AuditDoc & { _id: ObjectId };
export type EndpointDoc = WebhookEndpoint & { _id: ObjectId };
/** A delivery and its lease (who may record the next attempt, until when). */
export type DeliveryDoc = WebhookDelivery & {
  _id: ObjectId;
  lockedUntil: Date | null;
  lockToken: string | null;
};
/** An event about no payment (e.g. an endpoint disabled), with its dispatch mark. */
export type StandaloneEventDoc = EventDoc & { _id: ObjectId; dispatchedAt: Date | null };
export type ReconciliationDoc = ReconciliationRun & { _id: ObjectId };

/** A background job's claim (lease and attempt count), one per job key. */
export interface JobClaimDoc {
  _id: ObjectId;
  key: string;
  attempts: number;
  nextAt: Date;
  updatedAt: Date;
}

/** A login or Telegram id held by one user: the `_id` (from the value) makes it unique. */
export interface UserClaimDoc {
  _id: ObjectId;
  kind: 'login' | 'telegramId';
  value: string;
  userId: string;
  claimedAt: Date;
}
export type AuditEntryDoc = Omit<AuditEntry, 'data'> & { _id: ObjectId; data: string };
export type AccountTokenDoc = Omit<AccountToken, 'data'> & { _id: ObjectId; data: string };

/** A velocity counter of one key in one time bucket. */
export interface RiskCounterDoc {
  _id: ObjectId;
  key: string;
  bucket: Date;
  count: number;
  expiresAt: Date;
}

/** The parts of a payment document that are not the payment, left out of reads of the payment. */
export const PAYMENT_EXTRAS = [
  'refunds',
  'refundIds',
  'ledger',
  'events',
  'undispatched',
  'receipts',
] as const;
export const PAYMENT_ONLY = Object.fromEntries(PAYMENT_EXTRAS.map((field) => [field, 0])) as Record<
  (typeof PAYMENT_EXTRAS)[number],
  0
>;

export const paymentKey = (id: string) => keyId('payment', id);
export const merchantKey = (id: string) => keyId('merchant', id);
export const apiKeyKey = (secretHash: string) => keyId('apiKey', secretHash);
export const eventKey = (id: string) => keyId('event', id);
export const providerRefKey = (providerId: string, instanceId: string, paymentRef: string) =>
  keyId('providerRef', providerId, instanceId, paymentRef);
export const idempotencyKey = (merchantId: string, mode: string, key: string) =>
  keyId('idempotency', merchantId, mode, key);

/** The payment's own fields as stored (everything `commit` replaces). */
export function encodePayment(payment: Payment): Omit<PaymentDoc, '_id' | (typeof PAYMENT_EXTRAS)[number]> {
  return {
    ...payment,
    metadata: JSON.stringify(payment.metadata),
    nextAction: payment.nextAction === null ? null : JSON.stringify(payment.nextAction),
    customerEmailKey: customerEmailKey(payment.customer?.email),
  };
}

/** The buyer-account lookup key of a customer email (undefined: stored absent). */
export const customerEmailKey = (email: string | undefined): string | undefined => email?.toLowerCase();

export function decodePayment(
  doc: Partial<PaymentDoc> & Pick<PaymentDoc, 'id' | 'metadata'>,
  id?: string,
): Payment {
  if (id !== undefined && doc.id !== id) throw keyCollision('payment', id);
  const {
    _id,
    refunds,
    refundIds,
    ledger,
    events,
    undispatched,
    receipts,
    metadata,
    nextAction,
    customerEmailKey: _emailKey,
    ...rest
  } = doc;
  return {
    ...(rest as Omit<Payment, 'metadata' | 'nextAction'>),
    // Payments stored before shops (issue 9) have no shopId field.
    shopId: rest.shopId ?? null,
    // Payments stored before antifraud client data (issue 8) have neither field.
    client: rest.client ?? null,
    billing: rest.billing ?? null,
    metadata: JSON.parse(metadata) as Payment['metadata'],
    nextAction: nextAction ? (JSON.parse(nextAction) as Payment['nextAction']) : null,
  };
}

export function encodeEvent(event: OutboxEvent): EventDoc {
  return { ...event, data: JSON.stringify(event.data) };
}

export function decodeEvent(doc: EventDoc & { _id?: unknown; dispatchedAt?: unknown }): OutboxEvent {
  const { _id, dispatchedAt, data, ...event } = doc;
  return { ...event, data: JSON.parse(data) as OutboxEvent['data'] };
}

export function decodeLedgerEntry(doc: LedgerEntryDoc): LedgerEntry {
  const { kind, ...entry } = doc;
  return entry;
}

export function encodeMerchant(merchant: Merchant): MerchantDoc {
  return {
    _id: merchantKey(merchant.id),
    ...merchant,
    // Always written, so onboarding queries match on it (absent only on documents older than onboarding).
    onboarding: onboardingOf(merchant),
    providerRoutes: JSON.stringify(merchant.providerRoutes),
  };
}

export function decodeMerchant(doc: MerchantDoc, id: string): Merchant {
  if (doc.id !== id) throw keyCollision('merchant', id);
  const { _id, providerRoutes, ...merchant } = doc;
  return { ...merchant, providerRoutes: JSON.parse(providerRoutes) as Merchant['providerRoutes'] };
}

export function encodeApiKey(apiKey: ApiKey): ApiKeyDoc {
  return { _id: apiKeyKey(apiKey.secretHash), ...apiKey };
}

export function decodeApiKey(doc: ApiKeyDoc): ApiKey {
  const { _id, ...apiKey } = doc;
  return apiKey;
}

/** The receipt of one provider notification; JSON framing keeps the three parts apart. */
export function receiptKey(receipt: {
  pluginId: string;
  instanceId: string;
  notificationId: string;
}): string {
  return JSON.stringify([receipt.pluginId, receipt.instanceId, receipt.notificationId]);
}

/** Ids become field names (`refunds.<id>`): refuse anything that is not a plain id. */
export function assertFieldSafeId(id: string): void {
  if (!/^[A-Za-z0-9_-]+$/.test(id)) throw new Error(`not a plain id: ${JSON.stringify(id)}`);
}

/** By id ascending: ids are ULIDs, so this is creation order. */
export const byId = <T extends { id: string }>(a: T, b: T): number =>
  a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
