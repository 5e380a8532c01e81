import { Agent, type Dispatcher } from 'undici';
import { PayrailError } from '../errors';
import type { HttpClient, HttpRequest, HttpResponse } from '../ports/http-client';
import { type Logger, silentLogger } from '../ports/logger';
import { originOf, redactHeaders, redactUrl } from './redact';

export { isSecretName, REDACTED, redactHeaders, redactUrl } from './redact';

export interface UndiciHttpClientOptions {
  /**
   * Time allowed for one call, from dispatch to the last byte of the body (default 30 s). It also bounds
   * the wait for response headers and between body chunks. A call may lower it with `HttpRequest.timeoutMs`.
   */
  timeoutMs?: number;
  /** Time allowed to open the TCP (and TLS) connection (default 10 s, never more than `timeoutMs`). */
  connectTimeoutMs?: number;
  /** Connections kept per origin (default 16). One Agent serves every origin the plugins talk to. */
  connections?: number;
  /** Responses larger than this are refused (default 10 MiB): a provider's answer is never that large. */
  maxResponseBytes?: number;
  logger?: Logger;
}

const DEFAULTS = {
  timeoutMs: 30_000,
  connectTimeoutMs: 10_000,
  connections: 16,
  maxResponseBytes: 10 * 1024 * 1024,
};

/**
 * Error codes that mean the request never left this process or never reached the provider: the
 * connection could not be opened (refused, DNS, routing, connect timeout, TLS handshake) or the client
 * was closed. Retrying is safe — nothing happened at the provider.
 */
const NOT_SENT_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EAI_FAIL',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ENETUNREACH',
  'ENETDOWN',
  'EADDRNOTAVAIL',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_CLOSED',
  'UND_ERR_DESTROYED',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'ERR_SSL_WRONG_VERSION_NUMBER',
]);

/** Timeouts after the request was (or may have been) sent: the provider may have acted. */
const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

/** Arguments undici refused before doing anything: a bug in the calling plugin. */
const BAD_ARGUMENT_CODES = new Set(['UND_ERR_INVALID_ARG', 'UND_ERR_NOT_SUPPORTED', 'ERR_INVALID_URL']);

function errorCode(err: unknown): string | undefined {
  // undici wraps some connect errors; the useful code may sit one level down in `cause`.
  for (let e: unknown = err, depth = 0; e && typeof e === 'object' && depth < 3; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && code !== 'UND_ERR') return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

function isAbort(err: unknown): boolean {
  const name = (err as { name?: unknown } | null)?.name;
  return name === 'TimeoutError' || name === 'AbortError';
}

/**
 * Translates whatever undici or Node threw into a PayrailError. The message names only the provider's
 * origin — never the path, query or body, which can hold secrets or card data.
 */
export function translateHttpError(
  err: unknown,
  req: { method: string; url: string },
  timeoutMs: number,
): PayrailError {
  if (err instanceof PayrailError) return err;
  const origin = originOf(req.url);
  const code = errorCode(err);
  const details = { origin, method: req.method, ...(code ? { cause: code } : {}) };
  if (code && NOT_SENT_CODES.has(code)) {
    return new PayrailError('PAYRAIL_ERR_PROVIDER_UNAVAILABLE', {
      message: `Could not connect to the payment provider at ${origin} (${code}); the request was not sent. Retry later.`,
      outcomeUnknown: false,
      details,
      cause: err,
    });
  }
  if (code && BAD_ARGUMENT_CODES.has(code)) {
    return new PayrailError('PAYRAIL_ERR_INTERNAL', {
      message: `The HTTP request to ${origin} is invalid (${code}); this is a bug in the calling plugin.`,
      retryable: false,
      outcomeUnknown: false,
      details,
      cause: err,
    });
  }
  if ((code && TIMEOUT_CODES.has(code)) || isAbort(err) || code === 'UND_ERR_ABORTED') {
    return new PayrailError('PAYRAIL_ERR_PROVIDER_TIMEOUT', {
      message: `The payment provider at ${origin} did not answer within ${timeoutMs} ms after the request was sent; the outcome is unknown.`,
      outcomeUnknown: true,
      details,
      cause: err,
    });
  }
  // The connection broke while the request was in flight (reset, closed, malformed answer). We cannot
  // tell whether the provider processed it, so the outcome is unknown, exactly as for a timeout.
  return new PayrailError('PAYRAIL_ERR_PROVIDER_TIMEOUT', {
    message: `The connection to the payment provider at ${origin} failed after the request was sent (${code ?? 'unknown error'}); the outcome is unknown.`,
    outcomeUnknown: true,
    details,
    cause: err,
  });
}

function flattenHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) out[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

async function readBody(
  body: Dispatcher.ResponseData['body'],
  limit: number,
  origin: string,
): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array);
    size += buf.length;
    if (size > limit) {
      body.destroy();
      throw new PayrailError('PAYRAIL_ERR_PROVIDER_REJECTED', {
        message: `The payment provider at ${origin} sent a response larger than ${limit} bytes; it was not read. The outcome is unknown.`,
        outcomeUnknown: true,
        details: { origin },
      });
    }
    chunks.push(buf);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export interface UndiciHttpClient extends HttpClient {
  /** The undici dispatcher, for diagnostics (pool stats). */
  readonly dispatcher: Agent;
}

