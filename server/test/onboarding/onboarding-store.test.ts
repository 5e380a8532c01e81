import {
  DEFAULT_TARIFF,
  type Merchant,
  type MerchantApplication,
  newId,
  onboardingOf,
  type Store,
} from '@payrail/core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createStore, type StoreKind } from '../helpers/test-app';

vi.setConfig({ testTimeout: 60_000, hookTimeout: 180_000 });

const T0 = new Date('2026-03-01T10:00:00.000Z');
const at = (ms: number) => new Date(T0.getTime() + ms);

function merchant(overrides: Partial<Merchant> = {}): Merchant {
  const id = newId('merchant', T0.getTime());
  return {
    id,
    name: `Shop ${id.slice(-6)}`,
    email: `${id.toLowerCase()}@shop.test`,
    tariff: DEFAULT_TARIFF,
    providerRoutes: {},
    createdAt: T0,
    onboarding: {
      liveEnabledAt: null,
      trialStartedAt: null,
      trialEndsAt: null,
      trialExpiredAt: null,
      connectionFee: null,
    },
    ...overrides,
  };
}

function application(merchantId: string, overrides: Partial<MerchantApplication> = {}): MerchantApplication {
  return {
    id: newId('application', T0.getTime()),
    merchantId,
    status: 'draft',
    details: { companyName: 'Romashka', shopUrls: ['https://a.example'], paymentMethods: ['cards'] },
    history: [{ at: T0, actorId: 'usr_1', action: 'created', status: 'draft', comment: null }],
    decision: null,
    createdAt: T0,
    updatedAt: T0,
    version: 1,
    ...overrides,
  };
}

