import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import {
  createPluginRegistry,
  createUndiciHttpClient,
  DEFAULT_TARIFF,
  type Mode,
  newId,
  Orchestrator,
  systemClock,
} from '@payrail/core';
import { CardVault, cards, VaultKeyRing } from '@payrail/plugin-cards';
import { createPostgresStore, type PostgresStore } from '@payrail/store-postgres';
import { createTestDatabase, type TestDatabase } from '@payrail/store-postgres/testing';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app/build-app';
import { generateApiKey } from '../src/auth/api-keys';
import { loggerOptions } from '../src/http/logging';
import { type ApiResponse, inject, PUBLIC_URL } from './helpers/test-app';
import { distinctivePan } from './helpers/test-cards';

/**
 * The PCI canary (issue 3): pay with one distinctive PAN and CVC through every card flow, then read
 * every table of the database, every log line (server and plugins, at trace level) and every API
 * response. The PAN may exist only as vault ciphertext; the CVC nowhere at all.
 */
describe('card data canary: the PAN only as ciphertext, the CVC nowhere', () => {
  // A Luhn-valid 16-digit Visa number no other test uses.
  const PAN = distinctivePan();
  // 3 digits (Visa); checked as a whole number after taking out ids, hex, base64 and timestamps.
  const CVC = '947';
  const logs: string[] = [];
  const responses: ApiResponse[] = [];
  let db: TestDatabase;
  let store: PostgresStore;
  let app: FastifyInstance;
  let http: ReturnType<typeof createUndiciHttpClient>;
  let vaultKey: Buffer;

  beforeAll(async () => {
    db = await createTestDatabase();
    store = createPostgresStore({ url: db.url, poolSize: 5 });
    await store.migrate();
    const stream = new Writable({
      write(chunk, _encoding, done) {
        logs.push(String(chunk));
        done();
      },
    });
    // One logger for the HTTP layer, the orchestrator and the plugins, at the most verbose level.
    const logger = pino({ ...(loggerOptions({ level: 'trace' }) as pino.LoggerOptions) }, stream);
    http = createUndiciHttpClient({ logger });
    const registry = await createPluginRegistry(
      [cards({ fingerprintKey: 'canary-fingerprint-key-0123456789abcdef' })],
      { logger, clock: systemClock, http, publicUrl: PUBLIC_URL },
    );
    const orchestrator = new Orchestrator({
      store,
      registry,
      clock: systemClock,
      logger,
      publicUrl: PUBLIC_URL,
    });
    vaultKey = randomBytes(32);
    const vault = new CardVault({
      keys: new VaultKeyRing([{ id: 'canary', key: vaultKey }]),
      storedCards: store.storedCards,
      fingerprintKey: 'canary-fingerprint-key-0123456789abcdef',
      clock: systemClock,
    });
    app = await buildApp(
      { store, registry, orchestrator, clock: systemClock, logger, vault },
      { publicUrl: PUBLIC_URL, logger: { level: 'trace', stream } },
    );
  });
  afterAll(async () => {
    await app?.close();
    await http?.close();
    await store?.close();
    await db?.drop();
  });

  async function call(method: 'GET' | 'POST' | 'DELETE', url: string, key?: string, body?: unknown) {
    const response = await inject(app, {
      method,
      url,
      headers: {
        ...(key ? { authorization: `Bearer ${key}` } : {}),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
    });
    responses.push(response);
    return response;
  }

  it('runs every card flow with the canary card, then finds it nowhere', async () => {
    const now = new Date();
    const merchantId = newId('merchant', now.getTime());
    const [test] = (['test'] as Mode[]).map((mode) => generateApiKey(merchantId, mode, now));
    await store.merchants.create({
      merchant: {
        id: merchantId,
        name: 'Canary',
        email: 'c@shop.test',
        tariff: DEFAULT_TARIFF,
        providerRoutes: {},
        createdAt: now,
      },
      apiKeys: [test!.record],
    });
    const key = test!.secret;
    const card = (number = PAN, extra: Record<string, unknown> = {}) => ({
      number,
      exp_month: 11,
      exp_year: now.getUTCFullYear() + 4,
      cvc: CVC,
      ...extra,
    });
    const create = async (body: Record<string, unknown> = {}) => {
      const r = await call('POST', '/v1/payments', key, {
        amount: 7300,
        currency: 'EUR',
        method: 'card',
        ...body,
      });
      expect(r.statusCode, r.rawBody).toBe(201);
      return r.body.id as string;
    };

    // One-stage, saving the card for a customer.
    const oneStage = await create({ customer: { id: 'cus_canary' } });
    expect(
      (await call('POST', `/pay/${oneStage}`, undefined, card(PAN, { save_card: true }))).body.status,
    ).toBe('succeeded');
    // Refunds: partial, then the rest.
    expect((await call('POST', `/v1/payments/${oneStage}/refunds`, key, { amount: 1000 })).body.status).toBe(
      'succeeded',
    );
    expect((await call('POST', `/v1/payments/${oneStage}/refunds`, key, {})).body.status).toBe('succeeded');

    // Two-stage: authorize, capture part; another authorized and voided.
    const twoStage = await create({ capture_method: 'manual' });
    expect((await call('POST', `/pay/${twoStage}`, undefined, card())).body.status).toBe('authorized');
    expect((await call('POST', `/v1/payments/${twoStage}/capture`, key, { amount: 5000 })).body.status).toBe(
      'succeeded',
    );
    const voided = await create({ capture_method: 'manual' });
    await call('POST', `/pay/${voided}`, undefined, card());
    expect((await call('POST', `/v1/payments/${voided}/cancel`, key, {})).body.status).toBe('canceled');

    // One-click: the saved card and the CVC alone.
    const saved = await call('GET', '/v1/customers/cus_canary/payment_methods', key);
    expect(saved.body.data).toHaveLength(1);
    const pm = saved.body.data[0].id as string;
    const oneClick = await create({ customer_id: 'cus_canary', payment_method: pm });
    expect((await call('GET', `/pay/${oneClick}`)).body.saved_card.last4).toBe(PAN.slice(-4));
    expect((await call('POST', `/pay/${oneClick}`, undefined, { cvc: CVC })).body.status).toBe('succeeded');

    // Declines, and errors that name the card fields.
    const declined = await create();
    expect(
      (await call('POST', `/pay/${declined}`, undefined, card('4000000000000002'))).body.decline.code,
    ).toBe('card_declined');
    const invalid = await create();
    expect((await call('POST', `/pay/${invalid}`, undefined, card(PAN, { cvc: `${CVC}1` }))).statusCode).toBe(
      400,
    );
    expect(
      (
        await call(
          'POST',
          `/pay/${invalid}`,
          undefined,
          card(`${PAN.slice(0, -1)}${(Number(PAN.at(-1)) + 1) % 10}`),
        )
      ).statusCode,
    ).toBe(400);
    expect((await call('POST', `/pay/${invalid}`, undefined, { ...card(), exp_year: 2001 })).statusCode).toBe(
      400,
    );
    expect((await call('POST', `/pay/${invalid}`, undefined, { ...card(), extra: PAN })).statusCode).toBe(
      400,
    );

    // Payer authentication: a wrong code, then the right one.
    const challenged = await create();
    expect((await call('POST', `/pay/${challenged}`, undefined, card('4000000000003220'))).body.status).toBe(
      'requires_action',
    );
    expect((await call('POST', `/pay/${challenged}/verify`, undefined, { code: '000000' })).statusCode).toBe(
      422,
    );
    expect((await call('POST', `/pay/${challenged}/verify`, undefined, { code: '123456' })).body.status).toBe(
      'succeeded',
    );

    // Outcome unknown: the acquirer times out, status sync settles it later.
    const timeout = await create();
    expect((await call('POST', `/pay/${timeout}`, undefined, card('4000000000000408'))).body.status).toBe(
      'processing',
    );

    // Everything the merchant can read.
    await call('GET', '/v1/events?limit=100', key);
    for (const id of [oneStage, twoStage, voided, oneClick, declined, challenged, timeout])
      await call('GET', `/v1/payments/${id}`, key);
    await call('GET', `/v1/payment_methods/${pm}`, key);

    // ── the dump ──
    const tables = await store.pool.query<{ name: string }>(
      `SELECT quote_ident(tablename) AS name FROM pg_tables WHERE schemaname = current_schema() ORDER BY 1`,
    );
    expect(tables.rows.map((r) => r.name)).toEqual(
      expect.arrayContaining(['payments', 'events', 'stored_cards']),
    );
    const dump: string[] = [];
    for (const { name } of tables.rows) {
      const rows = await store.pool.query<{ row: string }>(`SELECT to_jsonb(t)::text AS row FROM ${name} t`);
      for (const r of rows.rows) dump.push(`${name} ${r.row}`);
    }
    expect(dump.some((line) => line.startsWith('events '))).toBe(true);

    const apiText = responses.map((r) => `${r.statusCode} ${r.rawBody}`).join('\n');
    const everything = [dump.join('\n'), logs.join(''), apiText].join('\n');
    expect(logs.length).toBeGreaterThan(50);

    // The PAN: never in clear (digits, or spaced), anywhere.
    expect(everything.includes(PAN), 'PAN in clear').toBe(false);
    expect(everything.includes(PAN.replace(/(\d{4})(?=\d)/g, '$1 ')), 'spaced PAN').toBe(false);
    // …but it is in the vault, as ciphertext that opens to it.
    const stored = await store.storedCards.get({ merchantId, mode: 'test', id: pm });
    const vault = new CardVault({
      keys: new VaultKeyRing([{ id: 'canary', key: vaultKey }]),
      storedCards: store.storedCards,
      fingerprintKey: 'x'.repeat(32),
      clock: systemClock,
    });
    expect(vault.cardInput(stored!, '000').number).toBe(PAN);

    // The CVC: take out what is random or time (ids, hex, base64 ciphertext, timestamps, decimals);
    // then no number in what is left may be the CVC.
    const cleaned = everything
      .replace(/\b[a-z]+_[0-9A-Za-z]{20,}\b/g, '<id>')
      .replace(/\$argon2id\$[^"\s]+/g, '<argon2>')
      .replace(/\b[0-9a-f]{16,}\b/g, '<hex>')
      .replace(/[A-Za-z0-9_-]{40,}/g, '<base64>')
      .replace(/\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}(:?\d{2})?)?/g, '<time>')
      .replace(/\d+\.\d+/g, '<decimal>')
      .replace(/"(time|responseTime|pid)":\d+/g, '"$1":<n>');
    const hits = [...cleaned.matchAll(new RegExp(`(?<![\\d])${CVC}(?![\\d])`, 'g'))].map((m) =>
      cleaned.slice(Math.max(0, m.index - 80), m.index + 20),
    );
    expect(hits, 'CVC found').toEqual([]);
    expect(everything).not.toMatch(/"(cvc|cvv|cvv2|pan|card_number)"\s*:\s*"\d/i);
  });
});
