import type { Logger, User } from '@payrail/core';
import type { Mailer } from './mailer';
import type { TelegramBot } from './telegram-bot';
import { render, type TemplateName } from './templates';

export type Recipient = { channel: 'email'; address: string } | { channel: 'telegram'; chatId: string };

/**
 * Sends account and payment notifications in the background with retries. Callers never wait for a
 * channel (an answer that waited for SMTP would take longer for existing accounts, revealing them) and a
 * failing channel never fails the operation that triggered it: after the last retry it is logged.
 */
export interface Notifier {
  /** Queues a message to the user's chosen channel (email login or bound Telegram). */
  notifyUser(user: User, template: TemplateName, vars: Record<string, string | number>): void;
  /** Queues a message to an explicit recipient. */
  send(
    recipient: Recipient,
    locale: string,
    template: TemplateName,
    vars: Record<string, string | number>,
  ): void;
  /** Resolves when every queued message was delivered or given up (tests, shutdown). */
  idle(): Promise<void>;
  close(): Promise<void>;
}

export interface NotifierOptions {
  mailer: Mailer;
  telegram: TelegramBot | null;
  logger: Logger;
  /** Delays before each retry; default 1 s, 10 s, 60 s. */
  retryDelaysMs?: readonly number[];
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

export function createNotifier(options: NotifierOptions): Notifier {
  const delays = options.retryDelaysMs ?? [1_000, 10_000, 60_000];
  const logger = options.logger.child({ component: 'notifier' });
  const pending = new Set<Promise<void>>();

  async function deliver(recipient: Recipient, message: ReturnType<typeof render>): Promise<void> {
    if (recipient.channel === 'email') {
      await options.mailer.send({ to: recipient.address, ...message });
      return;
    }
    if (!options.telegram) throw new Error('Telegram is not configured (PAYRAIL_TELEGRAM_BOT_TOKEN)');
    await options.telegram.sendMessage({
      chatId: recipient.chatId,
      text: `${message.subject}\n\n${message.text}`,
    });
  }

  async function run(recipient: Recipient, template: TemplateName, message: ReturnType<typeof render>) {
    for (let attempt = 0; ; attempt++) {
      try {
        await deliver(recipient, message);
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

  const notifier: Notifier = {
    send(recipient, locale, template, vars) {
      let message: ReturnType<typeof render>;
      try {
        message = render(template, locale, vars);
      } catch (error) {
        logger.error({ err: error, template }, 'notification template failed');
        return;
      }
      const job = run(recipient, template, message).finally(() => pending.delete(job));
      pending.add(job);
    },
    notifyUser(user, template, vars) {
      const recipient = recipientOf(user);
      if (!recipient) {
        logger.warn({ userId: user.id, template }, 'user has no notification channel');
        return;
      }
      notifier.send(recipient, user.locale, template, vars);
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
