import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createUndiciHttpClient } from '@payrail/core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildPaymentFormFields } from '../form';
import { parseNotification } from '../notification';
import { type ResolvedWebMoneyOptions, webmoneyOptionsSchema } from '../options';
import { paymentNumberFor } from '../payment-number';
import { queryX18 } from '../x18';
import { WebMoneySimulator } from './webmoney-simulator';

/** The simulator against the plugin's own form builder and parser, over real loopback HTTP. */
const SECRET = 'sim-secret-not-real';
const PURSE = 'Z123428476799';
const received: string[] = [];
let answer = 'YES';
let resultServer: Server;
let resultUrl: string;

beforeAll(async () => {
  resultServer = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push(Buffer.concat(chunks).toString('utf8'));
      res.writeHead(200, { 'content-type': 'text/plain' }).end(answer);
    });
  });
  await new Promise<void>((resolve) => resultServer.listen(0, '127.0.0.1', resolve));
  resultUrl = `http://127.0.0.1:${(resultServer.address() as AddressInfo).port}/hooks/webmoney/default`;
});
afterAll(() => new Promise<void>((resolve) => resultServer.close(() => resolve())));
beforeEach(() => {
  received.length = 0;
  answer = 'YES';
});

const options = (over: object = {}): ResolvedWebMoneyOptions =>
  webmoneyOptionsSchema.parse({ purses: { USD: PURSE }, secretKey: SECRET, testMode: true, ...over });

const form = (o: ResolvedWebMoneyOptions, id = 'pay_01JSIMULATED00000000000001', amount = 1465) =>
  buildPaymentFormFields(o, {
    payment: { id, amount, currency: 'USD', orderId: '7', description: 'Заказ 7' },
    resultUrl,
    returnUrl: 'https://shop.test/return',
  });

function open(sim: WebMoneySimulator, fields: Record<string, string>) {
  const opened = sim.openForm(fields);
  if (!opened.ok) throw new Error(opened.error);
  return opened.session;
}

