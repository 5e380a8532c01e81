import type { Tariff } from '../ledger';
import type { Page } from './store';
import type { LiveModeGrant, MinorAmount } from './store-merchant-onboarding';

/** `draft → submitted → changes_requested → submitted … → approved | rejected` (server/src/onboarding). */
export type ApplicationStatus = 'draft' | 'submitted' | 'changes_requested' | 'approved' | 'rejected';

export type PaymentMethodWanted = 'cards' | 'qiwi' | 'webmoney';

/** What the merchant fills in; every field may be missing in a draft, submit needs them all. */
export interface ApplicationDetails {
  companyName?: string;
  /** Tax id (INN) or another registration number of the legal entity. */
  registrationNumber?: string;
  legalAddress?: string;
  contactPhone?: string;
  shopUrls?: string[];
  /** Expected turnover per month, minor units. */
  expectedMonthlyVolume?: MinorAmount;
  acquiringBankId?: string;
  paymentMethods?: PaymentMethodWanted[];
}

/** One step of the application's history. */
export interface ApplicationStep {
  at: Date;
  /** The user who took the step (merchant owner or PSP staff). */
  actorId: string;
  action: 'created' | 'submitted' | 'changes_requested' | 'approved' | 'rejected';
  status: ApplicationStatus;
  /** The reviewer's comment (changes requested) or reason (rejected). */
  comment: string | null;
}

export interface ApplicationDecision {
  tariff: Tariff;
  connectionFee: MinorAmount;
}

/** A merchant's application for a live account; one per merchant. */
export interface MerchantApplication {
  id: string;
  merchantId: string;
  status: ApplicationStatus;
  details: ApplicationDetails;
  history: ApplicationStep[];
  /** Set on approval. */
  decision: ApplicationDecision | null;
  createdAt: Date;
  updatedAt: Date;
  /** Optimistic concurrency: `update` succeeds only while the stored version equals `expectedVersion`. */
  version: number;
}

export type ApplicationInsertResult = { ok: true } | { ok: false; reason: 'exists' };

export type ApplicationUpdateResult =
  | { ok: true; application: MerchantApplication }
  | { ok: false; reason: 'version_conflict' };

export interface ApplicationRepository {
  /** Inserts version 1; `exists` when the merchant already has an application. */
  insert(args: { application: MerchantApplication }): Promise<ApplicationInsertResult>;
  get(args: { id: string }): Promise<MerchantApplication | null>;
  getByMerchant(args: { merchantId: string }): Promise<MerchantApplication | null>;
  /**
   * Replaces the application if its stored version is `expectedVersion` (the new one is +1). With
   * `grant` (approval) the merchant's live mode, tariff and connection fee are written too: in one
   * transaction on PostgreSQL; on MongoDB right after the application, which is written first so that
   * live mode never opens for an approval that lost a race.
   */
  update(args: {
    application: MerchantApplication;
    expectedVersion: number;
    grant?: LiveModeGrant;
  }): Promise<ApplicationUpdateResult>;
  /**
   * MongoDB only (PostgreSQL's approval is one transaction, so it has nothing to resume): completes
   * approvals whose merchant write was interrupted (a crash between the two writes), for applications
   * approved at or before `approvedBefore`. Idempotent and race-safe: each interrupted approval is
   * returned by exactly one call, the one that completed it (the caller then audits and notifies).
   */
  resumeGrants?(args: { approvedBefore: Date; limit: number }): Promise<MerchantApplication[]>;
  /** The review queue: oldest first; `startingAfter` is an id from the previous page. */
  list(args: {
    status?: ApplicationStatus;
    limit: number;
    startingAfter?: string;
  }): Promise<Page<MerchantApplication>>;
}
