/**
 * Paths pino redacts in every log line. Request bodies are never logged at all; these cover headers and
 * anything that might carry card data or secrets if an object is logged by mistake.
 */
export const LOG_REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  'authorization',
  '*.authorization',
  'number',
  'cvc',
  '*.number',
  '*.cvc',
  '*.pan',
  '*.password',
  '*.secret',
  '*.secretKey',
  'body.number',
  'body.cvc',
  'req.body',
];
