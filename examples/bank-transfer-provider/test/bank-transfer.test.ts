import { DEFAULT_TARIFF, newId, silentLogger } from '@payrail/core';
import { bootstrap, buildApp, generateApiKey, loadConfig } from '@payrail/server';
import { createEmbeddedTestStore } from '@payrail/store-postgres/testing';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bankTransfer, SIGNATURE_HEADER, signBankNotification } from '../src';

const SECRET = 'bank-webhook-secret-0123456789';
const PUBLIC_URL = 'http://payrail.test';

/** The example plugin registered in a real Payrail server (embedded store), driven over HTTP. */
describe('bank transfer example provider in a Payrail server', () => {
  let app: FastifyInstance;
  let close: () => Promise<void>;
  let auth: { authorization: string };

  beforeAll(async () => {
    const config = loadConfig({ PAYRAIL_PUBLIC_URL: PUBLIC_URL });
    const store = await createEmbeddedTestStore();
    const services = await bootstrap(config, silentLogger, {
      store,
      plugins: [bankTransfer({ webhookSecret: SECRET, iban: 'DE89370400440532013000' })],
    });
    app = await buildApp(services, { publicUrl: PUBLIC_URL, logger: false });
    close = async () => {
      await app.close();
      await services.close();
    };
    const now = new Date();
    const merchantId = newId('merchant', now.getTime());
    const key = generateApiKey(merchantId, 'test', now);
    await store.merchants.create({
      merchant: {
        id: merchantId,
        name: 'Example shop',
        email: 'shop@example.com',
        tariff: DEFAULT_TARIFF,
        providerRoutes: {},
        createdAt: now,
      },
      apiKeys: [key.record],
    });
    auth = { authorization: `Bearer ${key.secret}` };
  });
  afterAll(async () => {
    await close?.();
  });

  const createPayment = async (amount: number) => {
    const res = await app.inject({
      method: 'POST',
      url: '/v1/payments',
      headers: auth,
      payload: { amount, currency: 'EUR', method: 'bank_transfer' },
    });
    expect(res.statusCode).toBe(201);
    return res.json();
  };
  const notify = (body: object, signature?: string) => {
    const raw = JSON.stringify(body);
    return app.inject({
      method: 'POST',
      url: '/hooks/bank-transfer/default',
      headers: {
        'content-type': 'application/json',
        [SIGNATURE_HEADER]: signature ?? signBankNotification(SECRET, raw),
      },
      payload: raw,
    });
  };
  const status = async (id: string) =>
    (await app.inject({ method: 'GET', url: `/v1/payments/${id}`, headers: auth })).json().status;

  it('sends the buyer to the bank with the payment id as reference, then settles on the signed notification', async () => {
    const payment = await createPayment(12_345);
    expect(payment.status).toBe('requires_action');
    const next = new URL(payment.next_action.url);
    expect(next.searchParams.get('reference')).toBe(payment.id);
    expect(next.searchParams.get('amount')).toBe('123.45');

    const booked = {
      transfer_id: 'tr_1',
      reference: payment.id,
      amount: '123.45',
      currency: 'EUR',
      status: 'booked',
    };
    const res = await notify(booked);
    expect(res.statusCode).toBe(200);
    expect(res.body).toBe('{"ok":true}');
    expect(await status(payment.id)).toBe('succeeded');

    // The bank retries: the same notification again changes nothing and is still acknowledged.
    expect((await notify(booked)).statusCode).toBe(200);
    expect(await status(payment.id)).toBe('succeeded');
  });

  it('refuses a notification with a wrong signature, and one whose amount differs from the payment', async () => {
    const payment = await createPayment(5_000);
    const body = {
      transfer_id: 'tr_2',
      reference: payment.id,
      amount: '50.00',
      currency: 'EUR',
      status: 'booked',
    };
    const forged = await notify(body, signBankNotification('not-the-secret-0123456', JSON.stringify(body)));
    expect(forged.statusCode).toBe(400);
    expect(forged.json()).toEqual({ ok: false, code: 'PAYRAIL_ERR_WEBHOOK_SIGNATURE' });

    const short = await notify({ ...body, transfer_id: 'tr_3', amount: '5.00' });
    expect(short.statusCode).toBe(400);
    expect(await status(payment.id)).toBe('requires_action');
  });

  it('is refused at boot with a clear error when its options are wrong', async () => {
    const config = loadConfig({ PAYRAIL_PUBLIC_URL: PUBLIC_URL });
    const store = await createEmbeddedTestStore();
    await expect(
      bootstrap(config, silentLogger, {
        store,
        plugins: [bankTransfer({ webhookSecret: 'short', iban: 'x' })],
      }),
    ).rejects.toMatchObject({ code: expect.stringMatching(/^PAYRAIL_ERR_PLUGIN/) });
  });
});
