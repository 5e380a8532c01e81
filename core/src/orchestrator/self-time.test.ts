import { describe, expect, it } from 'vitest';
import type { PluginRegistry } from '../plugins/registry';
import type { Store } from '../ports/store';
import { OrchestratorSelfTime, timedRegistry, timedStore } from './self-time';

/** A hand-moved millisecond clock and a step that "takes" `ms` of it. */
function handClock() {
  let t = 0;
  return {
    now: () => t,
    pass: (ms: number) => {
      t += ms;
    },
  };
}

describe('OrchestratorSelfTime', () => {
  it('counts wall time minus time spent in external calls, per method', async () => {
    const clock = handClock();
    const timing = new OrchestratorSelfTime(clock.now);
    await timing.measure('createPayment', async () => {
      clock.pass(1); // own work
      await timing.external(async () => clock.pass(5)); // the store
      clock.pass(2); // own work
      await timing.external(async () => clock.pass(10)); // the provider
    });
    expect(timing.summary().createPayment).toEqual({ count: 1, p50_ms: 3, p99_ms: 3, max_ms: 3 });
  });

  it('counts overlapping external calls once, and a nested public call as part of the outer one', async () => {
    const clock = handClock();
    const timing = new OrchestratorSelfTime(clock.now);
    await timing.measure('confirmPayment', async () => {
      clock.pass(1);
      // Two engines in parallel: the interval from the first start to the last end is external.
      let release: () => void = () => {};
      const first = timing.external(() => new Promise<void>((done) => (release = done)));
      const second = timing.external(async () => clock.pass(4));
      await second;
      clock.pass(3);
      release();
      await first;
      await timing.measure('capturePayment', async () => clock.pass(2));
    });
    expect(Object.keys(timing.summary())).toEqual(['confirmPayment']);
    expect(timing.summary().confirmPayment?.p50_ms).toBe(3);
  });

  it('does not time a synchronous answer, and external calls outside a measured call are not counted', async () => {
    const timing = new OrchestratorSelfTime(handClock().now);
    expect(timing.measure('paymentPageUrl', () => 'https://pay.example/p')).toBe('https://pay.example/p');
    expect(await timing.external(async () => 42)).toBe(42);
    expect(timing.summary()).toEqual({});
  });

  it('the p99 over many calls, and reset', async () => {
    const clock = handClock();
    const timing = new OrchestratorSelfTime(clock.now);
    for (let ms = 1; ms <= 100; ms++) await timing.measure('syncPayment', async () => clock.pass(ms));
    expect(timing.summary().syncPayment).toMatchObject({ count: 100, p50_ms: 50, p99_ms: 99, max_ms: 100 });
    timing.reset();
    expect(timing.summary()).toEqual({});
  });

  it('timed store and registry route every repository, provider and engine call through external()', async () => {
    const clock = handClock();
    const timing = new OrchestratorSelfTime(clock.now);
    const store = {
      kind: 'fake',
      payments: {
        async getById() {
          clock.pass(7);
          return { id: 'pay_1' };
        },
      },
    } as unknown as Store;
    const provider = {
      async syncPayment() {
        clock.pass(20);
        return { status: 'succeeded' };
      },
    };
    const plugin = { manifest: { id: 'fake' }, instanceId: 'default' };
    const registry = {
      providers: [{ plugin, provider }],
      antifraud: [],
      notificationChannels: [],
      shopBridges: [],
      provider: (id: string) => (id === 'fake' ? { plugin, provider } : undefined),
    } as unknown as PluginRegistry;
    const timedS = timedStore(store, timing);
    const timedR = timedRegistry(registry, timing);
    expect(timedS.kind).toBe('fake');
    await timing.measure('syncPayment', async () => {
      clock.pass(1);
      await timedS.payments.getById({ id: 'pay_1' });
      await timedR.provider('fake', 'default')?.provider.syncPayment({} as never);
      clock.pass(1);
    });
    expect(timing.summary().syncPayment?.p50_ms).toBe(2);
    expect(timedR.provider('other', 'default')).toBeUndefined();
  });
});
