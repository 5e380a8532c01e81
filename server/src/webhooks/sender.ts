import { randomUUID } from 'node:crypto';
import {
  type Clock,
  isPayrailError,
  type Logger,
  newId,
  type Store,
  type WebhookAttempt,
  type WebhookDelivery,
  type WebhookEndpoint,
} from '@payrail/core';
import { Agent, request } from 'undici';
import { eventResource } from '../http/schemas/events';
import { DEFAULT_RETRY_POLICY, nextAttemptAt, type RetryPolicy } from './retry-schedule';
import type { SecretBox } from './secret-box';
import { SIGNATURE_HEADER, signPayload } from './signature';

export interface WebhookSenderOptions {
  store: Store;
  clock: Clock;
  logger: Logger;
  secrets: SecretBox | undefined;
  retry?: RetryPolicy;
  /** Whole request time allowed to the merchant's server, in ms (default 10 s). */
  timeoutMs?: number;
  /** Deliveries claimed per run (default 50). */
  batchSize?: number;
  /** Requests in flight at once (default 8). */
  concurrency?: number;
}

/**
 * Sends due deliveries. Each one is leased (claimDueDeliveries) before the request and its attempt is
 * recorded under the lease afterwards, so two processes never send the same delivery at the same time.
 * If a process dies after sending but before recording, the lease expires and the delivery is sent again
 * with the same event id: delivery is at least once, and receivers deduplicate by event id.
 */
export class WebhookSender {
  readonly #o: Required<Omit<WebhookSenderOptions, 'secrets'>> & { secrets: SecretBox | undefined };
  readonly #agent: Agent;

