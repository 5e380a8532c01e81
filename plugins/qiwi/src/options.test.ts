import { describe, expect, it } from 'vitest';
import { qiwiOptionsSchema } from './options';

const base = { siteId: '23044', secretKey: 'sk', publicKey: 'pk' };

describe('qiwi options', () => {
  it('applies the defaults', () => {
    expect(qiwiOptionsSchema.parse(base)).toEqual({
      ...base,
      billLifetimeMinutes: 45,
      apiBaseUrl: 'https://api.qiwi.com',
    });
  });

  it('accepts a simulator origin, a theme and an instance id; strips a trailing slash', () => {
    const parsed = qiwiOptionsSchema.parse({
      ...base,
      instanceId: 'shop-2',
      apiBaseUrl: 'http://127.0.0.1:8080/',
      themeCode: 'Yvan-YKaSh',
      billLifetimeMinutes: 60 * 24,
    });
    expect(parsed.apiBaseUrl).toBe('http://127.0.0.1:8080');
    expect(parsed.themeCode).toBe('Yvan-YKaSh');
  });

  it.each([
    [{}],
    [{ ...base, siteId: '' }],
    [{ ...base, secretKey: undefined }],
    [{ ...base, publicKey: 7 }],
    [{ ...base, billLifetimeMinutes: 0 }],
    [{ ...base, billLifetimeMinutes: 1.5 }],
    [{ ...base, billLifetimeMinutes: 45 * 24 * 60 + 1 }],
    [{ ...base, apiBaseUrl: 'not a url' }],
    [{ ...base, apiBaseUrl: 'ftp://api.qiwi.com' }],
    [{ ...base, themeCode: '' }],
    [{ ...base, extra: true }],
  ])('rejects %o', (options) => {
    expect(qiwiOptionsSchema.safeParse(options).success).toBe(false);
  });
});