describe('WebMoney simulator', () => {
  it('pays: the pre-request, then a notification whose LMI_HASH and LMI_HASH2 the plugin verifies', async () => {
    const o = options();
    const sim = new WebMoneySimulator({ secretKey: SECRET, purses: [PURSE] });
    const session = open(sim, form(o));
    expect(session).toMatchObject({ amount: '14.65', currency: 'USD', description: 'Заказ 7' });
    const result = await sim.pay(session.id);
    expect(result.outcome).toBe('paid');
    expect(received).toHaveLength(2);
    const pre = parseNotification(Buffer.from(received[0]!), o);
    expect(pre).toEqual({
      type: 'verify',
      check: { paymentId: 'pay_01JSIMULATED00000000000001', amount: { amount: 1465, currency: 'USD' } },
    });
    expect(new URLSearchParams(received[0]).has('LMI_HASH')).toBe(false);
    const fields = new URLSearchParams(received[1]);
    expect(fields.get('LMI_HASH')).toMatch(/^[0-9A-F]{64}$/);
    expect(fields.get('LMI_HASH2')).toMatch(/^[0-9A-F]{64}$/);
    expect(fields.get('LMI_SYS_TRANS_DATE')).toMatch(/^\d{8} \d{2}:\d{2}:\d{2}$/);
    const paid = parseNotification(Buffer.from(received[1]!), options({ hash2: 'required' }));
    expect(paid).toMatchObject({
      type: 'payment',
      notification: { amount: { amount: 1465, currency: 'USD' }, outcome: { status: 'succeeded' } },
    });
    // The buyer goes back with LMI_SUCCESS_METHOD (LINK by default: no fields).
    expect(result.redirect).toEqual({ url: 'https://shop.test/return', method: 'LINK', fields: {} });
    // The same order cannot be paid twice.
    expect(sim.openForm(form(o))).toMatchObject({ ok: false, error: /already paid/ });
  });

  it('signs with MD5 when the purse says so; a wrong key fails verification', async () => {
    const sim = new WebMoneySimulator({ secretKey: SECRET, hashMethod: 'MD5' });
    await sim.pay(open(sim, form(options(), 'pay_01JSIMULATED00000000000002')).id);
    expect(new URLSearchParams(received[1]).get('LMI_HASH')).toMatch(/^[0-9A-F]{32}$/);
    expect(parseNotification(Buffer.from(received[1]!), options({ hashMethod: 'MD5' })).type).toBe('payment');
    const session = [...sim.sessions.values()][0]!;
    const forged = new URLSearchParams(sim.notificationFields(session, 'guess')).toString();
    expect(() => parseNotification(Buffer.from(forged), options({ hashMethod: 'MD5' }))).toThrow(
      expect.objectContaining({ code: 'PAYRAIL_ERR_WEBHOOK_SIGNATURE' }),
    );
  });

  it('a pre-request not answered YES stops the payment: no notification', async () => {
    answer = 'NO PAYRAIL_ERR_WEBHOOK_MISMATCH: …';
    const sim = new WebMoneySimulator({ secretKey: SECRET });
    const result = await sim.pay(open(sim, form(options(), 'pay_01JSIMULATED00000000000003')).id);
    expect(result.outcome).toBe('refused');
    expect(received).toHaveLength(1);
  });

  it('LMI_SIM_MODE=1 fails every test payment, sends nothing and returns to the fail URL', async () => {
    const sim = new WebMoneySimulator({ secretKey: SECRET });
    const fields = form(options({ simMode: 1, returnMethod: 'POST' }), 'pay_01JSIMULATED00000000000004');
    const result = await sim.pay(open(sim, fields).id);
    expect(result.outcome).toBe('failed');
    expect(received).toHaveLength(0);
    expect(result.redirect).toMatchObject({
      method: 'POST',
      fields: { LMI_PAYMENT_NO: fields.LMI_PAYMENT_NO },
    });
  });

  it('refuses forms the protocol does not allow', () => {
    const sim = new WebMoneySimulator({ secretKey: SECRET, purses: [PURSE] });
    const good = form(options());
    const bads: Record<string, string>[] = [
      { LMI_PAYEE_PURSE: 'Z1234' },
      { LMI_PAYEE_PURSE: 'Z000000000000' },
      { LMI_PAYMENT_AMOUNT: '14,65' },
      { LMI_PAYMENT_AMOUNT: '0.00' },
      { LMI_PAYMENT_NO: 'A1' },
      { LMI_RESULT_URL: 'javascript:alert(1)' },
    ];
    for (const bad of bads) {
      expect(sim.openForm({ ...good, ...bad }).ok).toBe(false);
    }
  });

  it('answers X18 for paid orders (retval 0) and not for others (retval 7); a bad signature is refused', async () => {
    const WMID = '811333344777';
    const sim = new WebMoneySimulator({ secretKey: SECRET, x18: { wmid: WMID } });
    const id = 'pay_01JSIMULATED00000000000005';
    const paymentNo = paymentNumberFor(id);
    const http = createUndiciHttpClient({ timeoutMs: 5_000 });
    const server = createServer(async (req, res) => {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      const response = await sim.handleX18(
        new Request(`http://x${req.url}`, { method: 'POST', body: Buffer.concat(chunks) }),
      );
      res.writeHead(response?.status ?? 404, Object.fromEntries(response?.headers ?? []));
      res.end(response ? await response.text() : '');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/conf/xml/XMLTransGet.asp`;
    const q = {
      url,
      wmid: WMID,
      purse: PURSE,
      paymentNo,
      secretKey: SECRET,
      hashMethod: 'SHA256' as const,
      timeoutMs: 5_000,
    };
    try {
      expect(await queryX18(http, q)).toMatchObject({ found: false, retval: '7' });
      const session = open(sim, form(options(), id));
      await sim.pay(session.id);
      expect(await queryX18(http, { ...q, hashMethod: 'MD5' })).toEqual({
        found: true,
        amount: '14.65',
        wmTransId: session.transNo,
        wmInvoiceId: session.invsNo,
        operDate: session.transDate,
      });
      expect(await queryX18(http, { ...q, secretKey: 'wrong' })).toMatchObject({
        found: false,
        retval: '-4',
      });
    } finally {
      await http.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
