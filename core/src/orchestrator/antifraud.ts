import type { RiskAssessment } from '../payments';
import type { RegisteredAntifraud } from '../plugins/registry';
import type { AntifraudInput, AntifraudSignal, AntifraudVerdict } from '../plugins/types';
import type { Logger } from '../ports/logger';
import type { AntifraudPolicy } from './types';

const RANK: Record<AntifraudVerdict, number> = { allow: 0, review: 1, challenge: 2, deny: 3 };

const stronger = (a: AntifraudVerdict, b: AntifraudVerdict): AntifraudVerdict => (RANK[a] >= RANK[b] ? a : b);

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** The decision a score alone calls for under the policy's thresholds. */
function verdictForScore(score: number, policy: AntifraudPolicy): AntifraudVerdict {
  if (score >= policy.denyScore) return 'deny';
  if (score >= policy.challengeScore) return 'challenge';
  if (score >= policy.reviewScore) return 'review';
  return 'allow';
}

/**
 * Runs every antifraud engine in parallel, before authorization, and combines their signals by the
 * policy: the strongest verdict wins (deny over challenge over review over allow), the score is the
 * highest, and the score thresholds can raise the verdict. A plugin that fails or times out fails open
 * (noted in `errors`) or closed (deny) as configured.
 */
export async function assessRisk(
  engines: readonly RegisteredAntifraud[],
  input: AntifraudInput,
  policy: AntifraudPolicy,
  logger: Logger,
): Promise<RiskAssessment | null> {
  const relevant = engines.filter((e) => e.plugin.capabilities.includes(input.stage));
  if (relevant.length === 0) return null;
  const results = await Promise.allSettled(
    relevant.map((e) =>
      withTimeout(
        Promise.resolve().then(() => e.engine.assess(input)),
        policy.timeoutMs,
      ),
    ),
  );
  let verdict: AntifraudVerdict = 'allow';
  let score = 0;
  const reasons: string[] = [];
  const errors: string[] = [];
  results.forEach((result, i) => {
    const name = `${relevant[i]?.plugin.manifest.id}:${relevant[i]?.plugin.instanceId}`;
    if (result.status === 'rejected') {
      const message = result.reason instanceof Error ? result.reason.message : String(result.reason);
      logger.warn({ antifraud: name, err: message, failMode: policy.failMode }, 'antifraud plugin failed');
      errors.push(`${name}: ${message}`);
      if (policy.failMode === 'closed') {
        verdict = 'deny';
        reasons.push(`${name} unavailable (fail-closed)`);
      }
      return;
    }
    const signal: AntifraudSignal = result.value;
    verdict = stronger(verdict, signal.verdict);
    score = Math.max(score, Math.min(100, Math.max(0, signal.score)));
    reasons.push(...signal.reasons.map((r) => `${name}: ${r}`));
  });
  verdict = stronger(verdict, verdictForScore(score, policy));
  return { decision: verdict, score, reasons, ...(errors.length > 0 ? { errors } : {}) };
}
