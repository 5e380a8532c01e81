import {
  type ApplicationStep,
  formatDecimal,
  type LiveModeGrant,
  type MerchantApplication,
  type MinorAmount,
  newId,
  PayrailError,
  type Tariff,
  type User,
} from '@payrail/core';
import type { FastifyRequest } from 'fastify';
import { audit } from '../accounts/audit';
import type { AccountsDeps } from '../accounts/deps';
import type { TemplateName } from '../accounts/notifications/templates';
import { type ApplicationDetailsBody, assertComplete, detailsFromBody } from './application-details';
import { nextStatus } from './application-state';
import { applicationLink, notifyOwners } from './notify-owners';

const notFound = () => new PayrailError('PAYRAIL_ERR_APPLICATION_NOT_FOUND', { param: 'id' });
const conflict = () => new PayrailError('PAYRAIL_ERR_APPLICATION_CONFLICT');

/** 400 PAYRAIL_ERR_ACQUIRING_BANK_UNKNOWN unless the bank is on the PSP's list and active. */
async function assertBankOffered(deps: AccountsDeps, bankId: string | undefined): Promise<void> {
  if (bankId === undefined) return;
  const bank = await deps.store.acquiringBanks.get({ id: bankId });
  if (!bank?.active) {
    throw new PayrailError('PAYRAIL_ERR_ACQUIRING_BANK_UNKNOWN', { param: 'acquiring_bank_id' });
  }
}

/** Writes one version-checked change; a concurrent change is 409 PAYRAIL_ERR_APPLICATION_CONFLICT. */
async function write(
  deps: AccountsDeps,
  current: MerchantApplication,
  changes: Partial<MerchantApplication>,
  grant?: LiveModeGrant,
): Promise<MerchantApplication> {
  const result = await deps.store.applications.update({
    application: { ...current, ...changes },
    expectedVersion: current.version,
    ...(grant ? { grant } : {}),
  });
  if (!result.ok) throw conflict();
  return result.application;
}

const step = (
  actor: User,
  at: Date,
  action: ApplicationStep['action'],
  status: MerchantApplication['status'],
  comment: string | null = null,
): ApplicationStep => ({ at, actorId: actor.id, action, status, comment });

/** The merchant's own application (404 when there is none yet). */
export async function ownApplication(deps: AccountsDeps, merchantId: string): Promise<MerchantApplication> {
  const application = await deps.store.applications.getByMerchant({ merchantId });
  if (!application) throw notFound();
  return application;
}

/**
 * Creates the draft or replaces its fields (`PUT`): allowed while it is a draft or sent back for changes.
 * A submitted, approved or rejected application is 409 PAYRAIL_ERR_APPLICATION_TRANSITION_INVALID.
 */
export async function saveApplication(
  deps: AccountsDeps,
  request: FastifyRequest,
  owner: User,
  merchantId: string,
  body: ApplicationDetailsBody,
): Promise<{ application: MerchantApplication; created: boolean }> {
  const { store, clock } = deps;
  await assertBankOffered(deps, body.acquiring_bank_id);
  const details = detailsFromBody(body);
  const now = clock.now();
  const existing = await store.applications.getByMerchant({ merchantId });
  if (!existing) {
    const application: MerchantApplication = {
      id: newId('application', now.getTime()),
      merchantId,
      status: 'draft',
      details,
      history: [step(owner, now, 'created', 'draft')],
      decision: null,
      createdAt: now,
      updatedAt: now,
      version: 1,
    };
    const inserted = await store.applications.insert({ application });
    // Two first saves raced and the other one created it: this one is then a plain conflict.
    if (!inserted.ok) throw conflict();
    await audit(store, request, now, owner, 'application.created', { application_id: application.id });
    return { application, created: true };
  }
  const status = nextStatus(existing.status, 'edit');
  const application = await write(deps, existing, { status, details, updatedAt: now });
  await audit(store, request, now, owner, 'application.updated', { application_id: application.id });
  return { application, created: false };
}

