// Fault injection between Payrail and an HTTP provider, then the jobs reconcile: nothing lost, nothing
// applied twice. Payrail's QIWI plugin talks real HTTP (undici) to a fault-injecting proxy
// (helpers/fault-proxy.ts) in front of the QIWI simulator, itself served over HTTP. QIWI is the provider
// here because it is the one whose mutating calls cross HTTP — bill creation (PUT), bill rejection
// (POST) and refunds (PUT) — so a fault before or after the provider acted changes the outcome. (The
// cards plugin's acquirer is an in-process interface; WebMoney only queries over HTTP.)
//
// Faults are chosen per request by a seeded PRNG from a label that does not depend on ids or timing
// (payment index, operation, occurrence); the seed is printed, PAYRAIL_FAULTS_SEED=<n> replays it: the
// same shop traffic and the same fault for the n-th call of an operation on a payment. The jobs also run
// during the traffic, so which job call comes n-th depends on timing: a replay is close, not identical.
import { randomBytes } from 'node:crypto';
import type { Clock, Payment, Refund } from '@payrail/core';
import { qiwi } from '@payrail/plugin-qiwi';
import { QiwiSimulator } from '@payrail/plugin-qiwi/simulator';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type PaymentJobDeps, syncPendingPayments } from '../../src/jobs/payment-sync';
import { reconcilePayments } from '../../src/jobs/reconciliation';
import { syncPendingRefunds } from '../../src/jobs/refund-sync';
import {
  FAULTS,
  type Fault,
  type FaultDecision,
  type FaultProxy,
  type ProxiedRequest,
  startFaultProxy,
} from '../helpers/fault-proxy';
import { prng } from '../helpers/prng';
import { type ServedFetchHandler, serveFetchHandler } from '../helpers/serve-fetch-handler';
import { type ApiResponse, createTestApp, type TestApp, type TestMerchant } from '../helpers/test-app';

vi.setConfig({ testTimeout: 600_000, hookTimeout: 240_000 });

const LONG = process.env.PAYRAIL_RELIABILITY_LONG === '1';
const SEED = Number(process.env.PAYRAIL_FAULTS_SEED ?? randomBytes(4).readUInt32LE(0));
/** Payments driven; the first 18 follow a fixed plan so every fault hits every mutating call. */
const PAYMENTS = LONG ? 200 : 30;
const CONCURRENCY = LONG ? 6 : 4;
/** The plugin's per-call timeout: withheld answers cost this much each. */
const CLIENT_TIMEOUT_MS = 1_000;
/** A slow answer stays well under the client's timeout, even on a loaded machine. */
const SLOW_MS = 300;
/** Share of provider calls that are broken while faults are on. */
const FAULT_RATE = 0.35;
const SITE = 'faults-site';
const SECRET = 'faults-secret';
const INSTANCE = 'faults';
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** FNV-1a: a label → a 32-bit seed. */
function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}
const rngFor = (label: string) => prng(hash32(`${SEED}:${label}`));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

type Op = 'create' | 'get' | 'reject' | 'refund' | 'refund_get';
type Buyer = 'pay' | 'decline' | 'none';
interface Plan {
  /** The first call of `op` for this payment gets `fault`. */
  forced?: { op: Op; fault: FaultDecision }[];
  buyer?: Buyer;
  notify?: boolean;
  refunds?: number;
  cancel?: boolean;
}

/**
 * The fixed part: payments 0–5 have their bill creation broken by each fault in turn; 6–11 are paid
 * (notified) and their first refund call is broken by each fault; 12–17 are left unpaid and canceled by
 * the merchant with the rejection call broken by each fault. The rest are random.
 */
function planOf(i: number): Plan {
  const fault = FAULTS[i % FAULTS.length] as Fault;
  if (i < 6) return { forced: [{ op: 'create', fault }] };
  if (i < 12)
    return {
      forced: [
        { op: 'create', fault: 'pass' },
        { op: 'refund', fault },
      ],
      buyer: 'pay',
      notify: true,
      refunds: 1,
    };
  if (i < 18)
    return {
      forced: [
        { op: 'create', fault: 'pass' },
        { op: 'reject', fault },
      ],
      buyer: 'none',
      cancel: true,
    };
  return {};
}

const API = /\/partner\/bill\/v1\/bills\/([^/?]+)(?:\/(reject|refunds)(?:\/([^/?]+))?)?/;