// The onboarding repositories on every adapter: the embedded PGlite, a PostgreSQL server and MongoDB (the
// in-process CongoDB unless PAYRAIL_TEST_MONGODB_URL is set).
describe.each(['pglite', 'postgres', 'mongodb'] as StoreKind[])('onboarding repositories (%s)', (kind) => {
  let store: Store;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    ({ store, cleanup } = await createStore(kind));
  });
  afterAll(async () => {
    await cleanup?.();
  });

  const created = async (overrides: Partial<Merchant> = {}) => {
    const m = merchant(overrides);
    await store.merchants.create({ merchant: m, apiKeys: [] });
    return m;
  };

  it('keeps onboarding fields; a merchant written without them is live since creation', async () => {
    const selfRegistered = await created();
    expect(onboardingOf((await store.merchants.get({ id: selfRegistered.id })) as Merchant)).toEqual(
      selfRegistered.onboarding,
    );
    const { onboarding: _none, ...operatorMade } = merchant();
    await store.merchants.create({ merchant: operatorMade, apiKeys: [] });
    const read = (await store.merchants.get({ id: operatorMade.id })) as Merchant;
    expect(onboardingOf(read).liveEnabledAt).toEqual(T0);
    // A live merchant never enters the trial queue, and cannot start a trial through a missing field.
    expect(onboardingOf(read).trialStartedAt).toBeNull();
  });

  it('starts a trial once, lists it when due, and expires it once', async () => {
    const m = await created();
    const started = await store.merchants.startTrial({ id: m.id, startedAt: T0, endsAt: at(86_400_000) });
    expect(started?.onboarding).toMatchObject({ trialStartedAt: T0, trialEndsAt: at(86_400_000) });
    expect(await store.merchants.startTrial({ id: m.id, startedAt: at(1), endsAt: at(2) })).toBeNull();

    const early = await store.merchants.listTrialsDue({ now: at(86_399_999), limit: 100 });
    expect(early.map((x) => x.id)).not.toContain(m.id);
    const due = await store.merchants.listTrialsDue({ now: at(86_400_000), limit: 100 });
    expect(due.map((x) => x.id)).toContain(m.id);

    const [first, second] = await Promise.all([
      store.merchants.expireTrial({ id: m.id, now: at(86_400_000) }),
      store.merchants.expireTrial({ id: m.id, now: at(86_400_001) }),
    ]);
    expect([first, second].filter(Boolean)).toHaveLength(1);
    expect((await store.merchants.get({ id: m.id }))?.onboarding?.trialExpiredAt).not.toBeNull();
    const after = await store.merchants.listTrialsDue({ now: at(2 * 86_400_000), limit: 100 });
    expect(after.map((x) => x.id)).not.toContain(m.id);
  });

  it('lists merchants newest first with a cursor', async () => {
    const ids = [(await created()).id, (await created()).id, (await created()).id];
    const first = await store.merchants.list({ limit: 2 });
    expect(first.hasMore).toBe(true);
    expect(first.data.map((x) => x.id)).toEqual([ids[2], ids[1]]);
    const next = await store.merchants.list({ limit: 100, startingAfter: ids[1] });
    expect(next.data[0]?.id).toBe(ids[0]);
  });

  it('keeps one application per merchant, with its history, under optimistic concurrency', async () => {
    const m = await created();
    const app = application(m.id);
    expect(await store.applications.insert({ application: app })).toEqual({ ok: true });
    expect(await store.applications.insert({ application: application(m.id) })).toEqual({
      ok: false,
      reason: 'exists',
    });
    expect(await store.applications.get({ id: app.id })).toEqual(app);
    expect(await store.applications.getByMerchant({ merchantId: m.id })).toEqual(app);
    expect(await store.applications.getByMerchant({ merchantId: 'mer_missing' })).toBeNull();

    const submitted: MerchantApplication = {
      ...app,
      status: 'submitted',
      updatedAt: at(1000),
      history: [
        ...app.history,
        { at: at(1000), actorId: 'usr_1', action: 'submitted', status: 'submitted', comment: null },
      ],
    };
    const [a, b] = await Promise.all([
      store.applications.update({ application: submitted, expectedVersion: 1 }),
      store.applications.update({
        application: { ...app, details: { companyName: 'Other' } },
        expectedVersion: 1,
      }),
    ]);
    expect([a.ok, b.ok].filter(Boolean)).toHaveLength(1);
    const stale = await store.applications.update({ application: submitted, expectedVersion: 1 });
    expect(stale).toEqual({ ok: false, reason: 'version_conflict' });
    const stored = await store.applications.get({ id: app.id });
    expect(stored?.version).toBe(2);
  });

  it('approval writes the live-mode grant with the application; a lost race grants nothing', async () => {
    const m = await created();
    const app = application(m.id, { status: 'submitted' });
    await store.applications.insert({ application: app });
    const tariff = { percentBps: 250, fixed: { RUB: 3000 } };
    const connectionFee = { amount: 500_000, currency: 'RUB' };
    const grant = { merchantId: m.id, liveEnabledAt: at(5000), tariff, connectionFee };

    const lost = await store.applications.update({
      application: { ...app, status: 'approved' },
      expectedVersion: 7,
      grant,
    });
    expect(lost.ok).toBe(false);
    expect(onboardingOf((await store.merchants.get({ id: m.id })) as Merchant).liveEnabledAt).toBeNull();

    const approved = await store.applications.update({
      application: { ...app, status: 'approved', decision: { tariff, connectionFee } },
      expectedVersion: 1,
      grant,
    });
    expect(approved.ok && approved.application.status).toBe('approved');
    const live = (await store.merchants.get({ id: m.id })) as Merchant;
    expect(live.tariff).toEqual(tariff);
    expect(onboardingOf(live)).toMatchObject({ liveEnabledAt: at(5000), connectionFee });
  });

  it('lists the review queue by status, oldest first, with a cursor', async () => {
    const apps: MerchantApplication[] = [];
    for (let i = 0; i < 3; i++) {
      const m = await created();
      const app = application(m.id, { status: 'submitted' });
      await store.applications.insert({ application: app });
      apps.push(app);
    }
    const other = await created();
    await store.applications.insert({ application: application(other.id, { status: 'rejected' }) });

    const all: string[] = [];
    let cursor: string | undefined;
    for (;;) {
      const page = await store.applications.list({
        status: 'submitted',
        limit: 2,
        ...(cursor ? { startingAfter: cursor } : {}),
      });
      all.push(...page.data.map((a) => a.id));
      expect(page.data.every((a) => a.status === 'submitted')).toBe(true);
      if (!page.hasMore) break;
      cursor = page.data.at(-1)?.id;
    }
    const ours = all.filter((id) => apps.some((a) => a.id === id));
    expect(ours).toEqual(apps.map((a) => a.id));
  });

  it('keeps the acquiring banks the PSP offers', async () => {
    const bank = {
      id: newId('acquiringBank', T0.getTime()),
      name: 'Alfa',
      active: true,
      createdAt: T0,
      updatedAt: T0,
    };
    await store.acquiringBanks.insert({ bank });
    expect(await store.acquiringBanks.get({ id: bank.id })).toEqual(bank);
    const off = await store.acquiringBanks.update({
      id: bank.id,
      name: 'Alfa Bank',
      active: false,
      now: at(1),
    });
    expect(off).toEqual({ ...bank, name: 'Alfa Bank', active: false, updatedAt: at(1) });
    expect((await store.acquiringBanks.list({ activeOnly: true })).map((b) => b.id)).not.toContain(bank.id);
    expect((await store.acquiringBanks.list({ activeOnly: false })).map((b) => b.id)).toContain(bank.id);
    expect(
      await store.acquiringBanks.update({ id: 'acq_missing', name: 'x', active: true, now: T0 }),
    ).toBeNull();
  });
});
