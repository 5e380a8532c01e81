import type { Payment, PaymentStatus, RiskAssessment } from '../payments';
import type { RegisteredAntifraud } from '../plugins/registry';
import type { AntifraudInput, AntifraudOutcome, AntifraudSignal, AntifraudVerdict } from '../plugins/types';
import type { Logger } from '../ports/logger';
import { providerView } from './provider-view';
import type { AntifraudPolicy } from './types';

/**
 * What an antifraud engine sees of a payment before authorization: the provider's view plus the method.
 * One function for the live decision, the outcome report and backtests, so a replay sees what live saw.
 */
export function antifraudPaymentView(payment: Payment): AntifraudInput['payment'] {
  return {
    ...providerView(payment),
    method: payment.method,
    client: payment.client,
    billing: payment.billing,
  };
}

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
  const versions: string[] = [];
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
    if (signal.rulesVersion) versions.push(`${name}@${signal.rulesVersion}`);
  });
  verdict = stronger(verdict, verdictForScore(score, policy));
  return {
    decision: verdict,
    score,
    reasons,
    ...(errors.length > 0 ? { errors } : {}),
    ...(versions.length > 0 ? { rulesVersion: versions.join(',') } : {}),
  };
}

/** Statuses that end an authorization attempt (what `onOutcome` reports). */
const ATTEMPT_ENDS = new Set<PaymentStatus>(['failed', 'authorized', 'succeeded']);
/** Statuses of a payment whose attempt is still with the provider. */
const IN_ATTEMPT = new Set<PaymentStatus>(['processing', 'requires_action']);

/**
 * Tells every antifraud engine that implements `onOutcome` how an attempt ended — once, on the change from
 * `processing`/`requires_action` to `failed`, `authorized` or `succeeded` (so a repeated notification or a
 * later capture reports nothing). Failures and timeouts are logged: the payment is already decided.
 */
export async function reportAntifraudOutcome(
  engines: readonly RegisteredAntifraud[],
  previous: PaymentStatus,
  payment: Payment,
  input: AntifraudInput | undefined,
  policy: AntifraudPolicy,
  logger: Logger,
): Promise<void> {
  if (!IN_ATTEMPT.has(previous) || !ATTEMPT_ENDS.has(payment.status)) return;
  const listening = engines.filter((e) => typeof e.engine.onOutcome === 'function');
  if (listening.length === 0) return;
  const outcome: AntifraudOutcome = {
    input: input ?? {
      stage: 'pre_authorization',
      payment: antifraudPaymentView(payment),
      ...(payment.card ? { card: payment.card } : {}),
    },
    payment,
  };
  const results = await Promise.allSettled(
    listening.map((e) =>
      withTimeout(
        Promise.resolve().then(() => e.engine.onOutcome?.(outcome)),
        policy.timeoutMs,
      ),
    ),
  );
  results.forEach((result, i) => {
    if (result.status === 'fulfilled') return;
    const name = `${listening[i]?.plugin.manifest.id}:${listening[i]?.plugin.instanceId}`;
    const message = result.reason instanceof Error ? result.reason.message : String(result.reason);
    logger.warn({ antifraud: name, err: message, paymentId: payment.id }, 'antifraud onOutcome failed');
  });
}
