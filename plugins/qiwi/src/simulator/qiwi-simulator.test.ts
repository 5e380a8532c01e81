import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { silentLogger } from '@payrail/core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { qiwiWebhooks } from '../webhooks';
import { QiwiSimulator } from './qiwi-simulator';

/** The simulator's buyer actions and notification delivery, checked by the plugin's own parser. */
const SITE = 'site-sim';
const SECRET = 'sim-secret-not-real';
const received: { headers: Record<string, string>; body: Buffer }[] = [];
let server: Server;
let hookUrl: string;
let now = new Date('2026-03-01T10:00:00Z');

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ headers: req.headers as Record<string, string>, body: Buffer.concat(chunks) });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"error":"0"}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  hookUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/qiwi/default`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
beforeEach(() => {
  received.length = 0;
});

const sim = new QiwiSimulator({
  siteId: SITE,
  secretKey: SECRET,
  payFormUrl: 'http://localhost:3000/_sim/qiwi/form',
  now: () => now,
});
const webhooks = qiwiWebhooks({ siteId: SITE, secretKey: SECRET, logger: silentLogger });

async function createBill(billId: string, expires = '2026-03-01T13:45:00+03:00') {
  const response = await sim.handleApi(
    new Request(`http://sim/partner/bill/v1/bills/${billId}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${SECRET}`, 'content-type': 'application/json' },
      body: JSON.stringify({ amount: { currency: 'RUB', value: '100.50' }, expirationDateTime: expires }),
    }),
  );
  expect(response?.status).toBe(200);
  return (await response!.json()) as { payUrl: string; status: { value: string } };
}

describe('QIWI simulator', () => {
  it('issues bills whose payUrl is its pay form; other paths are not its business', async () => {
    const bill = await createBill('bill-1');
    expect(bill.payUrl).toBe('http://localhost:3000/_sim/qiwi/form?invoice_uid=bill-1');
    expect(bill.status.value).toBe('WAITING');
    expect(await sim.handleApi(new Request('http://sim/other'))).toBeUndefined();
    const unauthorised = await sim.handleApi(new Request('http://sim/partner/bill/v1/bills/bill-1'));
    expect(unauthorised?.status).toBe(401);
    expect(await unauthorised?.json()).toMatchObject({ errorCode: 'auth.unauthorized' });
  });

  it('pay: PAID, and a notification the plugin verifies, POSTed to the notification URL', async () => {
    const local = new QiwiSimulator({
      siteId: SITE,
      secretKey: SECRET,
      notificationUrl: hookUrl,
      now: () => now,
    });
    await expect(local.pay('unknown')).rejects.toThrow(/no bill/);
    await local.handleApi(
      new Request('http://sim/partner/bill/v1/bills/bill-2', {
        method: 'PUT',
        headers: { authorization: `Bearer ${SECRET}` },
        body: JSON.stringify({
          amount: { currency: 'RUB', value: '100.50' },
          expirationDateTime: '2026-03-01T13:45:00+03:00',
        }),
      }),
    );
    const paid = await local.pay('bill-2');
    expect(paid).toMatchObject({ status: 'PAID', delivery: { statusCode: 200, body: '{"error":"0"}' } });
    const n = received.at(-1)!;
    expect(n.headers['x-api-signature-sha256']).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.parse(n.body.toString())).toMatchObject({
      bill: {
        siteId: SITE,
        billId: 'bill-2',
        amount: { value: '100.50', currency: 'RUB' },
        status: { value: 'PAID' },
      },
      version: '1',
    });
    const parsed = await webhooks.parse({ headers: n.headers, rawBody: n.body, query: {} });
    expect(parsed).toMatchObject({
      type: 'payment',
      notification: {
        paymentId: 'bill-2',
        amount: { amount: 10_050, currency: 'RUB' },
        outcome: { status: 'succeeded' },
      },
    });
    // Signed with another key, the same notification is refused by the plugin.
    const forged = local.notification('bill-2', 'guess');
    await expect(webhooks.parse(forged)).rejects.toMatchObject({ code: 'PAYRAIL_ERR_WEBHOOK_SIGNATURE' });
  });

  it('decline: REJECTED, notified; a bill past its expiry cannot be paid (EXPIRED, notified)', async () => {
    const local = new QiwiSimulator({
      siteId: SITE,
      secretKey: SECRET,
      notificationUrl: hookUrl,
      now: () => now,
    });
    const put = (billId: string, expires: string) =>
      local.handleApi(
        new Request(`http://sim/partner/bill/v1/bills/${billId}`, {
          method: 'PUT',
          headers: { authorization: `Bearer ${SECRET}` },
          body: JSON.stringify({ amount: { currency: 'RUB', value: '1.00' }, expirationDateTime: expires }),
        }),
      );
    await put('bill-3', '2026-03-01T13:45:00+03:00');
    expect(await local.decline('bill-3')).toMatchObject({
      status: 'REJECTED',
      delivery: { statusCode: 200 },
    });
    const rejected = await webhooks.parse({
      headers: received[0]!.headers,
      rawBody: received[0]!.body,
      query: {},
    });
    expect(rejected).toMatchObject({ notification: { outcome: { status: 'canceled' } } });

    await put('bill-4', '2026-03-01T13:45:00+03:00');
    now = new Date('2026-03-01T11:00:00Z'); // 14:00 in Moscow: past the expiry
    expect(await local.pay('bill-4')).toMatchObject({ status: 'EXPIRED' });
    const expired = await webhooks.parse({
      headers: received[1]!.headers,
      rawBody: received[1]!.body,
      query: {},
    });
    expect(expired).toMatchObject({ notification: { outcome: { status: 'canceled' } } });
    // A final bill does not change again.
    expect(await local.pay('bill-4')).toEqual({ status: 'EXPIRED', delivery: null });
  });
});
