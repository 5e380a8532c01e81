import { type Clock, type Logger, newId, type Store, type User } from '@payrail/core';
import type { Mailer } from './mailer';
import {
  DEFAULT_NOTIFICATION_RETRY,
  deliverDueNotifications,
  deliverNow,
  type NotificationDeliveryDeps,
  type NotificationRetryPolicy,
  sendOnChannel,
} from './notification-delivery';
import type { TelegramBot } from './telegram-bot';
import { type RenderedMessage, render, type TemplateName } from './templates';

export type Recipient = { channel: 'email'; address: string } | { channel: 'telegram'; chatId: string };

export interface NotifyOptions {
  /**
   * Makes a repeated request a no-op: a second message with the same key is not queued. Default: a key
   * of its own (every call is a new message).
   */
  dedupeKey?: string;
}

/**
 * Sends account and payment notifications in the background. Callers never wait for a channel (an
 * answer that waited for SMTP would take longer for existing accounts, revealing them) and a failing
 * channel never fails the operation that triggered it.
 *
 * With a queue (`useQueue`, done by `buildApp`), a message is first written to the store's durable
 * notification queue, then tried at once in this process (the fast path); the `notifications.deliver`
 * job retries whatever that did not deliver, in any process, so a message survives a crash. Without a
 * queue (unit tests), messages are sent in-process with a few retries.
 */
export interface Notifier {
  /** Queues a message to the user's chosen channel (email login or bound Telegram). */
  notifyUser(
    user: User,
    template: TemplateName,
    vars: Record<string, string | number>,
    options?: NotifyOptions,
  ): Promise<void>;
  /**
   * Queues a message to an explicit recipient. The promise resolves once the message is queued (never
   * rejects: failures are logged); awaiting it is optional.
   */
  send(
    recipient: Recipient,
    locale: string,
    template: TemplateName,
    vars: Record<string, string | number>,
    options?: NotifyOptions & { userId?: string | null },
  ): Promise<void>;
  /** Writes messages to this store's durable queue from now on. */
  useQueue(queue: { store: Store; clock: Clock }): void;
  /** One run of the delivery job over the queue; returns how many messages it claimed (0 without a queue). */
  deliverDue(options?: { limit?: number }): Promise<number>;
  /** Resolves when every message handed over was queued and its fast-path attempt finished (tests, shutdown). */
  idle(): Promise<void>;
  close(): Promise<void>;
}

export interface NotifierOptions {
  mailer: Mailer;
  telegram: TelegramBot | null;
  logger: Logger;
  /** Without a queue: delays before each in-process retry; default 1 s, 10 s, 60 s. */
  retryDelaysMs?: readonly number[];
  /** With a queue: the retry schedule of the delivery job (default 10 s doubling, 24 h). */
  queueRetry?: NotificationRetryPolicy;
  /** With a queue: try each message right after queueing it (default true; tests turn it off). */
  fastPath?: boolean;
}

/** The channel to reach a user on: their preference when it is usable, otherwise whatever they have. */
export function recipientOf(user: User): Recipient | null {
  const email = user.loginKind === 'email' && user.emailConfirmedAt ? user.login : null;
  const telegram = user.telegramId;
  if (user.notifyChannel === 'telegram' && telegram) return { channel: 'telegram', chatId: telegram };
  if (email) return { channel: 'email', address: email };
  if (telegram) return { channel: 'telegram', chatId: telegram };
  // An unconfirmed email login still gets its confirmation and security mail at that address.
  return user.loginKind === 'email' ? { channel: 'email', address: user.login } : null;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms).unref());

const addressOf = (recipient: Recipient) =>
  recipient.channel === 'email' ? recipient.address : recipient.chatId;

export function createNotifier(options: NotifierOptions): Notifier {
  const delays = options.retryDelaysMs ?? [1_000, 10_000, 60_000];
  const logger = options.logger.child({ component: 'notifier' });
  const channels = { mailer: options.mailer, telegram: options.telegram };
  const pending = new Set<Promise<void>>();
  let queue: NotificationDeliveryDeps | undefined;

  const track = (job: Promise<void>) => {
    const tracked = job.finally(() => pending.delete(tracked));
    pending.add(tracked);
    return tracked;
  };

  async function sendInProcess(recipient: Recipient, template: TemplateName, message: RenderedMessage) {
    for (let attempt = 0; ; attempt++) {
      try {
        await sendOnChannel(channels, { channel: recipient.channel, address: addressOf(recipient) }, message);
        return;
      } catch (error) {
        const delay = delays[attempt];
        if (delay === undefined) {
          logger.error({ err: error, channel: recipient.channel, template }, 'notification not delivered');
          return;
        }
        logger.warn(
          { err: error, channel: recipient.channel, template, attempt },
          'notification failed; retrying',
        );
        await sleep(delay);
      }
    }
  }

  async function enqueue(
    deps: NotificationDeliveryDeps,
    recipient: Recipient,
    locale: string,
    template: TemplateName,
    message: RenderedMessage,
    sendOptions: NotifyOptions & { userId?: string | null },
  ) {
    const now = deps.clock.now();
    const id = newId('notification', now.getTime());
    const { inserted } = await deps.store.notifications.enqueue({
      message: {
        id,
        dedupeKey: sendOptions.dedupeKey ?? id,
        userId: sendOptions.userId ?? null,
        channel: recipient.channel,
        address: addressOf(recipient),
        template,
        locale,
        ...message,
        status: 'queued',
        attempts: 0,
        nextAttemptAt: now,
        lastError: null,
        createdAt: now,
        updatedAt: now,
        sentAt: null,
      },
    });
    if (!inserted || options.fastPath === false) return;
    // Not awaited by the caller: the message is safe in the queue; this only makes it arrive sooner.
    track(
      deliverNow(deps, id).catch((error: unknown) =>
        logger.warn({ err: error, notificationId: id }, 'notification fast path failed; the job retries it'),
      ),
    );
  }

  const notifier: Notifier = {
    send(recipient, locale, template, vars, sendOptions = {}) {
      let message: RenderedMessage;
      try {
        message = render(template, locale, vars);
      } catch (error) {
        logger.error({ err: error, template }, 'notification template failed');
        return Promise.resolve();
      }
      const job = queue
        ? enqueue(queue, recipient, locale, template, message, sendOptions).catch((error: unknown) => {
            logger.error({ err: error, channel: recipient.channel, template }, 'notification not queued');
          })
        : sendInProcess(recipient, template, message);
      return track(job);
    },
    notifyUser(user, template, vars, notifyOptions = {}) {
      const recipient = recipientOf(user);
      if (!recipient) {
        logger.warn({ userId: user.id, template }, 'user has no notification channel');
        return Promise.resolve();
      }
      return notifier.send(recipient, user.locale, template, vars, { ...notifyOptions, userId: user.id });
    },
    useQueue({ store, clock }) {
      queue = {
        store,
        clock,
        logger: options.logger,
        channels,
        retry: options.queueRetry ?? DEFAULT_NOTIFICATION_RETRY,
      };
    },
    async deliverDue(deliverOptions = {}) {
      if (!queue) return 0;
      return deliverDueNotifications(queue, deliverOptions);
    },
    async idle() {
      while (pending.size > 0) await Promise.allSettled([...pending]);
    },
    async close() {
      await notifier.idle();
      await options.mailer.close();
      await options.telegram?.close();
    },
  };
  return notifier;
}