/**
 * The `HttpClient` port on undici: one `Agent` (a pool per origin) shared by every plugin, no redirects
 * followed, no automatic retries of non-idempotent calls, and failures translated at this boundary:
 *
 * - connection not established (refused, DNS, connect timeout, TLS) → `PAYRAIL_ERR_PROVIDER_UNAVAILABLE`,
 *   `outcomeUnknown: false` — the provider never saw the request, a retry is safe;
 * - no answer in time, or the connection broke after sending → `PAYRAIL_ERR_PROVIDER_TIMEOUT`,
 *   `outcomeUnknown: true` — the provider may have acted; the caller must sync, not resend.
 *
 * HTTP error statuses are answers, not failures: they are returned for the plugin to interpret.
 * Logs carry method, redacted URL and headers, status and duration — never a body.
 */
export function createUndiciHttpClient(options: UndiciHttpClientOptions = {}): UndiciHttpClient {
  const timeoutMs = options.timeoutMs ?? DEFAULTS.timeoutMs;
  const connectTimeoutMs = Math.min(options.connectTimeoutMs ?? DEFAULTS.connectTimeoutMs, timeoutMs);
  const maxResponseBytes = options.maxResponseBytes ?? DEFAULTS.maxResponseBytes;
  const logger = (options.logger ?? silentLogger).child({ component: 'http-client' });
  for (const [name, value] of Object.entries({ timeoutMs, connectTimeoutMs, maxResponseBytes })) {
    if (!Number.isInteger(value) || value <= 0) {
      throw new PayrailError('PAYRAIL_ERR_CONFIG', {
        message: `HTTP client option ${name} must be a positive integer.`,
      });
    }
  }

  const agent = new Agent({
    connections: options.connections ?? DEFAULTS.connections,
    connect: { timeout: connectTimeoutMs },
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
  });

  async function request(req: HttpRequest): Promise<HttpResponse> {
    const callTimeout = Math.min(req.timeoutMs ?? timeoutMs, timeoutMs);
    const started = performance.now();
    const logged = { method: req.method, url: redactUrl(req.url) };
    logger.debug(
      {
        ...logged,
        headers: redactHeaders(req.headers ?? {}),
        bodyBytes: req.body === undefined ? 0 : Buffer.byteLength(req.body),
      },
      'provider request',
    );

    let url: URL;
    try {
      url = new URL(req.url);
    } catch (err) {
      throw translateHttpError(err, req, callTimeout);
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') {
      throw new PayrailError('PAYRAIL_ERR_INTERNAL', {
        message: `Only http(s) URLs can be requested, got ${url.protocol}`,
        retryable: false,
      });
    }

    try {
      const res = await agent.request({
        origin: url.origin,
        path: `${url.pathname}${url.search}`,
        method: req.method,
        headers: req.headers,
        body: req.body,
        headersTimeout: callTimeout,
        bodyTimeout: callTimeout,
        // The overall deadline also covers a body that trickles in under bodyTimeout per chunk.
        signal: AbortSignal.timeout(callTimeout),
      });
      const body = await readBody(res.body, maxResponseBytes, url.origin);
      const durationMs = Math.round(performance.now() - started);
      logger.debug(
        { ...logged, statusCode: res.statusCode, durationMs, bodyBytes: body.length },
        'provider response',
      );
      return { statusCode: res.statusCode, headers: flattenHeaders(res.headers), body };
    } catch (err) {
      const failure = translateHttpError(err, req, callTimeout);
      logger.warn(
        {
          ...logged,
          code: failure.code,
          cause: errorCode(err),
          outcomeUnknown: failure.outcomeUnknown,
          durationMs: Math.round(performance.now() - started),
        },
        'provider request failed',
      );
      throw failure;
    }
  }

  return {
    dispatcher: agent,
    request,
    close: () => agent.close(),
  };
}
