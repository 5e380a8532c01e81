import { randomUUID } from 'node:crypto';
import type { Clock, Logger, QueuedNotification, Store } from '@payrail/core';
import type { Mailer } from './mailer';
import type { TelegramBot } from './telegram-bot';
import type { RenderedMessage } from './templates';

/** Where messages go out: the SMTP mailer and, when configured, the Telegram bot. */
export interface NotificationChannels {
  mailer: Mailer;
  telegram: TelegramBot | null;
}

/** Retries of the durable queue: 10 s doubling (at most 1 h apart), given up 24 h after queueing. */
export interface NotificationRetryPolicy {
  firstDelayMs: number;
  maxDelayMs: number;
  giveUpAfterMs: number;
  /**
   * How long a claim holds a message. Longer than the slowest send (SMTP timeouts add up to 40 s), so a
   * live sender never loses its lease; a dead one's message is sent again when it runs out.
   */
  leaseMs: number;
}

export const DEFAULT_NOTIFICATION_RETRY: NotificationRetryPolicy = {
  firstDelayMs: 10_000,
  maxDelayMs: 60 * 60_000,
  giveUpAfterMs: 24 * 60 * 60_000,
  leaseMs: 2 * 60_000,
};

export interface NotificationDeliveryDeps {
  store: Store;
  clock: Clock;
  logger: Logger;
  channels: NotificationChannels;
  retry: NotificationRetryPolicy;
}

/** Sends one rendered message on its channel; throws when the channel fails. */
export async function sendOnChannel(
  channels: NotificationChannels,
  to: { channel: QueuedNotification['channel']; address: string },
  message: RenderedMessage,
): Promise<void> {
  if (to.channel === 'email') {
    await channels.mailer.send({ to: to.address, ...message });
    return;
  }
  if (!channels.telegram) throw new Error('Telegram is not configured (PAYRAIL_TELEGRAM_BOT_TOKEN)');
  await channels.telegram.sendMessage({ chatId: to.address, text: `${message.subject}\n\n${message.text}` });
}

/** When to try again after the message's `attempts`-th failure, or null to give up. */
export function nextAttemptAfterFailure(
  message: Pick<QueuedNotification, 'attempts' | 'createdAt'>,
  now: Date,
  retry: NotificationRetryPolicy,
): Date | null {
  const exponent = Math.max(0, message.attempts - 1);
  const delay = Math.min(retry.firstDelayMs * 2 ** Math.min(exponent, 30), retry.maxDelayMs);
  const next = new Date(now.getTime() + delay);
  return next.getTime() > message.createdAt.getTime() + retry.giveUpAfterMs ? null : next;
}

/**
 * Sends a message this process holds the lease of, then marks it sent or schedules the retry. A crash
 * after the send and before the mark sends it again once the lease expires: notifications are at least
 * once (a repeated email beats a lost one).
 */
export async function deliverLeased(
  deps: NotificationDeliveryDeps,
  message: QueuedNotification,
  leaseToken: string,
): Promise<'sent' | 'retry' | 'failed' | 'lease_lost'> {
  const logger = deps.logger.child({ component: 'notifications' });
  const context = { notificationId: message.id, channel: message.channel, template: message.template };
  try {
    const { subject, text, html } = message;
    await sendOnChannel(deps.channels, message, { subject, text, html });
  } catch (error) {
    const now = deps.clock.now();
    const nextAttemptAt = nextAttemptAfterFailure(message, now, deps.retry);
    const reason = error instanceof Error ? error.message : String(error);
    const kept = await deps.store.notifications.recordFailure({
      id: message.id,
      leaseToken,
      error: reason.slice(0, 500),
      nextAttemptAt,
      now,
    });
    if (!kept) return 'lease_lost';
    if (nextAttemptAt === null) {
      logger.error(
        { ...context, err: error, attempts: message.attempts },
        'notification not delivered; given up',
      );
      return 'failed';
    }
    logger.warn(
      { ...context, err: error, attempts: message.attempts, nextAttemptAt },
      'notification failed; retrying',
    );
    return 'retry';
  }
  const marked = await deps.store.notifications.markSent({
    id: message.id,
    leaseToken,
    now: deps.clock.now(),
  });
  return marked ? 'sent' : 'lease_lost';
}

/** One run of the `notifications.deliver` job: claims due messages and delivers them. Returns how many. */
export async function deliverDueNotifications(
  deps: NotificationDeliveryDeps,
  options: { limit?: number } = {},
): Promise<number> {
  const now = deps.clock.now();
  const leaseToken = randomUUID();
  const claimed = await deps.store.notifications.claimDue({
    now,
    limit: options.limit ?? 50,
    leaseUntil: new Date(now.getTime() + deps.retry.leaseMs),
    leaseToken,
  });
  // One channel at a time per batch: SMTP relays throttle parallel senders, and the batch is small.
  for (const message of claimed) await deliverLeased(deps, message, leaseToken);
  return claimed.length;
}

/** The fast path right after enqueue: claims that one message and tries it now (the job is the fallback). */
export async function deliverNow(deps: NotificationDeliveryDeps, id: string): Promise<void> {
  const now = deps.clock.now();
  const leaseToken = randomUUID();
  const message = await deps.store.notifications.claim({
    id,
    now,
    leaseUntil: new Date(now.getTime() + deps.retry.leaseMs),
    leaseToken,
  });
  if (message) await deliverLeased(deps, message, leaseToken);
}
