import { silentLogger } from '@payrail/core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { generateApiKey } from '../../src/auth/api-keys';
import { startBackgroundJobs } from '../../src/jobs/background-jobs';
import { expireTrials } from '../../src/jobs/trial-expiry';
import { type AccountsTestApp, createAccountsTestApp, pspStaff, registeredUser } from '../accounts/helpers';
import { completeApplication } from './helpers';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 180_000 });

const DAY = 24 * 60 * 60 * 1000;
const ACCOUNT_URL = 'https://account.payrail.test';

describe('merchant onboarding: trial, application, back-office review (pglite)', () => {
  let t: AccountsTestApp;
  let bankId: string;

  beforeAll(async () => {
    t = await createAccountsTestApp();
    const admin = await pspStaff(t, 'admin');
    const bank = await admin.browser.post('/v1/backoffice/acquiring-banks', { name: 'Alfa Acquiring' });
    expect(bank.statusCode).toBe(201);
    bankId = bank.body.id;
  });
  afterAll(async () => {
    await t?.close();
  });

  /** A self-registered owner with a live key made for the test (live keys exist before approval too). */
  async function owner() {
    const o = await registeredUser(t, { accountType: 'merchant' });
    const merchantId = o.user.merchant_id as string;
    const live = generateApiKey(merchantId, 'live', t.clock.now());
    await t.store.apiKeys.insert({ apiKey: live.record });
    return { ...o, merchantId, live: t.client(live.secret) };
  }

  const jobDeps = () => ({
    store: t.store,
    clock: t.clock,
    logger: silentLogger,
    notifier: t.notifier,
    accountUrl: ACCOUNT_URL,
  });

  it('trial: a test key works at once, live is refused; after 24 h the job ends it and mails the owner', async () => {
    const o = await owner();
    const started = await o.browser.post('/v1/account/onboarding/trial');
    expect(started.statusCode).toBe(201);
    expect(started.body.trial.status).toBe('active');
    expect(started.body.live_enabled).toBe(false);
    const testApi = t.client(started.body.test_key.secret);
    expect((await testApi.get('/v1/payments')).statusCode).toBe(200);

    const refused = await o.live.get('/v1/payments');
    expect(refused.statusCode).toBe(403);
    expect(refused.body.error.code).toBe('PAYRAIL_ERR_LIVE_MODE_NOT_ENABLED');
    expect(refused.body.error.message).toMatch(/apply for a live account/);

    const again = await o.browser.post('/v1/account/onboarding/trial');
    expect(again.statusCode).toBe(409);
    expect(again.body.error.code).toBe('PAYRAIL_ERR_TRIAL_ALREADY_STARTED');
    await t.smtp.waitFor(o.email, /free trial has started/);

    // One hour short of the end: the job leaves it alone.
    t.clock.advance(DAY - 60 * 60 * 1000);
    await expireTrials(jobDeps());
    expect((await t.store.merchants.get({ id: o.merchantId }))?.onboarding?.trialExpiredAt).toBeNull();

    t.clock.advance(60 * 60 * 1000);
    expect(await expireTrials(jobDeps())).toBeGreaterThanOrEqual(1);
    const merchant = await t.store.merchants.get({ id: o.merchantId });
    expect(merchant?.onboarding?.trialExpiredAt?.getTime()).toBe(t.clock.now().getTime());
    const mail = await t.smtp.waitFor(o.email, /free trial has ended/);
    expect(mail.body).toContain(`${ACCOUNT_URL}/account/onboarding`);

    // A second run (another process) neither marks nor mails again.
    expect(await expireTrials(jobDeps())).toBe(0);
    await t.notifier.idle();
    expect(
      t.smtp.mails.filter((m) => m.to.includes(o.email) && /trial has ended/.test(m.subject)),
    ).toHaveLength(1);

    // Test mode keeps working; live mode is still closed. The session is a day old: log in again.
    expect((await testApi.get('/v1/payments')).statusCode).toBe(200);
    expect((await o.live.get('/v1/payments')).statusCode).toBe(403);
    const relogin = t.browser();
    await relogin.post('/v1/auth/login', { login: o.email, password: o.password });
    const status = await relogin.get('/v1/account/onboarding');
    expect(status.body.trial).toMatchObject({ status: 'expired' });
    const audit = await relogin.get('/v1/account/audit_log?limit=50');
    expect(audit.body.data.map((e: { type: string }) => e.type)).toEqual(
      expect.arrayContaining(['onboarding.trial_started', 'onboarding.trial_expired']),
    );
  });

  it('trial: the recurring job onboarding.expire_trials runs the expiry on its own', async () => {
    const o = await owner();
    expect((await o.browser.post('/v1/account/onboarding/trial')).statusCode).toBe(201);
    t.clock.advance(DAY);
    const hour = '1h';
    const jobs = await startBackgroundJobs(
      { ...t.services, notifier: t.notifier, accountUrl: ACCOUNT_URL },
      {
        pollIntervalMs: 200,
        paymentExpireAfterMs: DAY,
        autoVoidAfterMs: 7 * DAY,
        reconcileAfterMs: DAY,
        webhookTimeoutMs: 2_000,
        intervals: {
          dispatchOutbox: hour,
          deliverWebhooks: hour,
          syncPayments: hour,
          expirePayments: hour,
          autoVoid: hour,
          reconcile: hour,
          resolveReviews: hour,
          purgeRiskCounters: hour,
          expireTrials: '200ms',
        },
      },
    );
    try {
      await t.smtp.waitFor(o.email, /free trial has ended/);
    } finally {
      await jobs.stop();
    }
    expect((await t.store.merchants.get({ id: o.merchantId }))?.onboarding?.trialExpiredAt).not.toBeNull();
  });

  it('application: draft → submitted → changes requested → submitted → approved opens live mode', async () => {
    const o = await owner();
    const admin = await pspStaff(t, 'admin');
    const support = await pspStaff(t, 'support');
    expect((await o.live.get('/v1/payments')).statusCode).toBe(403);

    const none = await o.browser.get('/v1/account/onboarding/application');
    expect(none.statusCode).toBe(404);
    expect(none.body.error.code).toBe('PAYRAIL_ERR_APPLICATION_NOT_FOUND');

    const draft = await o.browser.put('/v1/account/onboarding/application', { company_name: 'Romashka LLC' });
    expect(draft.statusCode).toBe(201);
    expect(draft.body.status).toBe('draft');

    const badUrl = await o.browser.put('/v1/account/onboarding/application', { shop_urls: ['ftp://x'] });
    expect(badUrl.statusCode).toBe(400);
    expect(badUrl.body.error).toMatchObject({ code: 'PAYRAIL_ERR_VALIDATION', param: 'shop_urls.0' });
    const badMethod = await o.browser.put('/v1/account/onboarding/application', {
      payment_methods: ['paypal'],
    });
    expect(badMethod.body.error).toMatchObject({
      code: 'PAYRAIL_ERR_VALIDATION',
      param: 'payment_methods.0',
    });
    const badBank = await o.browser.put('/v1/account/onboarding/application', {
      acquiring_bank_id: 'acq_nope',
    });
    expect(badBank.statusCode).toBe(400);
    expect(badBank.body.error).toMatchObject({
      code: 'PAYRAIL_ERR_ACQUIRING_BANK_UNKNOWN',
      param: 'acquiring_bank_id',
    });

    const incomplete = await o.browser.post('/v1/account/onboarding/application/submit');
    expect(incomplete.statusCode).toBe(400);
    expect(incomplete.body.error.code).toBe('PAYRAIL_ERR_APPLICATION_INCOMPLETE');
    expect(incomplete.body.error.param).toBe('registration_number');
    expect(incomplete.body.error.details.missing).toEqual(
      expect.arrayContaining(['registration_number', 'shop_urls', 'acquiring_bank_id', 'payment_methods']),
    );

    const banks = await o.browser.get('/v1/account/onboarding/acquiring-banks');
    expect(banks.body.data.map((b: { id: string }) => b.id)).toContain(bankId);
    const full = await o.browser.put('/v1/account/onboarding/application', completeApplication(bankId));
    expect(full.statusCode).toBe(200);
    const submitted = await o.browser.post('/v1/account/onboarding/application/submit');
    expect(submitted.statusCode).toBe(200);
    expect(submitted.body.status).toBe('submitted');
    await t.smtp.waitFor(o.email, /application received/);
    const id: string = submitted.body.id;

    // The merchant cannot edit or resubmit while it is under review.
    const locked = await o.browser.put('/v1/account/onboarding/application', completeApplication(bankId));
    expect(locked.statusCode).toBe(409);
    expect(locked.body.error.code).toBe('PAYRAIL_ERR_APPLICATION_TRANSITION_INVALID');
    expect((await o.browser.post('/v1/account/onboarding/application/submit')).statusCode).toBe(409);

    // Who may review: not the merchant, not support.
    expect((await o.browser.get('/v1/backoffice/applications')).statusCode).toBe(403);
    const bySupport = await support.browser.post(`/v1/backoffice/applications/${id}/approve`, {
      tariff: { percent_bps: 250 },
      connection_fee: { amount: 500_000, currency: 'RUB' },
    });
    expect(bySupport.statusCode).toBe(403);
    expect(bySupport.body.error.code).toBe('PAYRAIL_ERR_FORBIDDEN');
    expect((await support.browser.get('/v1/backoffice/applications')).statusCode).toBe(403);

    const queue = await admin.browser.get('/v1/backoffice/applications?status=submitted&limit=100');
    expect(queue.statusCode).toBe(200);
    expect(queue.body.data.map((a: { id: string }) => a.id)).toContain(id);
    expect(queue.body.data.every((a: { status: string }) => a.status === 'submitted')).toBe(true);

    const sentBack = await admin.browser.post(`/v1/backoffice/applications/${id}/request-changes`, {
      comment: 'The legal address lacks the postcode.',
    });
    expect(sentBack.statusCode).toBe(200);
    expect(sentBack.body.status).toBe('changes_requested');
    const changesMail = await t.smtp.waitFor(o.email, /needs changes/);
    expect(changesMail.body).toContain('The legal address lacks the postcode.');

    // The reviewer cannot approve what is back with the merchant.
    const early = await admin.browser.post(`/v1/backoffice/applications/${id}/approve`, {
      tariff: { percent_bps: 250 },
      connection_fee: { amount: 500_000, currency: 'RUB' },
    });
    expect(early.statusCode).toBe(409);
    expect(early.body.error.code).toBe('PAYRAIL_ERR_APPLICATION_TRANSITION_INVALID');

    const fixed = await o.browser.put('/v1/account/onboarding/application', {
      ...completeApplication(bankId),
      legal_address: '125009, Moscow, Tverskaya 1',
    });
    expect(fixed.statusCode).toBe(200);
    expect(fixed.body.status).toBe('changes_requested');
    expect((await o.browser.post('/v1/account/onboarding/application/submit')).body.status).toBe('submitted');

    const approved = await admin.browser.post(`/v1/backoffice/applications/${id}/approve`, {
      tariff: { percent_bps: 250, fixed: { RUB: 3000 } },
      connection_fee: { amount: 500_000, currency: 'rub' },
    });
    expect(approved.statusCode).toBe(200);
    expect(approved.body.status).toBe('approved');
    expect(approved.body.decision).toEqual({
      tariff: { percent_bps: 250, fixed: { RUB: 3000 } },
      connection_fee: { amount: 500_000, currency: 'RUB' },
    });
    expect(approved.body.history.map((s: { action: string }) => s.action)).toEqual([
      'created',
      'submitted',
      'changes_requested',
      'submitted',
      'approved',
    ]);
    expect(approved.body.history[2]).toMatchObject({
      by: 'psp',
      actor_id: admin.user.id,
      comment: 'The legal address lacks the postcode.',
    });
    const approvedMail = await t.smtp.waitFor(o.email, /Live account approved/);
    expect(approvedMail.body).toContain('5000.00 RUB');

    // Live mode is open now, with the tariff and fee recorded on the merchant.
    expect((await o.live.get('/v1/payments')).statusCode).toBe(200);
    const status = await o.browser.get('/v1/account/onboarding');
    expect(status.body).toMatchObject({
      live_enabled: true,
      application: { id, status: 'approved' },
      tariff: { percent_bps: 250, fixed: { RUB: 3000 } },
      connection_fee: { amount: 500_000, currency: 'RUB' },
    });
    const mine = await o.browser.get('/v1/account/onboarding/application');
    expect(mine.body.history[2]).not.toHaveProperty('actor_id');

    const twice = await admin.browser.post(`/v1/backoffice/applications/${id}/reject`, { reason: 'late' });
    expect(twice.statusCode).toBe(409);

    const audit = await o.browser.get('/v1/account/audit_log?limit=50');
    const types = audit.body.data.map((e: { type: string }) => e.type);
    expect(types).toEqual(
      expect.arrayContaining([
        'application.created',
        'application.submitted',
        'application.changes_requested',
        'application.approved',
      ]),
    );

    // Support reads merchants (merchants:read) and sees the outcome.
    const seen = await support.browser.get(`/v1/backoffice/merchants/${o.merchantId}`);
    expect(seen.statusCode).toBe(200);
    expect(seen.body.onboarding).toMatchObject({
      live_enabled: true,
      application: { id, status: 'approved' },
    });
    const list = await support.browser.get('/v1/backoffice/merchants?limit=100');
    expect(list.body.data.map((m: { id: string }) => m.id)).toContain(o.merchantId);
    expect((await o.browser.get(`/v1/backoffice/merchants/${o.merchantId}`)).statusCode).toBe(403);
  });

  it('rejected: the reason is mailed, live mode stays closed and the application is final', async () => {
    const o = await owner();
    const admin = await pspStaff(t, 'admin');
    await o.browser.put('/v1/account/onboarding/application', completeApplication(bankId));
    const { body } = await o.browser.post('/v1/account/onboarding/application/submit');

    const noReason = await admin.browser.post(`/v1/backoffice/applications/${body.id}/reject`, {});
    expect(noReason.statusCode).toBe(400);
    expect(noReason.body.error).toMatchObject({ code: 'PAYRAIL_ERR_VALIDATION', param: 'reason' });

    const rejected = await admin.browser.post(`/v1/backoffice/applications/${body.id}/reject`, {
      reason: 'The shop sells goods we cannot accept.',
    });
    expect(rejected.statusCode).toBe(200);
    expect(rejected.body.status).toBe('rejected');
    const mail = await t.smtp.waitFor(o.email, /application rejected/);
    expect(mail.body).toContain('The shop sells goods we cannot accept.');

    expect((await o.live.get('/v1/payments')).statusCode).toBe(403);
    expect(
      (await o.browser.put('/v1/account/onboarding/application', completeApplication(bankId))).statusCode,
    ).toBe(409);
    expect((await o.browser.post('/v1/account/onboarding/application/submit')).statusCode).toBe(409);
    const rejectedQueue = await admin.browser.get('/v1/backoffice/applications?status=rejected&limit=100');
    expect(rejectedQueue.body.data.map((a: { id: string }) => a.id)).toContain(body.id);
  });

  it('merchants written without onboarding (operator, tests, older records) keep live mode', async () => {
    const m = await t.createMerchant();
    expect((await m.live.get('/v1/payments')).statusCode).toBe(200);
  });

  it("another merchant's application is invisible, and only the owner manages onboarding", async () => {
    const a = await owner();
    const b = await owner();
    const saved = await a.browser.put('/v1/account/onboarding/application', { company_name: 'A Corp' });
    expect(saved.statusCode).toBe(201);
    const ofB = await b.browser.get('/v1/account/onboarding/application');
    expect(ofB.statusCode).toBe(404);
    const bDraft = await b.browser.put('/v1/account/onboarding/application', { company_name: 'B Corp' });
    expect(bDraft.body.id).not.toBe(saved.body.id);
    expect((await a.browser.get('/v1/account/onboarding/application')).body.company_name).toBe('A Corp');
    // B submitting touches only B's (incomplete) application.
    expect((await b.browser.post('/v1/account/onboarding/application/submit')).statusCode).toBe(400);
    expect((await a.browser.get('/v1/account/onboarding/application')).body.status).toBe('draft');

    // Onboarding is for merchant owners: a buyer (no merchant) is refused.
    const buyer = await registeredUser(t, { accountType: 'buyer' });
    const forbidden = await buyer.browser.get('/v1/account/onboarding');
    expect(forbidden.statusCode).toBe(403);
    expect(forbidden.body.error.code).toBe('PAYRAIL_ERR_FORBIDDEN');
  });

  it('acquiring banks: reviewers maintain the list, merchants choose among active ones', async () => {
    const admin = await pspStaff(t, 'admin');
    const support = await pspStaff(t, 'support');
    expect((await support.browser.post('/v1/backoffice/acquiring-banks', { name: 'X' })).statusCode).toBe(
      403,
    );
    const created = await admin.browser.post('/v1/backoffice/acquiring-banks', { name: 'Sber Acquiring' });
    expect(created.statusCode).toBe(201);
    const off = await admin.browser.post(`/v1/backoffice/acquiring-banks/${created.body.id}`, {
      active: false,
    });
    expect(off.body).toMatchObject({ name: 'Sber Acquiring', active: false });
    const all = await support.browser.get('/v1/backoffice/acquiring-banks');
    expect(all.body.data.map((b: { id: string }) => b.id)).toContain(created.body.id);

    const o = await owner();
    const offered = await o.browser.get('/v1/account/onboarding/acquiring-banks');
    expect(offered.body.data.map((b: { id: string }) => b.id)).not.toContain(created.body.id);
    const refused = await o.browser.put('/v1/account/onboarding/application', {
      acquiring_bank_id: created.body.id,
    });
    expect(refused.body.error.code).toBe('PAYRAIL_ERR_ACQUIRING_BANK_UNKNOWN');
  });
});
