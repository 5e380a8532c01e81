import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config';

describe('job configuration', () => {
  it('has defaults, reads durations, and can turn the jobs off', () => {
    expect(loadConfig({}).jobs).toEqual({
      enabled: true,
      pollIntervalMs: 1000,
      paymentExpireAfterMs: 86_400_000,
      autoVoidAfterMs: 7 * 86_400_000,
      reconcileAfterMs: 86_400_000,
      webhookTimeoutMs: 10_000,
    });
    const config = loadConfig({
      PAYRAIL_JOBS: 'off',
      PAYRAIL_AUTO_VOID_AFTER: '3d',
      PAYRAIL_WEBHOOK_TIMEOUT: '5s',
    });
    expect(config.jobs).toMatchObject({
      enabled: false,
      autoVoidAfterMs: 3 * 86_400_000,
      webhookTimeoutMs: 5000,
    });
    expect(() => loadConfig({ PAYRAIL_AUTO_VOID_AFTER: 'a week' })).toThrow(/PAYRAIL_AUTO_VOID_AFTER/);
    expect(() => loadConfig({ PAYRAIL_JOBS: 'maybe' })).toThrow(/PAYRAIL_JOBS/);
  });
});
