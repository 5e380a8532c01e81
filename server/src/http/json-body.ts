import { PayrailError } from '@payrail/core';
import type { FastifyInstance } from 'fastify';

/**
 * The API accepts JSON bodies only. Replaces Fastify's parsers in a context so that
 * - an empty body with `Content-Type: application/json` counts as no body (`POST …/cancel` may be sent
 *   either way), leaving it to the route's schema to require one;
 * - malformed JSON, and JSON that tries prototype pollution (`__proto__`, `constructor.prototype`), is a
 *   400 PAYRAIL_ERR_MALFORMED_JSON;
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
        done(null, value);
      });
    },
  );
}