  constructor(options: WebhookSenderOptions) {
    this.#o = {
      retry: DEFAULT_RETRY_POLICY,
      timeoutMs: 10_000,
      batchSize: 50,
      concurrency: 8,
      ...options,
    };
    this.#agent = new Agent({
      connectTimeout: this.#o.timeoutMs,
      headersTimeout: this.#o.timeoutMs,
      bodyTimeout: this.#o.timeoutMs,
      connections: 16,
    });
  }

  /** Claims and sends one batch; returns how many deliveries it attempted. */
  async runOnce(): Promise<number> {
    const now = this.#o.clock.now();
    const lockToken = randomUUID();
    // The lease outlives the longest request by a margin, so it never lapses during a normal send.
    const lockedUntil = new Date(now.getTime() + this.#o.timeoutMs * 2 + 30_000);
    const deliveries = await this.#o.store.webhooks.claimDueDeliveries({
      now,
      limit: this.#o.batchSize,
      lockedUntil,
      lockToken,
    });
    const queue = [...deliveries];
    const worker = async () => {
      for (let d = queue.shift(); d; d = queue.shift()) {
        try {
          await this.#deliver(d, lockToken);
        } catch (error) {
          // Left leased: it is tried again when the lease expires.
          this.#o.logger.error({ err: error, deliveryId: d.id }, 'webhook delivery could not be recorded');
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.#o.concurrency, queue.length) }, worker));
    return deliveries.length;
  }

  async close(): Promise<void> {
    await this.#agent.close();
  }

  async #deliver(delivery: WebhookDelivery, lockToken: string): Promise<void> {
    const { store, clock } = this.#o;
    const scope = { merchantId: delivery.merchantId, mode: delivery.mode };
    const [event, endpoint] = await Promise.all([
      store.webhooks.getEvent({ ...scope, id: delivery.eventId }),
      store.webhooks.getEndpoint({ ...scope, id: delivery.endpointId }),
    ]);
    if (!event || !endpoint || endpoint.status !== 'enabled') {
      const now = clock.now();
      await store.webhooks.recordAttempt({
        id: delivery.id,
        lockToken,
        attempt: { at: now, statusCode: null, error: 'endpoint disabled or deleted', durationMs: 0 },
        status: 'failed',
        nextAttemptAt: null,
        now,
      });
      return;
    }
    const attempt = await this.#send(endpoint, JSON.stringify(eventResource(event)), event.id);
    const now = clock.now();
    const ok = attempt.statusCode !== null && attempt.statusCode >= 200 && attempt.statusCode < 300;
    const failures = delivery.attempts.filter((a) => a.error !== null).length + (ok ? 0 : 1);
    const next = ok
      ? null
      : nextAttemptAt({
          policy: this.#o.retry,
          failures,
          firstAttemptAt: delivery.attempts[0]?.at ?? attempt.at,
          now,
        });
    const recorded = await store.webhooks.recordAttempt({
      id: delivery.id,
      lockToken,
      attempt,
      status: ok ? 'succeeded' : next ? 'pending' : 'failed',
      nextAttemptAt: next,
      now,
    });
    if (!recorded) {
      this.#o.logger.warn({ deliveryId: delivery.id }, 'webhook delivery lease lost before recording');
      return;
    }
    // A failure counts from when its attempt started, so it lines up with the delivery's first attempt.
    const after = await store.webhooks.recordEndpointResult({
      id: endpoint.id,
      ok,
      now: ok ? now : attempt.at,
    });
    const firstAttemptAt = delivery.attempts[0]?.at ?? attempt.at;
    // Failing for the whole window: either measured directly, or this delivery just gave up after its
    // last retry and nothing succeeded since its first attempt (the last retry falls up to one backoff
    // step before the window's end, so the direct measure alone could miss it).
    const failingSince = after?.failingSince;
    const failedThroughout =
      !!failingSince &&
      (now.getTime() - failingSince.getTime() >= this.#o.retry.windowMs ||
        (next === null && failingSince.getTime() <= firstAttemptAt.getTime()));
    if (!ok && after && failedThroughout) await this.#disable(after, now);
  }

  async #send(endpoint: WebhookEndpoint, body: string, eventId: string): Promise<WebhookAttempt> {
    const at = this.#o.clock.now();
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    if (!this.#o.secrets) {
      return { at, statusCode: null, error: 'PAYRAIL_WEBHOOK_SECRETS_KEY is not set', durationMs: 0 };
    }
    let signature: string;
    try {
      const secret = this.#o.secrets.open(endpoint.sealedSecret, endpoint.id);
      signature = signPayload({ secret, body, timestamp: Math.floor(at.getTime() / 1000) });
    } catch (error) {
      return {
        at,
        statusCode: null,
        error: isPayrailError(error) ? error.code : 'signing failed',
        durationMs: 0,
      };
    }
    try {
      const response = await request(endpoint.url, {
        method: 'POST',
        dispatcher: this.#agent,
        headers: {
          'content-type': 'application/json',
          'user-agent': 'Payrail-Webhooks/1',
          [SIGNATURE_HEADER]: signature,
          'Payrail-Event-Id': eventId,
        },
        body,
        signal: AbortSignal.timeout(this.#o.timeoutMs),
      });
      // The body is not needed (and never stored): drain it so the connection can be reused.
      await response.body.dump({ limit: 64 * 1024 }).catch(() => {});
      const ok = response.statusCode >= 200 && response.statusCode < 300;
      return {
        at,
        statusCode: response.statusCode,
        error: ok ? null : `HTTP ${response.statusCode}`,
        durationMs: elapsed(),
      };
    } catch (error) {
      const name = (error as { name?: string; code?: string }).code ?? (error as Error).name ?? 'Error';
      const reason = name === 'TimeoutError' || name === 'UND_ERR_HEADERS_TIMEOUT' ? 'timeout' : name;
      return { at, statusCode: null, error: reason, durationMs: elapsed() };
    }
  }

  async #disable(endpoint: WebhookEndpoint, now: Date): Promise<void> {
    const disabled = await this.#o.store.webhooks.disableEndpoint({
      id: endpoint.id,
      now,
      event: {
        id: newId('event', now.getTime()),
        merchantId: endpoint.merchantId,
        mode: endpoint.mode,
        type: 'webhook_endpoint.disabled',
        objectId: endpoint.id,
        data: {
          object: {
            id: endpoint.id,
            object: 'webhook_endpoint',
            url: endpoint.url,
            status: 'disabled',
            failing_since: endpoint.failingSince?.toISOString() ?? null,
          },
        },
        createdAt: now,
      },
    });
    if (disabled) {
      this.#o.logger.warn(
        { endpointId: endpoint.id, merchantId: endpoint.merchantId },
        'webhook endpoint disabled after failing for the whole retry window',
      );
    }
  }
}
