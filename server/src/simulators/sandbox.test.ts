import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config';
import { autoPostPage, qiwiPayPage } from './pages';
import { createSandboxSimulators } from './sandbox';

describe('PAYRAIL_SIMULATORS', () => {
  it('is on by default with the embedded database, off by default with a database URL, and obeys when set', () => {
    expect(loadConfig({}).simulators).toBe(true);
    expect(loadConfig({ PAYRAIL_DATABASE_URL: 'postgres://localhost/payrail' }).simulators).toBe(false);
    expect(
      loadConfig({ PAYRAIL_DATABASE_URL: 'postgres://localhost/payrail', PAYRAIL_SIMULATORS: '1' })
        .simulators,
    ).toBe(true);
    expect(loadConfig({ PAYRAIL_SIMULATORS: '0' }).simulators).toBe(false);
    expect(loadConfig({ PAYRAIL_SIMULATORS: 'off' }).simulators).toBe(false);
    expect(() => loadConfig({ PAYRAIL_SIMULATORS: 'maybe' })).toThrow(/PAYRAIL_SIMULATORS/);
  });

  it('registers qiwi and webmoney "sandbox" instances pointed at the simulators', () => {
    const sims = createSandboxSimulators('http://localhost:3000');
    expect(sims.baseUrl).toBe('http://localhost:3000/_sim');
    expect(sims.plugins.map((p) => `${p.manifest.id}:${p.instanceId}`)).toEqual([
      'qiwi:sandbox',
      'webmoney:sandbox',
    ]);
    expect(createSandboxSimulators('https://sandbox.example').baseUrl).toBe('https://sandbox.example/_sim');
  });

  it('refuses a plain-http public URL that is not loopback (WebMoney form URLs must be https)', () => {
    expect(() => createSandboxSimulators('http://payrail.example:3000')).toThrow(
      expect.objectContaining({ code: 'PAYRAIL_ERR_CONFIG', param: 'PAYRAIL_SIMULATORS' }),
    );
  });
});

describe('simulator pages', () => {
  it('escape what comes from requests', () => {
    const page = qiwiPayPage({
      billId: '<script>x</script>',
      amount: '1.00',
      currency: 'RUB',
      comment: '"><img src=x>',
    });
    expect(page).not.toContain('<script>x</script>');
    expect(page).not.toContain('"><img');
    const post = autoPostPage({ url: 'https://shop.test/r', fields: { 'a"b': '<b>' } });
    expect(post).toContain('name="a&quot;b"');
    expect(post).toContain('value="&lt;b&gt;"');
  });
});
