import type { FastifyRequest } from 'fastify';

/**
 * What the server's request logger must never write (DESIGN.md §8): card numbers, CVCs, secrets,
 * passwords, tokens. Request bodies are not logged at all (Fastify's request serializer below has no
 * body); these paths are the second line of defence for anything that logs an object by hand.
 */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.body',
  'request.body',
  'body.number',
  'body.cvc',
  'headers.authorization',
  'headers.cookie',
  'res.headers["set-cookie"]',
  '*.number',
  '*.cvc',
  '*.cvv',
  '*.pan',
  '*.card_number',
  '*.cardNumber',
  '*.secret',
  '*.password',
  '*.token',
  '*.authorization',
  '*.apiKey',
  '*.api_key',
  '*.*.number',
  '*.*.cvc',
  '*.*.secret',
  '*.*.password',
  'number',
  'cvc',
  'paymentMethod',
  '*.paymentMethod',
];

/** The request as logged: no body, no headers, no query on provider callbacks (they may carry tokens). */
function serializeRequest(request: FastifyRequest) {
  // Something else logged under `req` by hand: leave it to the redaction paths.
  if (typeof request?.url !== 'string') return request;
  const url = request.url.startsWith('/hooks/') ? request.url.split('?')[0] : request.url;
  return {
    method: request.method,
    url,
    remoteAddress: request.ip,
  };
}

/**
 * pino options for Fastify. `option` is AppOptions.logger: false turns logging off, true uses the
 * defaults, an object is merged (a caller's `redact` paths are added to ours, never replace them).
 */
export function loggerOptions(
  option: boolean | Record<string, unknown> | undefined,
): false | Record<string, unknown> {
  if (option === false) return false;
  const given = option === true || option === undefined ? {} : option;
  const givenRedact = given.redact as { paths?: string[] } | string[] | undefined;
  const extraPaths = Array.isArray(givenRedact) ? givenRedact : (givenRedact?.paths ?? []);
  return {
    level: 'info',
    ...given,
    redact: { paths: [...REDACT_PATHS, ...extraPaths], censor: '[redacted]' },
    serializers: {
      ...(given.serializers as Record<string, unknown> | undefined),
      req: serializeRequest,
    },
  };
}