describe('provider faults, then reconciliation (QIWI over HTTP through a fault proxy, PostgreSQL)', () => {
  let t: TestApp;
  let m: TestMerchant;
  let proxy: FaultProxy;
  let upstream: ServedFetchHandler;
  const sim = new QiwiSimulator({ siteId: SITE, secretKey: SECRET });
  let faultsOn = true;
  /** bill id (= payment id) → payment index, learnt from the bill creation's `comment`. */
  const billIndex = new Map<string, number>();
  const occurrences = new Map<string, number>();

  function decide(req: ProxiedRequest): FaultDecision {
    const match = API.exec(req.path);
    if (!match) return 'pass';
    const billId = decodeURIComponent(match[1] as string);
    const op: Op =
      match[2] === 'reject'
        ? 'reject'
        : match[2] === 'refunds'
          ? req.method === 'PUT'
            ? 'refund'
            : 'refund_get'
          : req.method === 'PUT'
            ? 'create'
            : 'get';
    let index = billIndex.get(billId);
    if (index === undefined && op === 'create') {
      const comment = (JSON.parse(req.body) as { comment?: string }).comment ?? '';
      index = Number(/^pf-(\d+)$/.exec(comment)?.[1] ?? Number.NaN);
      if (Number.isInteger(index)) billIndex.set(billId, index);
    }
    const label = `${index}:${op}`;
    const n = occurrences.get(label) ?? 0;
    occurrences.set(label, n + 1);
    if (!faultsOn) return 'pass';
    if (index !== undefined && n === 0) {
      const forced = planOf(index).forced?.find((f) => f.op === op);
      if (forced) return forced.fault;
    }
    const random = rngFor(`fault:${label}:${n}`);
    if (random() >= FAULT_RATE) return 'pass';
    return FAULTS[Math.floor(random() * FAULTS.length)] as Fault;
  }

  beforeAll(async () => {
    upstream = await serveFetchHandler((request) => sim.handleApi(request));
    proxy = await startFaultProxy({ upstream: upstream.url, decide, slowMs: SLOW_MS });
    t = await createTestApp({
      store: 'postgres',
      plugins: [
        qiwi({
          instanceId: INSTANCE,
          siteId: SITE,
          secretKey: SECRET,
          publicKey: 'faults-public',
          apiBaseUrl: proxy.url,
          timeoutMs: CLIENT_TIMEOUT_MS,
        }),
      ],
    });
    m = await t.createMerchant();
  });
  afterAll(async () => {
    await t?.close();
    await proxy?.close();
    await upstream?.close();
  });

  /** What the merchant's integration does: resend with the same key on 5xx and 409-in-flight. */
  const seen = { retries: 0, replays: 0, concurrentSends: 0, notifications: 0, refundsAsked: 0, cancels: 0 };
  async function send(path: string, body: unknown, key: string): Promise<ApiResponse> {
    for (let attempt = 1; ; attempt++) {
      const res = await m.test.post(path, body, { 'idempotency-key': key });
      const retryable =
        res.statusCode >= 500 ||
        res.statusCode === 429 ||
        res.body?.error?.code === 'PAYRAIL_ERR_IDEMPOTENCY_IN_FLIGHT';
      // In flight: the first request may be waiting out the provider's timeout, so keep trying a while.
      if (!retryable || attempt >= 12) return res;
      seen.retries++;
      await sleep(Math.min(50 * attempt, 400));
    }
  }
  /** Sometimes the answer is "lost" and the request resent, or the request goes out twice at once. */
  async function sendLikeAClient(path: string, body: unknown, key: string, random: () => number) {
    let res: ApiResponse;
    if (random() < 0.15) {
      seen.concurrentSends++;
      const both = await Promise.all([send(path, body, key), send(path, body, key)]);
      res = both[0];
      expect(both[1].statusCode, `${path}: ${both[0].rawBody} / ${both[1].rawBody}`).toBe(res.statusCode);
      expect(both[1].body?.id).toBe(res.body?.id);
    } else res = await send(path, body, key);
    if (random() < 0.25 && res.statusCode < 300) {
      seen.replays++;
      const again = await send(path, body, key);
      expect(again.statusCode).toBe(res.statusCode);
      expect(again.body.id).toBe(res.body.id);
    }
    return res;
  }

  async function notify(billId: string, random: () => number) {
    const n = sim.notification(billId);
    const times = random() < 0.2 ? 2 : 1;
    for (let k = 0; k < times; k++) {
      seen.notifications++;
      const res = await t.app.inject({
        method: 'POST',
        url: `/hooks/qiwi/${INSTANCE}`,
        headers: n.headers,
        payload: n.rawBody,
      });
      expect(res.statusCode).toBe(200);
    }
  }

  /** One payment's life, as a shop, its buyer and QIWI live it. Returns the payment id. */
  async function flow(i: number): Promise<string> {
    const plan = planOf(i);
    const random = rngFor(`flow:${i}`);
    const amount = 100 + Math.floor(random() * 100_000);
    const created = await sendLikeAClient(
      '/v1/payments',
      { amount, currency: 'RUB', method: 'qiwi_wallet', order_id: `F-${i}`, description: `pf-${i}` },
      `pf-${SEED}-${i}-create`,
      random,
    );
    expect(created.statusCode, JSON.stringify(created.body)).toBe(201);
    const id = created.body.id as string;

    // The buyer at QIWI's pay form (when QIWI has the bill).
    const buyer: Buyer = plan.buyer ?? (random() < 0.6 ? 'pay' : random() < 0.3 ? 'decline' : 'none');
    const bill = sim.bills.get(id);
    if (bill && bill.status.value === 'WAITING' && buyer !== 'none') {
      await (buyer === 'pay' ? sim.pay(id) : sim.decline(id));
      // QIWI's notification may arrive (once or twice) or be lost; the jobs must cope with either.
      if (plan.notify ?? random() < 0.6) await notify(id, random);
    }
    if (buyer === 'none' && (plan.cancel ?? random() < 0.5)) {
      seen.cancels++;
      const res = await sendLikeAClient(`/v1/payments/${id}/cancel`, {}, `pf-${SEED}-${i}-cancel`, random);
      // A broken call (5xx after the retries) or a payment Payrail still sees as processing (refused as
      // an invalid transition) is fine: the jobs settle it. Anything else must be a success.
      if (res.statusCode !== 200 && res.body?.error?.code !== 'PAYRAIL_ERR_INVALID_STATE_TRANSITION')
        expect(res.statusCode, JSON.stringify(res.body)).toBeGreaterThanOrEqual(500);
    }

    // The shop refunds what Payrail says was paid.
    const now = (await m.test.get(`/v1/payments/${id}`)).body;
    if (now.status === 'succeeded' || now.status === 'partially_refunded') {
      const count = plan.refunds ?? Math.floor(random() * 3);
      let left = now.amount_captured - now.amount_refunded;
      for (let k = 0; k < count && left > 0; k++) {
        const full = k === count - 1 && random() < 0.4;
        const part = full ? left : 1 + Math.floor((random() * left) / 2);
        seen.refundsAsked++;
        const res = await sendLikeAClient(
          `/v1/payments/${id}/refunds`,
          { amount: part },
          `pf-${SEED}-${i}-refund-${k}`,
          random,
        );
        // A refund whose outcome is unknown is answered `pending` (reserved) and settled by refunds.sync.
        expect(res.statusCode, JSON.stringify(res.body)).toBeLessThan(300);
        left -= part;
      }
    }
    return id;
  }

  const ahead = (ms: number): Clock => ({ now: () => new Date(Date.now() + ms) });
  /** Each round's clock is 2 h further ahead, so every backoff of the round before has elapsed. */
  const deps = (round: number): PaymentJobDeps => ({ ...t.services, clock: ahead(round * 2 * HOUR) });
  async function jobsRound(round: number) {
    const d = deps(round);
    const refunds = await syncPendingRefunds(d);
    const synced = await syncPendingPayments(d, { expireAfterMs: 30 * DAY });
    const run = await reconcilePayments(d, {
      olderThanMs: MINUTE,
      runKey: `reconcile:faults-${SEED}-${round}`,
    });
    return { refunds, synced, changes: run?.changes.length ?? 0, errors: run?.errors.length ?? 0 };
  }

  async function stateOf(ids: string[]) {
    const out: { payment: Payment; refunds: Refund[] }[] = [];
    for (const id of ids) {
      const payment = await t.store.payments.getById({ id });
      if (!payment) throw new Error(`payment ${id} lost`);
      out.push({ payment, refunds: await t.store.refunds.listByPayment({ paymentId: id }) });
    }
    return out;
  }
  const fingerprint = (state: Awaited<ReturnType<typeof stateOf>>) =>
    JSON.stringify(state.map((s) => [s.payment.id, s.payment.version, s.refunds.map((r) => r.status)]));
  const unsettled = (state: Awaited<ReturnType<typeof stateOf>>) =>
    state.filter((s) => s.payment.status === 'processing' || s.refunds.some((r) => r.status === 'pending'));

  it(`every payment ends as QIWI has it, nothing captured or refunded twice (${PAYMENTS} payments, seed ${SEED})`, async () => {
    console.info(`provider-faults seed ${SEED} (PAYRAIL_FAULTS_SEED=${SEED} replays the fault schedule)`);

    // 1. The shop's traffic, with faults on every provider call, while the jobs already run (with clocks
    //    ahead, so every payment looks old enough): syncs and refund re-sends race the shop's own calls.
    const ids: string[] = new Array(PAYMENTS);
    const rounds: string[] = [];
    let round = 0;
    let driving = true;
    const background = (async () => {
      while (driving) {
        rounds.push(`during: ${JSON.stringify(await jobsRound(++round))}`);
        await sleep(100);
      }
    })();
    let next = 0;
    try {
      await Promise.all(
        Array.from({ length: CONCURRENCY }, async () => {
          for (let i = next++; i < PAYMENTS; i = next++) ids[i] = await flow(i);
        }),
      );
    } finally {
      driving = false;
      await background;
    }
    const driven = proxy.log.length;

    // 2. The jobs: a few rounds while the provider is still faulty, then until quiet once it recovers.
    for (let k = 1; k <= 3; k++) rounds.push(`faulty ${k}: ${JSON.stringify(await jobsRound(++round))}`);
    faultsOn = false;
    let previous = '';
    let quiet = false;
    for (let k = 1; k <= 8 && !quiet; k++) {
      rounds.push(`clean ${k}: ${JSON.stringify(await jobsRound(++round))}`);
      const state = await stateOf(ids);
      const print = fingerprint(state);
      quiet = print === previous && unsettled(state).length === 0;
      previous = print;
    }
    const state = await stateOf(ids);

    // 3. Invariants.
    const problems: string[] = [];
    const finals: Record<string, number> = {};
    for (const { payment: p, refunds } of state) {
      const where = `${p.id} #${billIndex.get(p.id) ?? '?'} (${p.status})`;
      const bill = sim.bills.get(p.id);
      const billStatus = bill?.status.value ?? 'NO_BILL';
      finals[billStatus] = (finals[billStatus] ?? 0) + 1;
      const atQiwi = new Map([...(bill?.refunds.values() ?? [])].map((r) => [r.refundId, r.minor]));
      const refundedAtQiwi = [...atQiwi.values()].reduce((a, b) => a + b, 0);

      // Payrail's state equals QIWI's.
      switch (billStatus) {
        case 'NO_BILL':
          // QIWI never issued the bill: nothing can have been paid, and Payrail must not wait forever.
          if (p.amountCaptured !== 0) problems.push(`${where}: captured ${p.amountCaptured} without a bill`);
          if (!['requires_payment_method', 'failed', 'canceled'].includes(p.status))
            problems.push(`${where}: QIWI has no bill, Payrail says ${p.status}`);
          break;
        case 'WAITING':
          if (p.status !== 'requires_action') problems.push(`${where}: bill WAITING`);
          break;
        case 'REJECTED':
        case 'EXPIRED':
          if (p.status !== 'canceled') problems.push(`${where}: bill ${billStatus}`);
          break;
        case 'PAID': {
          const expected =
            refundedAtQiwi === 0
              ? 'succeeded'
              : refundedAtQiwi === bill?.minor
                ? 'refunded'
                : 'partially_refunded';
          if (p.status !== expected)
            problems.push(`${where}: bill PAID, refunded ${refundedAtQiwi}, expected ${expected}`);
          if (p.amountCaptured !== bill?.minor)
            problems.push(`${where}: Payrail captured ${p.amountCaptured}, QIWI ${bill?.minor}`);
          break;
        }
        default:
          problems.push(`${where}: unexpected bill status ${billStatus}`);
      }
      // Refunds: the same set on both sides, each once; none pending; within what was captured.
      if (p.amountRefunded !== refundedAtQiwi)
        problems.push(`${where}: Payrail refunded ${p.amountRefunded}, QIWI ${refundedAtQiwi}`);
      if (p.amountRefunded + p.amountRefundPending > p.amountCaptured)
        problems.push(`${where}: refunded ${p.amountRefunded} + pending ${p.amountRefundPending} > captured`);
      if (p.amountRefundPending !== 0) problems.push(`${where}: ${p.amountRefundPending} still pending`);
      for (const r of refunds) {
        const qiwiAmount = atQiwi.get(r.id);
        if (r.status === 'succeeded' && qiwiAmount !== r.amount)
          problems.push(`${where}: refund ${r.id} succeeded in Payrail, QIWI has ${qiwiAmount ?? 'nothing'}`);
        if (r.status !== 'succeeded' && qiwiAmount !== undefined)
          problems.push(`${where}: refund ${r.id} ${r.status} in Payrail, QIWI refunded ${qiwiAmount}`);
      }
      for (const refundId of atQiwi.keys())
        if (!refunds.some((r) => r.id === refundId))
          problems.push(`${where}: QIWI refund ${refundId} unknown to Payrail`);

      // Ledger: balanced postings, one capture at most, one posting per succeeded refund.
      const entries = await t.store.ledger.listByPayment({ paymentId: p.id });
      const postings = new Map<string, { sum: number; clearing: number; refundId: string | null }>();
      for (const e of entries) {
        const posting = postings.get(e.postingId) ?? { sum: 0, clearing: 0, refundId: e.refundId ?? null };
        posting.sum += e.amount;
        if (e.account === 'provider_clearing') posting.clearing += e.amount;
        postings.set(e.postingId, posting);
      }
      const captures = [...postings.values()].filter((x) => x.clearing > 0);
      const refundPostings = [...postings.values()].filter((x) => x.clearing < 0);
      for (const [postingId, x] of postings)
        if (x.sum !== 0) problems.push(`${where}: posting ${postingId} sums to ${x.sum}`);
      if (captures.length > 1) problems.push(`${where}: captured ${captures.length} times in the ledger`);
      if (captures.length !== (p.amountCaptured > 0 ? 1 : 0))
        problems.push(`${where}: ${captures.length} capture postings for captured ${p.amountCaptured}`);
      const refundIds = refundPostings.map((x) => x.refundId);
      if (new Set(refundIds).size !== refundIds.length) problems.push(`${where}: a refund booked twice`);
      if (refundIds.length !== refunds.filter((r) => r.status === 'succeeded').length)
        problems.push(`${where}: ${refundIds.length} refund postings`);
      const clearing = [...postings.values()].reduce((a, x) => a + x.clearing, 0);
      if (clearing !== p.amountCaptured - p.amountRefunded)
        problems.push(`${where}: provider_clearing ${clearing} ≠ captured − refunded`);
    }
    // One payment per idempotency key: nothing created twice by the retries.
    let stored = 0;
    for (let startingAfter: string | undefined; ; ) {
      const page = await t.store.payments.list({
        merchantId: m.id,
        mode: 'test',
        limit: 100,
        ...(startingAfter ? { startingAfter } : {}),
      });
      stored += page.data.length;
      if (!page.hasMore) break;
      startingAfter = page.data.at(-1)?.id;
    }
    if (stored !== PAYMENTS) problems.push(`${stored} payments for ${PAYMENTS} keys`);
    const balances = await t.store.ledger.balances({ merchantId: m.id, mode: 'test' });
    const total = balances.reduce((a, b) => a + b.amount, 0);
    if (total !== 0) problems.push(`merchant ledger sums to ${total}`);

    const counts = proxy.counts();
    console.info(
      `provider-faults: ${driven} provider calls while driving, ${proxy.log.length} in all; faults ${JSON.stringify(counts)}; ` +
        `client ${JSON.stringify(seen)}; QIWI bills ${JSON.stringify(finals)}; jobs ${rounds.join(' | ')}`,
    );
    expect(problems).toEqual([]);
    expect(quiet, `not quiet after ${round} job rounds: ${rounds.join(' | ')}`).toBe(true);
    // The run exercised what it claims to.
    for (const fault of FAULTS) expect(counts[fault], fault).toBeGreaterThan(0);
    expect(finals.PAID).toBeGreaterThan(0);
    expect(finals.REJECTED).toBeGreaterThan(0);
    expect(state.some((s) => s.payment.amountRefunded > 0)).toBe(true);
    expect(seen.retries).toBeGreaterThan(0);
  });
});
