import type { Store } from '@payrail/core';
import type { MongoStore } from '@payrail/store-mongodb';
import type { PostgresStore } from '@payrail/store-postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AccountsTestApp, createAccountsTestApp, pspStaff } from './accounts/helpers';
import { type ApiClient, type ApiResponse, cardPayload, inject, type StoreKind } from './helpers/test-app';

// Luhn-valid Visa numbers: three in the issuer's range 41234500–41234599, one just outside it.
const ENROLLED = '4123450000000019';
const NOT_ENROLLED = '4123450000000027';
const SECOND = '4123459900000003';
const OUTSIDE = '4123460000000000';
const SANDBOX_CARD = '4000000000003220';

const card = (number: string) => ({ number, exp_month: 12, exp_year: new Date().getUTCFullYear() + 3 });

/** Every row of every table (PostgreSQL, PGlite) or document of every collection (MongoDB), as text. */
async function databaseText(store: Store): Promise<string> {
  const parts: string[] = [];
  if (store.kind === 'mongodb') {
    const mongo = store as MongoStore;
    const db = mongo.client.db(mongo.dbName);
    for (const { name } of await db.listCollections().toArray()) {
      parts.push(JSON.stringify(await db.collection(name).find().toArray()));
    }
    return parts.join('\n');
  }
  const { pool } = store as PostgresStore;
  const { rows } = await pool.query<{ name: string }>(
    `SELECT quote_ident(tablename) AS name FROM pg_tables WHERE schemaname = current_schema()`,
  );
  for (const { name } of rows) {
    const result = await pool.query<{ row: string }>(`SELECT row_to_json(t)::text AS row FROM ${name} t`);
    parts.push(...result.rows.map((r) => r.row));
  }
  return parts.join('\n');
}

interface IssuerClient extends ApiClient {
  delete(url: string): Promise<ApiResponse>;
}

/**
 * The issuer side of payer authentication, end to end: PSP staff create issuers, an issuer registers a
 * range and enrols a card, a merchant's buyer pays with it on the payment page and answers the challenge,
 * and the issuer reads its statistics. Each store kind runs the same flow.
 */
