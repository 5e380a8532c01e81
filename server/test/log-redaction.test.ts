import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loggerOptions } from '../src/http/logging';
import { createTestApp, type TestApp } from './helpers/test-app';

/** DESIGN.md §8: card numbers and CVCs never reach the logs. */
describe('log redaction', () => {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ logger: { level: 'trace', stream } });
  });
  afterAll(async () => {
    await t?.close();
  });

  const PAN = '4000000000009995';
  const CVC = '7316'; // 4 digits: the Amex CVC
  const VISA_CVC = '842'; // Visa takes 3 digits; checked as a whole word in the log
  const AMEX = '378282246310005';

  it('a /pay call, a declined one, a rejected one and a malformed one log neither PAN nor CVC', async () => {
    const m = await t.createMerchant();
    const year = new Date().getUTCFullYear() + 2;
    const a = await m.test.post('/v1/payments', { amount: 1000, currency: 'usd', method: 'card' });
    const b = await m.test.post('/v1/payments', { amount: 1000, currency: 'usd', method: 'card' });
    lines.length = 0;

    const declined = await t.anonymous.post(`/pay/${a.body.id}`, {
      number: PAN,
      exp_month: 1,
      exp_year: year,
      cvc: VISA_CVC,
    });
    expect(declined.body.status).toBe('failed');
    const amex = await t.anonymous.post(`/pay/${b.body.id}`, {
      number: AMEX,
      exp_month: 1,
      exp_year: year,
      cvc: CVC,
    });
    expect(amex.statusCode).toBe(200);
    // Rejected after parsing (already paid), rejected by validation, and not even JSON.
    await t.anonymous.post(`/pay/${b.body.id}`, { number: AMEX, exp_month: 1, exp_year: year, cvc: CVC });
    await t.anonymous.post(`/pay/${a.body.id}`, {
      number: PAN,
      exp_month: 13,
      exp_year: year,
      cvc: CVC,
      x: 1,
    });
    await t.anonymous.post(`/pay/${a.body.id}`, `{"number":"${PAN}","cvc":"${CVC}"`);

    const log = lines.join('');
    expect(lines.length).toBeGreaterThan(5); // the logger did run, at trace level
    expect(log).toContain('request completed');
    for (const secret of [PAN, AMEX, CVC, m.testKey]) expect(log).not.toContain(secret);
    expect(log).not.toMatch(new RegExp(`\\b${VISA_CVC}\\b`));
    expect(log).not.toMatch(/"cvc"\s*:\s*"\d/);
    expect(log).not.toMatch(/"number"\s*:\s*"\d/);
  });

  it('the API key in the Authorization header is not logged', async () => {
    const m = await t.createMerchant();
    lines.length = 0;
    await m.test.get('/v1/payments');
    await t.client(`${m.testKey.slice(0, -1)}X`).get('/v1/payments');
    const log = lines.join('');
    expect(log.length).toBeGreaterThan(0);
    expect(log).not.toContain(m.testKey);
    expect(log).not.toContain(m.testKey.slice(8));
  });

  it('the redaction paths censor card data and secrets logged by hand', () => {
    const out: string[] = [];
    const options = loggerOptions({ level: 'info' }) as pino.LoggerOptions;
    const logger = pino(
      options,
      new Writable({
        write(chunk, _e, done) {
          out.push(String(chunk));
          done();
        },
      }),
    );
    logger.info({ number: PAN, cvc: CVC }, 'top level');
    logger.info({ body: { number: PAN, cvc: CVC } }, 'body');
    logger.info(
      { req: { body: { number: PAN, cvc: CVC }, headers: { authorization: 'Bearer sk_test_x' } } },
      'req',
    );
    logger.info({ paymentMethod: { type: 'card', number: PAN, cvc: CVC } }, 'payment method');
    logger.info({ input: { paymentMethod: { number: PAN, cvc: CVC } } }, 'nested');
    const text = out.join('');
    expect(out).toHaveLength(5);
    expect(text).not.toContain(PAN);
    expect(text).not.toContain(CVC);
    expect(text).not.toContain('sk_test_x');
    expect(text).toContain('[redacted]');
  });
});
