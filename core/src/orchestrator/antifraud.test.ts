import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineAntifraud } from '../plugins/define';
import type { RegisteredAntifraud } from '../plugins/registry';
import type { AntifraudInput, AntifraudSignal } from '../plugins/types';
import { silentLogger } from '../ports/logger';
import { assessRisk } from './antifraud';
import { DEFAULT_ANTIFRAUD_POLICY } from './types';

function engine(id: string, assess: () => Promise<AntifraudSignal>): RegisteredAntifraud {
  const plugin = defineAntifraud({
    manifest: { id, name: id, version: '1.0.0', coreRange: '^0.1.0' },
    optionsSchema: z.object({}),
    capabilities: ['pre_authorization'],
    init: () => ({ assess }),
  })({});
  return { plugin, engine: { assess } };
}

const input = { stage: 'pre_authorization', payment: { id: 'pay_1' } } as unknown as AntifraudInput;
const policy = { ...DEFAULT_ANTIFRAUD_POLICY, timeoutMs: 50 };
const signal = (
  verdict: AntifraudSignal['verdict'],
  score: number,
  reason: string = verdict,
): AntifraudSignal => ({
  verdict,
  score,
  reasons: [reason],
});

describe('antifraud policy', () => {
  it('returns null when no engine runs at this stage', async () => {
    expect(await assessRisk([], input, policy, silentLogger)).toBeNull();
  });

  it('lets deny win over allow and keeps every reason', async () => {
    const risk = await assessRisk(
      [
        engine('a', async () => signal('allow', 5)),
        engine('b', async () => signal('deny', 40, 'blocked card')),
      ],
      input,
      policy,
      silentLogger,
    );
    expect(risk).toMatchObject({ decision: 'deny', score: 40 });
    expect(risk?.reasons).toEqual(['a:default: allow', 'b:default: blocked card']);
  });

  it('raises the verdict by score thresholds', async () => {
    const at = async (score: number) =>
      (await assessRisk([engine('a', async () => signal('allow', score))], input, policy, silentLogger))
        ?.decision;
    expect(await at(policy.reviewScore - 1)).toBe('allow');
    expect(await at(policy.reviewScore)).toBe('review');
    expect(await at(policy.challengeScore)).toBe('challenge');
    expect(await at(policy.denyScore)).toBe('deny');
  });

  it('fails open on a timeout by default, noting the error', async () => {
    const slow = engine(
      'slow',
      () => new Promise((resolve) => setTimeout(() => resolve(signal('deny', 100)), 500)),
    );
    const risk = await assessRisk([slow], input, policy, silentLogger);
    expect(risk?.decision).toBe('allow');
    expect(risk?.errors?.[0]).toMatch(/slow:default: timed out/);
  });

  it('fails closed when configured', async () => {
    const broken = engine('broken', async () => {
      throw new Error('down');
    });
    const risk = await assessRisk([broken], input, { ...policy, failMode: 'closed' }, silentLogger);
    expect(risk?.decision).toBe('deny');
  });
});