/** Submits the draft (or the corrected application) for review; every required field must be filled in. */
export async function submitApplication(
  deps: AccountsDeps,
  request: FastifyRequest,
  owner: User,
  merchantId: string,
): Promise<MerchantApplication> {
  const { store, clock, options } = deps;
  const current = await ownApplication(deps, merchantId);
  const status = nextStatus(current.status, 'submit');
  assertComplete(current.details);
  // The bank may have been deactivated since the draft was saved.
  await assertBankOffered(deps, current.details.acquiringBankId);
  const now = clock.now();
  const application = await write(deps, current, {
    status,
    updatedAt: now,
    history: [...current.history, step(owner, now, 'submitted', status)],
  });
  await audit(store, request, now, owner, 'application.submitted', { application_id: application.id });
  const merchant = await store.merchants.get({ id: merchantId });
  await notifyOwners({ store, notifier: options.notifier }, merchantId, 'application_submitted', {
    merchant: merchant?.name ?? '',
  });
  return application;
}

/** What a reviewer decides, with what each decision needs. */
export type ReviewDecision =
  | { action: 'request_changes'; comment: string }
  | { action: 'reject'; reason: string }
  | { action: 'approve'; tariff: Tariff; connectionFee: MinorAmount };

const REVIEW: Record<
  ReviewDecision['action'],
  {
    step: ApplicationStep['action'];
    template: TemplateName;
    audit: 'application.changes_requested' | 'application.approved' | 'application.rejected';
  }
> = {
  request_changes: {
    step: 'changes_requested',
    template: 'application_changes_requested',
    audit: 'application.changes_requested',
  },
  approve: { step: 'approved', template: 'application_approved', audit: 'application.approved' },
  reject: { step: 'rejected', template: 'application_rejected', audit: 'application.rejected' },
};

/**
 * A PSP reviewer's step on a submitted application. Approval opens live mode and records the tariff and
 * connection fee on the merchant in the same write (applications.update with a grant). The merchant's
 * owners are told of each step; the audit log keeps it under the merchant, with the reviewer as user.
 */
export async function reviewApplication(
  deps: AccountsDeps,
  request: FastifyRequest,
  reviewer: User,
  applicationId: string,
  decision: ReviewDecision,
): Promise<MerchantApplication> {
  const { store, clock, options } = deps;
  const current = await store.applications.get({ id: applicationId });
  if (!current) throw notFound();
  const how = REVIEW[decision.action];
  const status = nextStatus(current.status, decision.action);
  const now = clock.now();
  const comment =
    decision.action === 'request_changes'
      ? decision.comment
      : decision.action === 'reject'
        ? decision.reason
        : null;
  const approval =
    decision.action === 'approve' ? { tariff: decision.tariff, connectionFee: decision.connectionFee } : null;
  const application = await write(
    deps,
    current,
    {
      status,
      updatedAt: now,
      decision: approval ?? current.decision,
      history: [...current.history, step(reviewer, now, how.step, status, comment)],
    },
    approval ? { merchantId: current.merchantId, liveEnabledAt: now, ...approval } : undefined,
  );
  await audit(store, request, now, { id: reviewer.id, merchantId: current.merchantId }, how.audit, {
    application_id: application.id,
    ...(comment !== null ? { comment } : {}),
    ...(approval
      ? {
          tariff: { percent_bps: approval.tariff.percentBps, fixed: approval.tariff.fixed },
          connection_fee: approval.connectionFee,
        }
      : {}),
  });
  const merchant = await store.merchants.get({ id: current.merchantId });
  const fee = approval
    ? `${formatDecimal(approval.connectionFee.amount, approval.connectionFee.currency)} ${approval.connectionFee.currency}`
    : '';
  await notifyOwners({ store, notifier: options.notifier }, current.merchantId, how.template, {
    merchant: merchant?.name ?? '',
    comment: comment ?? '',
    reason: comment ?? '',
    fee,
    link: applicationLink(options.accountUrl),
  });
  return application;
}
