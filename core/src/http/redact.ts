/**
 * Redaction for outbound HTTP logs. Provider calls carry API keys in headers, signatures and tokens in
 * query strings, and (for card acquirers) card data in bodies — so bodies are never logged at all, and
 * header and query values whose name looks secret are replaced before anything reaches a logger.
 */
export const REDACTED = '[REDACTED]';

/**
 * Names of headers and query parameters whose values are never logged. Matched case-insensitively
 * anywhere in the name, so `X-Api-Key`, `LMI_SECRET_KEY` and `access_token` are all caught.
 */
const SECRET_NAME =
  /auth|cookie|token|secret|passw|pwd|signature|sign$|^sign|hash|api[-_]?key|access[-_]?key|private|credential|session|pan$|card|cvc|cvv|otp/i;

export function isSecretName(name: string): boolean {
  return SECRET_NAME.test(name);
}

/** A copy of `headers` with secret-looking values replaced (names are kept, so the log shows they were sent). */
export function redactHeaders(
  headers: Record<string, string | string[] | undefined>,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    out[name] = isSecretName(name) ? REDACTED : Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

/**
 * The URL fit for a log line: user info dropped, secret-looking query values replaced. A URL that does
 * not parse is not logged verbatim (it could be anything), only its length.
 */
export function redactUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return `[unparseable URL, ${url.length} chars]`;
  }
  if (parsed.username || parsed.password) {
    parsed.username = '';
    parsed.password = '';
  }
  for (const name of [...parsed.searchParams.keys()]) {
    if (isSecretName(name)) parsed.searchParams.set(name, REDACTED);
  }
  return parsed.toString();
}

/** Only the origin (scheme, host, port): what error messages may show. */
export function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return '[unparseable URL]';
  }
}
