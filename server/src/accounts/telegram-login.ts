import { createHash, createHmac } from 'node:crypto';
import { PayrailError } from '@payrail/core';
import { z } from 'zod';
import { safeEqual } from './secrets';

/** The fields the Telegram Login Widget hands to the page (https://core.telegram.org/widgets/login). */
export const telegramAuthSchema = z.object({
  id: z.union([z.number().int().positive(), z.string().regex(/^\d{1,20}$/)]),
  first_name: z.string().max(256).optional(),
  last_name: z.string().max(256).optional(),
  username: z.string().max(64).optional(),
  photo_url: z.string().max(2048).optional(),
  auth_date: z.union([z.number().int().positive(), z.string().regex(/^\d{1,12}$/)]),
  hash: z.string().regex(/^[0-9a-f]{64}$/i, 'hash must be 64 hex characters'),
});

export type TelegramAuthData = z.infer<typeof telegramAuthSchema>;

/** How old widget data may be (issue 6: not older than a day). */
export const TELEGRAM_AUTH_MAX_AGE_S = 24 * 60 * 60;

/** `key=value` lines of every received field but `hash`, sorted by key (Telegram's data-check string). */
export function dataCheckString(data: Record<string, unknown>): string {
  return Object.keys(data)
    .filter((key) => key !== 'hash' && data[key] !== undefined && data[key] !== null)
    .sort()
    .map((key) => `${key}=${String(data[key])}`)
    .join('\n');
}

/** hex HMAC-SHA-256 of the data-check string, keyed with SHA-256(bot token), as Telegram computes it. */
export function telegramLoginHash(data: Record<string, unknown>, botToken: string): string {
  const key = createHash('sha256').update(botToken).digest();
  return createHmac('sha256', key).update(dataCheckString(data)).digest('hex');
}

/**
 * Verifies Login Widget data: the hash proves Telegram signed exactly these fields for our bot, and
 * `auth_date` bounds replay. Returns the numeric Telegram id (a username alone proves nothing).
 */
export function verifyTelegramLogin(
  data: TelegramAuthData,
  botToken: string,
  now: Date,
): { telegramId: string; username: string | null } {
  const expected = telegramLoginHash(data, botToken);
  if (!safeEqual(expected, data.hash.toLowerCase())) {
    throw new PayrailError('PAYRAIL_ERR_TELEGRAM_AUTH_INVALID', { param: 'telegram.hash' });
  }
  const age = Math.floor(now.getTime() / 1000) - Number(data.auth_date);
  if (age > TELEGRAM_AUTH_MAX_AGE_S || age < -300) {
    throw new PayrailError('PAYRAIL_ERR_TELEGRAM_AUTH_EXPIRED', { param: 'telegram.auth_date' });
  }
  return { telegramId: String(data.id), username: data.username ?? null };
}
