import { describe, expect, it } from 'vitest';
import { drainBatches } from './drain-batches';

describe('drainBatches', () => {
  it('takes batches while they come back full and stops at the first short one', async () => {
    const sizes = [100, 100, 100, 37, 100];
    let calls = 0;
    const total = await drainBatches(async () => sizes[calls++] ?? 0, 100, 60_000);
    expect(calls).toBe(4);
    expect(total).toBe(337);
  });

  it('stops after the batch that crosses the time budget, even when every batch is full', async () => {
    let clock = 0;
    let calls = 0;
    const total = await drainBatches(
      async () => {
        calls++;
        clock += 7_000; // each full batch takes 7 s
        return 100;
      },
      100,
      20_000,
      () => clock,
    );
    // 7, 14, 21 s: the third batch ends past the 20 s budget, so there is no fourth.
    expect(calls).toBe(3);
    expect(total).toBe(300);
  });

  it('an empty first batch ends the run at once', async () => {
    let calls = 0;
    expect(
      await drainBatches(
        async () => {
          calls++;
          return 0;
        },
        50,
        20_000,
      ),
    ).toBe(0);
    expect(calls).toBe(1);
  });
});
