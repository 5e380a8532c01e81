import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '@payrail/core';
import { createEmbeddedTestStore } from '@payrail/store-postgres/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootstrap } from '../src/bootstrap';
import { loadConfig } from '../src/config';
import { pluginsFromFile } from '../src/plugins-file';

/** PAYRAIL_PLUGINS_FILE: extra plugins of a stock server, with options validated at boot. */
describe('plugins file', () => {
  let dir: string;
  const file = async (name: string, content: unknown) => {
    const path = join(dir, name);
    await writeFile(path, typeof content === 'string' ? content : JSON.stringify(content));
    return path;
  };
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'payrail-plugins-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('registers WebMoney and QIWI instances and an antifraud engine next to cards, secrets read from the environment', async () => {
    const path = await file('ok.json', {
      webmoney: [
        { purses: { USD: 'Z123456789012' }, secretKey: { env: 'TEST_WM_SECRET' } },
        { instanceId: 'shop-b', purses: { RUB: 'R123456789012' }, secretKey: 'another-secret' },
      ],
      qiwi: [{ siteId: 'site-1', secretKey: { env: 'TEST_QIWI_SECRET' }, publicKey: 'pub-key' }],
      antifraud: [{ limits: { amount: { max: { EUR: 500_000 } } } }],
    });
    process.env.TEST_QIWI_SECRET = 'qiwi-secret-from-env';
    process.env.TEST_WM_SECRET = 'wm-secret-from-env';
    // Without the sandbox simulators, whose instances would join the list (see sandbox-*.test.ts).
    const config = loadConfig({ PAYRAIL_PLUGINS_FILE: path, PAYRAIL_SIMULATORS: '0' });
    const store = await createEmbeddedTestStore();
    const services = await bootstrap(config, silentLogger, { store });
    try {
      expect(
        services.registry.providers.map((p) => `${p.plugin.manifest.id}:${p.plugin.instanceId}`),
      ).toEqual(['cards:default', 'webmoney:default', 'webmoney:shop-b', 'qiwi:default']);
      expect(services.registry.antifraud.map((a) => a.plugin.manifest.id)).toEqual(['antifraud']);
    } finally {
      await services.close();
    }
  });

  it.each([
    ['not JSON', '{', /Cannot read the plugins file/],
    ['an unknown plugin', { qiwii: [{}] }, /Known plugins: qiwi, webmoney, antifraud/],
    ['instances not in a list', { webmoney: {} }, /webmoney/],
    [
      'a missing environment variable',
      { webmoney: [{ secretKey: { env: 'PAYRAIL_NOT_SET_X' } }] },
      /PAYRAIL_NOT_SET_X, which is not set/,
    ],
  ])('refuses %s with a configuration error', async (_name, content, message) => {
    const path = await file(`bad-${Math.random()}.json`, content);
    expect(() => pluginsFromFile(path, {})).toThrow(message);
  });

  it('a missing file is a configuration error naming it', () => {
    expect(() => pluginsFromFile(join(dir, 'nope.json'))).toThrow(/nope\.json/);
  });

  it('wrong plugin options stop the boot with the plugin error naming the field', async () => {
    const path = await file('bad-options.json', {
      webmoney: [{ purses: { USD: 'R123456789012' }, secretKey: 'x' }],
    });
    const store = await createEmbeddedTestStore();
    await expect(
      bootstrap(loadConfig({ PAYRAIL_PLUGINS_FILE: path }), silentLogger, { store }),
    ).rejects.toMatchObject({
      code: 'PAYRAIL_ERR_PLUGIN_OPTIONS',
    });
  });
});
