import { createUndiciHttpClient, type HttpClient, PayrailError } from '@payrail/core';

/** A notification channel that sends Telegram messages through the Bot API. */
export interface TelegramBot {
  sendMessage(args: { chatId: string; text: string }): Promise<void>;
  close(): Promise<void>;
}

export interface TelegramBotOptions {
  token: string;
  /** Bot API origin; tests point it at a loopback server (default https://api.telegram.org). */
  apiOrigin?: string;
}

/**
 * `POST /bot<token>/sendMessage` over undici. The client gets no logger: the token is part of the URL
 * path, where the HTTP client's redaction (headers and query) would not catch it.
 */
export function telegramBot(
  options: TelegramBotOptions,
  http: HttpClient = createUndiciHttpClient(),
): TelegramBot {
  const origin = (options.apiOrigin ?? 'https://api.telegram.org').replace(/\/$/, '');
  return {
    async sendMessage({ chatId, text }) {
      const response = await http.request({
        method: 'POST',
        url: `${origin}/bot${options.token}/sendMessage`,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ chat_id: chatId, text, link_preview_options: { is_disabled: true } }),
        timeoutMs: 10_000,
      });
      let body: { ok?: boolean; description?: string } = {};
      try {
        body = JSON.parse(response.body) as typeof body;
      } catch {
        // handled below: not ok
      }
      if (response.statusCode !== 200 || body.ok !== true) {
        throw new PayrailError('PAYRAIL_ERR_PROVIDER_REJECTED', {
          message: `Telegram sendMessage failed (${response.statusCode}): ${String(body.description ?? 'no description').slice(0, 200)}`,
        });
      }
    },
    close: () => http.close(),
  };
}
