import {
  DEFAULT_TARIFF,
  type MerchantApplication,
  newId,
  onboardingOf,
  type Store,
  silentLogger,
  type Tariff,
} from '@payrail/core';
import type { MongoStore } from '@payrail/store-mongodb';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
// The store's own building blocks, to make its merchant write fail the way a crash would interrupt it.
import { collections } from '../../../stores/mongodb/src/collections';
import { applicationRepository } from '../../../stores/mongodb/src/repositories/applications';
import { APPROVAL_RESUME_AFTER_MS, resumeApprovals } from '../../src/onboarding/resume-approvals';
import { type AccountsTestApp, createAccountsTestApp, registeredUser } from '../accounts/helpers';
import { grantLiveMode } from './helpers';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 240_000 });

const tariff: Tariff = { percentBps: 250, fixed: { RUB: 1000 } };
const connectionFee = { amount: 500_000, currency: 'RUB' };

/**
 * MongoDB approval without a transaction (stores/mongodb applications.ts): an approval interrupted between
 * the application write and the merchant write is completed by the `onboarding.expire_trials` job,
 * once, with the audit entry and the owners' mail the interrupted request never wrote.
 */
describe('an interrupted approval is completed by the job, exactly once (mongodb)', () => {
  let t: AccountsTestApp;
  beforeAll(async () => {
    t = await createAccountsTestApp({}, undefined, 'mongodb');
  }, 240_000);
  afterAll(async () => {
    await t?.close();
  });

  const jobDeps = () => ({
    store: t.store,
    clock: t.clock,
    logger: silentLogger,
    notifier: t.notifier,
    accountUrl: 'https://account.payrail.test',
  });

  /** The store as a process sees it whose merchant write dies (the crash between the two writes). */
  function crashingBeforeMerchantWrite(): Store['applications'] {
    const mongo = t.store as MongoStore;
    const all = collections(mongo.client.db(mongo.dbName), async () => {});
    const merchants = new Proxy(all.merchants, {
      get(target, property, receiver) {
        if (property === 'updateOne') {
          return () => Promise.reject(new Error('process killed before the merchant write'));
        }
        return Reflect.get(target, property, receiver);
      },
    });
    return applicationRepository({ ...all, merchants });
  }

  async function submittedApplication(merchantId: string, ownerId: string): Promise<MerchantApplication> {
    const now = t.clock.now();
    const application: MerchantApplication = {
      id: newId('application', now.getTime()),
      merchantId,
      status: 'submitted',
      details: { companyName: 'Romashka' },
      history: [{ at: now, actorId: ownerId, action: 'submitted', status: 'submitted', comment: null }],
      decision: null,
      createdAt: now,
      updatedAt: now,
      version: 1,
    };
    expect((await t.store.applications.insert({ application })).ok).toBe(true);
    return application;
  }

  const approvedMails = (email: string) =>
    t.smtp.mails.filter((m) => m.to.includes(email) && /Live account approved/.test(m.subject));
  const approvedAudits = async (merchantId: string) =>
    (await t.store.auditLog.list({ merchantId, limit: 100 })).data.filter(
      (e) => e.type === 'application.approved',
    );

  it('opens live mode, writes the audit entry and mails the owners once, however often it runs', async () => {
    const owner = await registeredUser(t, { accountType: 'merchant' });
    const merchantId = owner.user.merchant_id as string;
    const application = await submittedApplication(merchantId, owner.user.id);
    const now = t.clock.now();

    // The reviewer's approval: the application is written, then the process dies.
    await expect(
      crashingBeforeMerchantWrite().update({
        application: {
          ...application,
          status: 'approved',
          decision: { tariff, connectionFee },
          updatedAt: now,
          history: [
            ...application.history,
            { at: now, actorId: 'usr_reviewer', action: 'approved', status: 'approved', comment: null },
          ],
        },
        expectedVersion: 1,
        grant: { merchantId, liveEnabledAt: now, tariff, connectionFee },
      }),
    ).rejects.toThrow();
    expect((await t.store.applications.get({ id: application.id }))?.status).toBe('approved');
    const stuck = await t.store.merchants.get({ id: merchantId });
    expect(stuck && onboardingOf(stuck).liveEnabledAt).toBeNull();
    expect(stuck?.tariff).toEqual(DEFAULT_TARIFF);

    // While the approval may still be in flight, the job leaves it alone.
    expect(await resumeApprovals(jobDeps())).toBe(0);
    const still = await t.store.merchants.get({ id: merchantId });
    expect(still && onboardingOf(still).liveEnabledAt).toBeNull();

    t.clock.advance(APPROVAL_RESUME_AFTER_MS + 1000);
    // Two processes running the job at once, then a later run: one completion between them.
    const runs = await Promise.all([resumeApprovals(jobDeps()), resumeApprovals(jobDeps())]);
    expect(runs[0] + runs[1]).toBe(1);
    expect(await resumeApprovals(jobDeps())).toBe(0);

    const live = await t.store.merchants.get({ id: merchantId });
    expect(live && onboardingOf(live)).toMatchObject({ liveEnabledAt: now, connectionFee });
    expect(live?.tariff).toEqual(tariff);
    const audits = await approvedAudits(merchantId);
    expect(audits).toHaveLength(1);
    expect(audits[0]).toMatchObject({
      userId: 'usr_reviewer',
      userAgent: 'payrail-jobs',
      data: { application_id: application.id, resumed: true, connection_fee: connectionFee },
    });
    const mail = await t.smtp.waitFor(owner.email, /Live account approved/);
    expect(mail.body).toContain('5000.00 RUB');
    // Whatever the queue still holds is delivered: still the one mail.
    await t.notifier.idle();
    await t.notifier.deliverDue();
    expect(approvedMails(owner.email)).toHaveLength(1);
  });

  it('an approval that completed normally leaves nothing to resume', async () => {
    const owner = await registeredUser(t, { accountType: 'merchant' });
    const merchantId = owner.user.merchant_id as string;
    await grantLiveMode(t.store, merchantId, t.clock.now());
    t.clock.advance(APPROVAL_RESUME_AFTER_MS + 1000);
    expect(await resumeApprovals(jobDeps())).toBe(0);
    expect(await approvedAudits(merchantId)).toEqual([]);
    expect(approvedMails(owner.email)).toEqual([]);
  });
});

// PostgreSQL approves in one transaction: its store has nothing to resume.
describe.each(['pglite', 'postgres'] as const)('approval resume on %s', (kind) => {
  let t: AccountsTestApp;
  beforeAll(async () => {
    t = await createAccountsTestApp({}, undefined, kind);
  }, 240_000);
  afterAll(async () => {
    await t?.close();
  });

  it('has no interrupted approvals to complete', async () => {
    expect(t.store.applications.resumeGrants).toBeUndefined();
    const deps = { store: t.store, clock: t.clock, logger: silentLogger, notifier: t.notifier };
    expect(await resumeApprovals(deps)).toBe(0);
  });
});
