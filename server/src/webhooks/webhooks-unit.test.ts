import { createHmac, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parseDuration } from '../jobs/durations';
import { DEFAULT_RETRY_POLICY, nextAttemptAt } from './retry-schedule';
import { createSecretBox, newSigningSecret, parseSecretsKey } from './secret-box';
import { signPayload, verifyWebhook } from './signature';

describe('Payrail-Signature', () => {
  const secret = newSigningSecret();
  const body = '{"id":"evt_1","type":"payment.succeeded"}';

  it('is t=<seconds>,v1=<HMAC-SHA256 of "t.body">, checkable with plain node:crypto', () => {
    const header = signPayload({ secret, body, timestamp: 1_700_000_000 });
    const hex = createHmac('sha256', secret).update(`1700000000.${body}`).digest('hex');
    expect(header).toBe(`t=1700000000,v1=${hex}`);
    expect(verifyWebhook({ body, header, secret, nowSeconds: 1_700_000_000 })).toBe(true);
    expect(verifyWebhook({ body: Buffer.from(body), header, secret, nowSeconds: 1_700_000_300 })).toBe(true);
  });

  it('refuses a tampered body, another secret, a stale or future timestamp, and malformed headers', () => {
    const header = signPayload({ secret, body, timestamp: 1_700_000_000 });
    const now = 1_700_000_000;
    expect(verifyWebhook({ body: body.replace('evt_1', 'evt_2'), header, secret, nowSeconds: now })).toBe(
      false,
    );
    expect(verifyWebhook({ body, header, secret: newSigningSecret(), nowSeconds: now })).toBe(false);
    expect(verifyWebhook({ body, header, secret, nowSeconds: now + 301 })).toBe(false);
    expect(verifyWebhook({ body, header, secret, nowSeconds: now - 301 })).toBe(false);
    expect(verifyWebhook({ body, header, secret, nowSeconds: now + 1000, toleranceSeconds: 1000 })).toBe(
      true,
    );
    for (const bad of [
      undefined,
      '',
      't=1700000000',
      'v1=00',
      `t=x,v1=${'0'.repeat(64)}`,
      `t=1700000000,v1=${'z'.repeat(64)}`,
    ]) {
      expect(verifyWebhook({ body, header: bad, secret, nowSeconds: now })).toBe(false);
    }
    // Several v1 values (secret rotation): any one matching is enough.
    const other = signPayload({ secret: newSigningSecret(), body, timestamp: now }).split(',')[1];
    expect(verifyWebhook({ body, header: `${header},${other}`, secret, nowSeconds: now })).toBe(true);
  });
});

describe('secret box', () => {
  it('seals and opens a secret bound to its endpoint; another key or endpoint cannot open it', () => {
    const box = createSecretBox(randomBytes(32));
    const sealed = box.seal('whsec_abc', 'we_1');
    expect(sealed).not.toContain('whsec_abc');
    expect(box.open(sealed, 'we_1')).toBe('whsec_abc');
    expect(() => box.open(sealed, 'we_2')).toThrow(/cannot be opened/);
    expect(() => createSecretBox(randomBytes(32)).open(sealed, 'we_1')).toThrow(/cannot be opened/);
  });

  it('takes the key as 64 hex characters or base64 of 32 bytes', () => {
    const key = randomBytes(32);
    expect(parseSecretsKey(key.toString('hex'))).toEqual(key);
    expect(parseSecretsKey(key.toString('base64'))).toEqual(key);
    expect(() => parseSecretsKey('short')).toThrow(/32 bytes/);
  });
});

describe('retry schedule', () => {
  const first = new Date('2026-01-01T00:00:00Z');
  const at = (failures: number, now: Date) =>
    nextAttemptAt({ policy: DEFAULT_RETRY_POLICY, failures, firstAttemptAt: first, now, random: () => 0 });

  it('backs off exponentially from 1 min, at most 6 h apart, for 3 days', () => {
    expect(at(1, first)?.getTime()).toBe(first.getTime() + 60_000);
    expect(at(2, first)?.getTime()).toBe(first.getTime() + 120_000);
    expect(at(5, first)?.getTime()).toBe(first.getTime() + 16 * 60_000);
    expect(at(20, first)?.getTime()).toBe(first.getTime() + 6 * 3_600_000);
    const nearEnd = new Date(first.getTime() + 70 * 3_600_000);
    expect(at(20, nearEnd)).toBeNull();
  });
});

describe('durations', () => {
  it('reads "7d", "12h", "30m", "45s", "500ms", "5 minutes" and refuses anything else', () => {
    expect(parseDuration('7d')).toBe(7 * 86_400_000);
    expect(parseDuration('12h')).toBe(12 * 3_600_000);
    expect(parseDuration('30m')).toBe(1_800_000);
    expect(parseDuration('45s')).toBe(45_000);
    expect(parseDuration('500ms')).toBe(500);
    expect(parseDuration('5 minutes')).toBe(300_000);
    expect(() => parseDuration('7', 'PAYRAIL_AUTO_VOID_AFTER')).toThrow(/PAYRAIL_AUTO_VOID_AFTER/);
    expect(() => parseDuration('soon')).toThrow();
  });
});
