import { PayrailError } from '@payrail/core';
import type { FastifyInstance } from 'fastify';

/**
 * The API accepts JSON bodies only. Replaces Fastify's parsers in a context so that
 * - an empty body with `Content-Type: application/json` counts as no body (`POST …/cancel` may be sent
 *   either way), leaving it to the route's schema to require one;
 * - malformed JSON, and JSON that tries prototype pollution (`__proto__`, `constructor.prototype`), is a
 *   400 PAYRAIL_ERR_MALFORMED_JSON;
 * - a string or key holding U+0000 is a 400 PAYRAIL_ERR_VALIDATION: PostgreSQL cannot store it (text and
 *   jsonb refuse it), so it would otherwise fail as a 500 deep in the store;
 * - any other content type is a 415 (Fastify's FST_ERR_CTP_INVALID_MEDIA_TYPE, translated centrally).
 */
export function acceptJsonOnly(app: FastifyInstance): void {
  const parse = app.getDefaultJsonParser('error', 'error');
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(
    // application/json and the +json family (application/merge-patch+json), with any parameters
    /^application\/(?:[\w.+-]+\+)?json\s*(?:;.*)?$/i,
    { parseAs: 'string' },
    (request, body, done) => {
      const text = typeof body === 'string' ? body : body.toString('utf8');
      if (text.trim() === '') {
        done(null, undefined);
        return;
      }
      parse(request, text, (error, value) => {
        if (error) {
          // A fixed message: V8's JSON.parse messages quote the input, which may hold a card number.
          done(new PayrailError('PAYRAIL_ERR_MALFORMED_JSON'), undefined);
          return;
        }
        // JSON can only carry U+0000 as the escape \u0000: look deeper only when the text has one.
        const nul = /\\u0000/i.test(text) ? nulPath(value, []) : null;
        if (nul) {
          done(
            new PayrailError('PAYRAIL_ERR_VALIDATION', {
              ...(nul.length > 0 ? { param: nul.join('.') } : {}),
              message: 'Text in the request must not contain the NUL character (U+0000).',
            }),
            undefined,
          );
          return;
        }
        done(null, value);
      });
    },
  );
}

/** The path of the first string or key holding U+0000 in a parsed JSON value, or null. */
function nulPath(value: unknown, path: string[]): string[] | null {
  if (typeof value === 'string') return value.includes('\u0000') ? path : null;
  if (value === null || typeof value !== 'object') return null;
  for (const [key, item] of Object.entries(value)) {
    if (key.includes('\u0000')) return [...path, key];
    const found = nulPath(item, [...path, key]);
    if (found) return found;
  }
  return null;
}

/** The same rule for the URL: `%00` in a path or query parameter is a 400, not a 500 from the store. */
export function refuseNulInUrl(url: string): void {
  if (/%00/.test(url)) {
    throw new PayrailError('PAYRAIL_ERR_VALIDATION', {
      message: 'Text in the request must not contain the NUL character (U+0000).',
    });
  }
}
