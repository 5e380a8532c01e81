import { createHash } from 'node:crypto';
import { ID_PREFIXES, type IdKind, type Mode, PayrailError, ulid } from '@payrail/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { scopeOf } from './auth';

/**
 * Idempotency for the mutating merchant calls (every POST in the context this is added to).
 *
 * A request with an `Idempotency-Key` header claims the key for its merchant and mode (after
 * authentication and schema validation, so a rejected request never burns a key), runs, and stores its
 * status and body. A retry with the same key and the same request replays that answer byte for byte
 * (with `Idempotent-Replayed: true`); the same key with another request is a 422; a retry while the first
 * is still running is a 409. Requests without the header run normally.
 *
 * Not stored, so a retry with the same key runs again:
 * - 5xx answers (the store's or provider's failure may be transient);
 * - 409 and 429 answers (retryable by definition: a concurrent change, a rate limit). Storing them would
 *   make the client's correct reaction — retrying with the same key — fail forever.
 * The claim has a lock of 60 s; if this process dies mid-request the key becomes claimable again then.
 * The claim also reserves the id of the object the request creates (`reservedId`), and a retry that
 * takes over a dead claim gets that id back, so it returns what the dead attempt created instead of
 * creating a second payment or refund.
 * A 5xx/409/429 answer is such an attempt too: it may have failed AFTER acting (the provider refunded,
 * then recording that hit a store error or lost every version race). So the key is `abandon`ed — its
 * lock released, its request and reserved id kept — not forgotten: the retry of the same request runs
 * at once with the same id (`resumed`) and answers the payment or refund the failed attempt created;
 * another request with the key is a 422, as after a dead claim.
 */

export interface IdempotencyClaim {
  merchantId: string;
  mode: Mode;
  key: string;
}

/** What a request holding a key knows about it (on `request.idempotency`). */
export interface HeldIdempotencyKey extends IdempotencyClaim {
  /** The ULID reserved for the object this request creates. */
  resourceUlid: string;
  /** An earlier attempt with this key died in flight and may already have created that object. */
  resumed: boolean;
}

/**
 * The id a create route gives its new object. With an Idempotency-Key it is the one the key reserved,
 * and `resumed` says an earlier attempt may have created it already: look it up before creating.
 */
export function reservedId(request: FastifyRequest, kind: IdKind): { id?: string; resumed: boolean } {
  const held = request.idempotency;
  if (!held) return { resumed: false };
  return { id: `${ID_PREFIXES[kind]}_${held.resourceUlid}`, resumed: held.resumed };
}

export interface IdempotencyOptions {
  /** How long a completed key is remembered (at least 24 h). */
  ttlMs: number;
  /** How long an in-flight claim blocks other requests before it is considered dead. */
  lockMs?: number;
}

export const IDEMPOTENCY_HEADER = 'idempotency-key';
export const MIN_IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;
const KEY_PATTERN = /^[\x20-\x7e]{1,255}$/;

/** JSON with object keys sorted at every level, so `{a,b}` and `{b,a}` hash the same. */
export function canonicalJson(value: unknown): string {
  if (value === undefined || value === null) return 'null';
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (Array.isArray(value)) return `[${value.map((item) => canonicalJson(item)).join(',')}]`;
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** sha256 over method, path (with its ids, without the query) and the canonical body. */
export function requestHash(method: string, path: string, body: unknown): string {
  return createHash('sha256')
    .update(`${method.toUpperCase()}\n${path}\n${canonicalJson(body ?? {})}`, 'utf8')
    .digest('hex');
}

const RECORD_ATTEMPTS = 3;

const isRetryableStatus = (status: number): boolean => status >= 500 || status === 409 || status === 429;

export function addIdempotency(app: FastifyInstance, options: IdempotencyOptions): void {
  if (!(options.ttlMs >= MIN_IDEMPOTENCY_TTL_MS)) {
    throw new PayrailError('PAYRAIL_ERR_CONFIG', {
      message: `idempotencyTtlMs must be at least ${MIN_IDEMPOTENCY_TTL_MS} (24 h): the API promises keys are kept that long.`,
    });
  }
  const lockMs = options.lockMs ?? 60_000;
  const { store, clock } = app.services;

  const release = async (request: FastifyRequest, statusCode: number, payload: unknown) => {
    const held = request.idempotency;
    if (!held) return;
    request.idempotency = null;
    const claim: IdempotencyClaim = { merchantId: held.merchantId, mode: held.mode, key: held.key };
    const record = () =>
      isRetryableStatus(statusCode) || typeof payload !== 'string'
        ? store.idempotency.abandon(claim)
        : store.idempotency.complete({ ...claim, response: { statusCode, body: JSON.parse(payload) } });
    // A completed request whose outcome is not recorded would run again on a retry after the lock
    // expires, so a transient database error is retried a few times before giving up.
    for (let attempt = 1; ; attempt++) {
      try {
        await record();
        return;
      } catch (error) {
        if (attempt >= RECORD_ATTEMPTS) {
          // The answer still goes out; the claim expires by its lock and a retry runs again.
          request.log.error(
            { err: error, attempts: attempt },
            'could not record the idempotency key outcome',
          );
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, 50 * attempt));
      }
    }
  };

  app.addHook('preHandler', async (request: FastifyRequest, reply: FastifyReply) => {
    if (request.method !== 'POST') return;
    const key = request.headers[IDEMPOTENCY_HEADER];
    if (key === undefined) return;
    if (typeof key !== 'string' || !KEY_PATTERN.test(key)) {
      throw new PayrailError('PAYRAIL_ERR_IDEMPOTENCY_KEY_INVALID', {
        param: 'Idempotency-Key',
        message:
          'The Idempotency-Key header must be 1 to 255 printable ASCII characters (a UUID is a good choice).',
      });
    }
    const { merchantId, mode } = scopeOf(request);
    const now = clock.now();
    const claim: IdempotencyClaim = { merchantId, mode, key };
    const result = await store.idempotency.begin({
      ...claim,
      requestHash: requestHash(request.method, request.url.split('?')[0] ?? '', request.body),
      now,
      expiresAt: new Date(now.getTime() + options.ttlMs),
      lockedUntil: new Date(now.getTime() + lockMs),
      resourceUlid: ulid(now.getTime()),
    });
    switch (result.state) {
      case 'started':
        request.idempotency = { ...claim, resourceUlid: result.resourceUlid, resumed: result.resumed };
        return;
      case 'in_flight':
        throw new PayrailError('PAYRAIL_ERR_IDEMPOTENCY_IN_FLIGHT', { param: 'Idempotency-Key' });
      case 'mismatch':
        throw new PayrailError('PAYRAIL_ERR_IDEMPOTENCY_KEY_REUSED', { param: 'Idempotency-Key' });
      case 'completed':
        // A string payload with a JSON content type is sent as is: the stored body, not re-serialized.
        reply
          .code(result.response.statusCode)
          .header('idempotent-replayed', 'true')
          .type('application/json; charset=utf-8')
          .send(JSON.stringify(result.response.body));
        return reply;
    }
  });

  app.addHook('onSend', async (request, reply, payload) => {
    await release(request, reply.statusCode, payload);
    return payload;
  });

  // If the response failed before onSend (a broken connection), do not leave the key locked.
  app.addHook('onResponse', async (request, reply) => {
    await release(request, reply.statusCode >= 400 ? reply.statusCode : 500, undefined);
  });
}