describe.each<StoreKind>(['pglite', 'postgres', 'mongodb'])('issuer service on %s', (storeKind) => {
  let t: AccountsTestApp;
  let bank: { id: string; test: IssuerClient; live: IssuerClient };
  let rival: { id: string; test: IssuerClient };

  const issuerClient = (key: string): IssuerClient => ({
    ...t.client(key),
    delete: (url) => inject(t.app, { method: 'DELETE', url, headers: { authorization: `Bearer ${key}` } }),
  });

  beforeAll(async () => {
    t = await createAccountsTestApp({}, undefined, storeKind);
    const admin = await pspStaff(t, 'admin');
    const created = [];
    for (const name of ['First Bank', 'Rival Bank']) {
      const response = await admin.browser.post('/v1/backoffice/issuers', { name });
      expect(response.statusCode, response.rawBody).toBe(201);
      expect(response.body.keys.test).toMatch(/^ik_test_[0-9A-Za-z]{32}$/);
      expect(response.body.keys.live).toMatch(/^ik_live_[0-9A-Za-z]{32}$/);
      created.push(response.body);
    }
    bank = {
      id: created[0].issuer.id,
      test: issuerClient(created[0].keys.test),
      live: issuerClient(created[0].keys.live),
    };
    rival = { id: created[1].issuer.id, test: issuerClient(created[1].keys.test) };
  });
  afterAll(async () => {
    await t?.close();
  });

  async function pay(number: string) {
    const merchant = await t.createMerchant();
    const created = await merchant.test.post('/v1/payments', {
      amount: 2500,
      currency: 'EUR',
      method: 'card',
    });
    const id = created.body.id as string;
    const paid = await t.anonymous.post(`/pay/${id}`, cardPayload(number));
    expect(paid.statusCode, paid.rawBody).toBe(200);
    return { id, paid, merchant };
  }

  const verify = (id: string, code: string) => t.anonymous.post(`/pay/${id}/verify`, { code });

  it('only PSP staff with issuers:manage create issuers; bad names are field errors', async () => {
    const support = await pspStaff(t, 'support');
    const refused = await support.browser.post('/v1/backoffice/issuers', { name: 'Sneaky Bank' });
    expect(refused.statusCode).toBe(403);
    expect(refused.body.error.code).toBe('PAYRAIL_ERR_FORBIDDEN');
    const admin = await pspStaff(t, 'admin');
    const blank = await admin.browser.post('/v1/backoffice/issuers', { name: '  ' });
    expect(blank.statusCode).toBe(400);
    expect(blank.body.error).toMatchObject({ code: 'PAYRAIL_ERR_VALIDATION', param: 'name' });
    expect((await t.anonymous.post('/v1/backoffice/issuers', { name: 'X' })).statusCode).toBe(401);
  });

  it('registers ranges; overlaps with another issuer (or the sandbox card) are refused', async () => {
    const added = await bank.test.post('/v1/issuer/ranges', { first: '41234500', last: '41234599' });
    expect(added.statusCode, added.rawBody).toBe(201);
    expect(added.body).toMatchObject({
      object: 'iin_range',
      livemode: false,
      first: '41234500',
      last: '41234599',
    });
    expect(added.body.id).toMatch(/^iin_/);

    const listed = await bank.test.get('/v1/issuer/ranges');
    expect(listed.body.data.map((r: { id: string }) => r.id)).toEqual([added.body.id]);
    // Ranges are per mode: the live key sees none.
    expect((await bank.live.get('/v1/issuer/ranges')).body.data).toEqual([]);

    // A shorter prefix of the rival covers the bank's range: refused.
    const overlap = await rival.test.post('/v1/issuer/ranges', { first: '412345', last: '412345' });
    expect(overlap.statusCode).toBe(409);
    expect(overlap.body.error).toMatchObject({
      code: 'PAYRAIL_ERR_IIN_RANGE_OVERLAP',
      details: { conflicting_first: '41234500', conflicting_last: '41234599' },
    });
    const sandbox = await rival.test.post('/v1/issuer/ranges', { first: '400000', last: '400000' });
    expect(sandbox.statusCode).toBe(409);
    expect(sandbox.body.error.code).toBe('PAYRAIL_ERR_IIN_RANGE_OVERLAP');
    // Field-level validation.
    for (const [body, param] of [
      [{ first: '4123', last: '4124' }, 'first'],
      [{ first: '41234600', last: '412346' }, 'last'],
      [{ first: '41234699', last: '41234600' }, 'last'],
      [{ first: '41234600' }, 'last'],
    ] as const) {
      const bad = await rival.test.post('/v1/issuer/ranges', body);
      expect(bad.statusCode, JSON.stringify(body)).toBe(400);
      expect(bad.body.error).toMatchObject({ code: 'PAYRAIL_ERR_VALIDATION', param });
    }
    expect((await rival.test.get('/v1/issuer/ranges')).body.data).toEqual([]);
  });

  let enrolmentId: string;

  it('enrols a card: PAN sealed in the vault, code as argon2id, only brand/first6/last4 shown', async () => {
    const enrolled = await bank.test.post('/v1/issuer/enrolments', { card: card(ENROLLED), code: '2468' });
    expect(enrolled.statusCode, enrolled.rawBody).toBe(201);
    expect(enrolled.body).toMatchObject({
      object: 'enrolment',
      livemode: false,
      card: { brand: 'visa', first6: '412345', last4: '0019' },
    });
    expect(enrolled.rawBody).not.toContain(ENROLLED);
    expect(enrolled.rawBody).not.toContain('argon2');
    enrolmentId = enrolled.body.id;
    expect(enrolmentId).toMatch(/^enr_/);

    const stored = await t.store.issuers.getEnrolment({ issuerId: bank.id, mode: 'test', id: enrolmentId });
    expect(stored?.codeHash).toMatch(/^\$argon2id\$/);
    expect(stored?.panCiphertext).not.toContain(ENROLLED);
    expect(t.services.vault?.fingerprintOf(ENROLLED)).toBe(stored?.fingerprint);

    const again = await bank.test.post('/v1/issuer/enrolments', { card: card(ENROLLED), code: '1111' });
    expect(again.statusCode).toBe(409);
    expect(again.body.error).toMatchObject({
      code: 'PAYRAIL_ERR_CARD_ALREADY_ENROLLED',
      details: { enrolment_id: enrolmentId },
    });
    const outside = await bank.test.post('/v1/issuer/enrolments', { card: card(OUTSIDE), code: '1111' });
    expect(outside.statusCode).toBe(422);
    expect(outside.body.error).toMatchObject({ code: 'PAYRAIL_ERR_CARD_NOT_IN_RANGE', param: 'card.number' });
    // The live key has no range for it: the modes do not mix.
    const live = await bank.live.post('/v1/issuer/enrolments', { card: card(SECOND), code: '1111' });
    expect(live.body.error.code).toBe('PAYRAIL_ERR_CARD_NOT_IN_RANGE');

    for (const [body, param] of [
      [{ card: card(SECOND), code: '123' }, 'code'],
      [{ card: card(SECOND), code: '1234567890123' }, 'code'],
      [{ card: card(SECOND), code: 'abcd' }, 'code'],
      [{ card: card('4123450000000010'), code: '1234' }, 'card.number'],
      [{ card: { ...card(SECOND), exp_year: 2001 }, code: '1234' }, 'card.exp_year'],
      [{ card: { number: SECOND, exp_year: 2040 }, code: '1234' }, 'card.exp_month'],
      [{ code: '1234' }, 'card'],
    ] as const) {
      const bad = await bank.test.post('/v1/issuer/enrolments', body);
      expect(bad.statusCode, JSON.stringify(body)).toBe(400);
      expect(bad.body.error.param, JSON.stringify(body)).toBe(param);
    }
  });

  it('a buyer paying with the enrolled card is challenged: two wrong codes, then the right one', async () => {
    const { id, paid, merchant } = await pay(ENROLLED);
    expect(paid.body).toMatchObject({ status: 'requires_action', next_action: { type: 'redirect' } });
    for (const left of [2, 1]) {
      const wrong = await verify(id, '1357');
      expect(wrong.statusCode).toBe(422);
      expect(wrong.body.error).toMatchObject({
        code: 'PAYRAIL_ERR_VERIFICATION_CODE_WRONG',
        details: { attempts_left: left },
      });
    }
    const right = await verify(id, '2468');
    expect(right.statusCode, right.rawBody).toBe(200);
    expect(right.body.status).toBe('succeeded');
    const view = await merchant.test.get(`/v1/payments/${id}`);
    expect(view.body).toMatchObject({
      status: 'succeeded',
      card: { last4: '0019', authentication: 'authenticated' },
    });

    const stats = await bank.test.get('/v1/issuer/statistics');
    expect(stats.body).toEqual({
      object: 'issuer_statistics',
      livemode: false,
      challenges: 1,
      successes: 1,
      failures: 0,
    });
    // Another issuer's (and the live mode's) counters are their own.
    expect((await rival.test.get('/v1/issuer/statistics')).body).toMatchObject({ challenges: 0 });
    expect((await bank.live.get('/v1/issuer/statistics')).body).toMatchObject({
      livemode: true,
      challenges: 0,
    });
  });

  it('three wrong codes fail the payment with authentication_failed and count a failure', async () => {
    const { id, merchant } = await pay(ENROLLED);
    await verify(id, '0000');
    await verify(id, '0000');
    const third = await verify(id, '0000');
    expect(third.body).toMatchObject({ status: 'failed', decline: { code: 'authentication_failed' } });
    expect((await merchant.test.get(`/v1/payments/${id}`)).body.card.authentication).toBe('failed');
    expect((await bank.test.get('/v1/issuer/statistics')).body).toMatchObject({
      challenges: 2,
      successes: 1,
      failures: 1,
    });
  });

  it('a card in the range that is not enrolled is an attempted authentication', async () => {
    const { id, paid, merchant } = await pay(NOT_ENROLLED);
    expect(paid.body.status).toBe('succeeded');
    expect((await merchant.test.get(`/v1/payments/${id}`)).body.card.authentication).toBe('attempted');
  });

  it('the enrolled PAN is nowhere in the database in clear', async () => {
    const text = await databaseText(t.store);
    expect(text).toContain(enrolmentId);
    expect(text).not.toContain(ENROLLED);
  });

  it('a reset code replaces the old one', async () => {
    const reset = await bank.test.post(`/v1/issuer/enrolments/${enrolmentId}/code`, { code: '97531' });
    expect(reset.statusCode, reset.rawBody).toBe(200);
    expect(reset.body).toMatchObject({ id: enrolmentId, card: { last4: '0019' } });
    const bad = await bank.test.post(`/v1/issuer/enrolments/${enrolmentId}/code`, { code: '12' });
    expect(bad.body.error).toMatchObject({ code: 'PAYRAIL_ERR_VALIDATION', param: 'code' });

    const { id } = await pay(ENROLLED);
    expect((await verify(id, '2468')).body.error.details).toEqual({ attempts_left: 2 });
    expect((await verify(id, '97531')).body.status).toBe('succeeded');
  });

  it("keeps issuers apart: another issuer's objects are 404, merchant keys are 403", async () => {
    const url = `/v1/issuer/enrolments/${enrolmentId}`;
    for (const response of [
      await rival.test.get(url),
      await rival.test.post(`${url}/code`, { code: '1111' }),
      await rival.test.delete(url),
      await bank.live.get(url),
      await bank.test.get('/v1/issuer/enrolments/enr_nope'),
    ]) {
      expect(response.statusCode, response.rawBody).toBe(404);
      expect(response.body.error.code).toBe('PAYRAIL_ERR_NOT_FOUND');
    }
    const [range] = (await bank.test.get('/v1/issuer/ranges')).body.data;
    expect((await rival.test.delete(`/v1/issuer/ranges/${range.id}`)).statusCode).toBe(404);
    expect((await bank.test.get(url)).statusCode).toBe(200);

    const merchant = await t.createMerchant();
    const asMerchant = await merchant.test.get('/v1/issuer/ranges');
    expect(asMerchant.statusCode).toBe(403);
    expect(asMerchant.body.error.code).toBe('PAYRAIL_ERR_ISSUER_KEY_REQUIRED');
    expect((await t.anonymous.get('/v1/issuer/statistics')).body.error.code).toBe('PAYRAIL_ERR_AUTH_MISSING');
    const forged = await t.client(`ik_test_${'A'.repeat(32)}`).get('/v1/issuer/ranges');
    expect(forged.statusCode).toBe(401);
    // An issuer key is no merchant key either.
    expect((await bank.test.get('/v1/payments')).statusCode).toBe(401);
  });

  it('unenrolling makes the card attempted; deleting the range makes it not_enrolled', async () => {
    const removed = await bank.test.delete(`/v1/issuer/enrolments/${enrolmentId}`);
    expect(removed.body).toEqual({ id: enrolmentId, object: 'enrolment', deleted: true });
    expect((await bank.test.delete(`/v1/issuer/enrolments/${enrolmentId}`)).statusCode).toBe(404);
    const stored = await t.store.issuers.findEnrolment({
      issuerId: bank.id,
      mode: 'test',
      fingerprint: t.services.vault!.fingerprintOf(ENROLLED),
    });
    expect(stored).toBeNull();

    const attempted = await pay(ENROLLED);
    expect(attempted.paid.body.status).toBe('succeeded');
    expect((await attempted.merchant.test.get(`/v1/payments/${attempted.id}`)).body.card.authentication).toBe(
      'attempted',
    );

    const [range] = (await bank.test.get('/v1/issuer/ranges')).body.data;
    expect((await bank.test.delete(`/v1/issuer/ranges/${range.id}`)).body).toMatchObject({ deleted: true });
    const plain = await pay(ENROLLED);
    expect((await plain.merchant.test.get(`/v1/payments/${plain.id}`)).body.card.authentication).toBe(
      'not_enrolled',
    );
    // The range is free again for another issuer.
    expect((await rival.test.post('/v1/issuer/ranges', { first: '412345', last: '412345' })).statusCode).toBe(
      201,
    );
  });

  it('documents the issuer API in the OpenAPI document', async () => {
    const doc = (await t.anonymous.get('/openapi.json')).body;
    for (const path of [
      '/v1/issuer/ranges',
      '/v1/issuer/ranges/{id}',
      '/v1/issuer/enrolments',
      '/v1/issuer/enrolments/{id}',
      '/v1/issuer/enrolments/{id}/code',
      '/v1/issuer/statistics',
    ]) {
      expect(doc.paths, path).toHaveProperty([path]);
    }
  });

  it('the sandbox issuer still challenges 4000000000003220 with 123456', async () => {
    const { id, paid } = await pay(SANDBOX_CARD);
    expect(paid.body.status).toBe('requires_action');
    expect((await verify(id, '123456')).body.status).toBe('succeeded');
  });
});
