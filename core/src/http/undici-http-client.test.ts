import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PayrailError } from '../errors';
import type { Logger } from '../ports/logger';
import { REDACTED, redactHeaders, redactUrl } from './redact';
import { createUndiciHttpClient, translateHttpError } from './undici-http-client';

type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void;

/** A loopback server whose behaviour each test sets. */
async function startServer(): Promise<{ server: Server; origin: string; handle(h: Handler): void }> {
  let handler: Handler = (_req, res) => res.end('ok');
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => handler(req, res, Buffer.concat(chunks).toString('utf8')));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { server, origin: `http://127.0.0.1:${port}`, handle: (h) => (handler = h) };
}

/** A port with nothing listening: bind, read the port, close. */
async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

function recordingLogger(): Logger & { lines: Array<{ level: string; obj: object; msg?: string }> } {
  const lines: Array<{ level: string; obj: object; msg?: string }> = [];
  const make = (bindings: object): Logger => ({
    debug: (obj, msg) => lines.push({ level: 'debug', obj: { ...bindings, ...obj }, msg }),
    info: (obj, msg) => lines.push({ level: 'info', obj: { ...bindings, ...obj }, msg }),
    warn: (obj, msg) => lines.push({ level: 'warn', obj: { ...bindings, ...obj }, msg }),
    error: (obj, msg) => lines.push({ level: 'error', obj: { ...bindings, ...obj }, msg }),
    child: (more) => make({ ...bindings, ...more }),
  });
  return Object.assign(make({}), { lines });
}

async function failure(p: Promise<unknown>): Promise<PayrailError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(PayrailError);
    return err as PayrailError;
  }
  throw new Error('expected the request to fail');
}

describe('createUndiciHttpClient', () => {
  let srv: Awaited<ReturnType<typeof startServer>>;
  const clients: Array<{ close(): Promise<void> }> = [];
  const client = (opts: Parameters<typeof createUndiciHttpClient>[0] = {}) => {
    const c = createUndiciHttpClient(opts);
    clients.push(c);
    return c;
  };

  beforeAll(async () => {
    srv = await startServer();
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
  });
  afterAll(async () => {
    srv.server.closeAllConnections();
    await new Promise<void>((resolve) => srv.server.close(() => resolve()));
  });

  it('sends method, path, query, headers and body, and returns status, lower-case headers and body', async () => {
    srv.handle((req, res, body) => {
      res.writeHead(201, { 'Content-Type': 'application/json', 'X-Echo': req.headers['x-request'] ?? '' });
      res.end(JSON.stringify({ method: req.method, url: req.url, body }));
    });
    const res = await client().request({
      method: 'POST',
      url: `${srv.origin}/v1/charges?expand=card`,
      headers: { 'content-type': 'application/json', 'x-request': 'abc' },
      body: JSON.stringify({ amount: 1234 }),
    });
    expect(res.statusCode).toBe(201);
    expect(res.headers['content-type']).toBe('application/json');
    expect(res.headers['x-echo']).toBe('abc');
    expect(JSON.parse(res.body)).toEqual({
      method: 'POST',
      url: '/v1/charges?expand=card',
      body: '{"amount":1234}',
    });
  });

  it('returns HTTP error statuses as answers, not failures, and does not follow redirects', async () => {
    srv.handle((_req, res) => res.writeHead(503).end('busy'));
    const c = client();
    expect(await c.request({ method: 'GET', url: `${srv.origin}/x` })).toMatchObject({
      statusCode: 503,
      body: 'busy',
    });
    srv.handle((_req, res) => res.writeHead(302, { location: 'http://example.invalid/' }).end());
    expect((await c.request({ method: 'GET', url: `${srv.origin}/x` })).statusCode).toBe(302);
  });

  it('reuses connections to an origin (keep-alive)', async () => {
    const ports = new Set<number>();
    srv.handle((req, res) => {
      ports.add(req.socket.remotePort ?? 0);
      res.end('ok');
    });
    const c = client({ connections: 1 });
    for (let i = 0; i < 5; i++) await c.request({ method: 'GET', url: `${srv.origin}/ping` });
    expect(ports.size).toBe(1);
  });

  it('connection refused → PROVIDER_UNAVAILABLE, retryable, outcome known (never sent)', async () => {
    const port = await freePort();
    const err = await failure(
      client().request({ method: 'POST', url: `http://127.0.0.1:${port}/v1/pay`, body: '{}' }),
    );
    expect(err.code).toBe('PAYRAIL_ERR_PROVIDER_UNAVAILABLE');
    expect(err.retryable).toBe(true);
    expect(err.outcomeUnknown).toBe(false);
    expect(err.details).toMatchObject({ origin: `http://127.0.0.1:${port}`, cause: 'ECONNREFUSED' });
    expect(err.message).not.toContain('/v1/pay');
  });

  it('unknown host → PROVIDER_UNAVAILABLE (DNS failure, never sent)', async () => {
    const err = await failure(
      client({ timeoutMs: 5_000 }).request({ method: 'GET', url: 'http://psp.invalid/x' }),
    );
    expect(err.code).toBe('PAYRAIL_ERR_PROVIDER_UNAVAILABLE');
    expect(err.outcomeUnknown).toBe(false);
  });

  it('slow server → PROVIDER_TIMEOUT with outcomeUnknown (the provider may have acted)', async () => {
    let received = false;
    srv.handle((_req, res) => {
      received = true;
      setTimeout(() => res.end('too late'), 1_000);
    });
    const started = Date.now();
    const err = await failure(
      client({ timeoutMs: 200 }).request({ method: 'POST', url: `${srv.origin}/slow`, body: 'x' }),
    );
    expect(Date.now() - started).toBeLessThan(900);
    expect(received).toBe(true);
    expect(err.code).toBe('PAYRAIL_ERR_PROVIDER_TIMEOUT');
    expect(err.outcomeUnknown).toBe(true);
    expect(err.retryable).toBe(true);
  });

  it('a per-call timeoutMs lowers the client timeout', async () => {
    srv.handle((_req, res) => setTimeout(() => res.end('late'), 600));
    const err = await failure(
      client({ timeoutMs: 10_000 }).request({ method: 'GET', url: `${srv.origin}/slow`, timeoutMs: 100 }),
    );
    expect(err.code).toBe('PAYRAIL_ERR_PROVIDER_TIMEOUT');
    expect(err.outcomeUnknown).toBe(true);
  });

  it('a body that stalls after the headers → PROVIDER_TIMEOUT with outcomeUnknown', async () => {
    srv.handle((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('partial');
      setTimeout(() => res.end('rest'), 1_000);
    });
    const err = await failure(
      client({ timeoutMs: 200 }).request({ method: 'GET', url: `${srv.origin}/stall` }),
    );
    expect(err.code).toBe('PAYRAIL_ERR_PROVIDER_TIMEOUT');
    expect(err.outcomeUnknown).toBe(true);
  });

  it('the connection dropped after sending → PROVIDER_TIMEOUT with outcomeUnknown', async () => {
    srv.handle((req) => req.socket.destroy());
    const err = await failure(client().request({ method: 'POST', url: `${srv.origin}/drop`, body: '{}' }));
    expect(err.code).toBe('PAYRAIL_ERR_PROVIDER_TIMEOUT');
    expect(err.outcomeUnknown).toBe(true);
  });

  it('refuses responses above maxResponseBytes', async () => {
    srv.handle((_req, res) => res.end('x'.repeat(5_000)));
    const err = await failure(
      client({ maxResponseBytes: 1_000 }).request({ method: 'GET', url: `${srv.origin}/big` }),
    );
    expect(err.code).toBe('PAYRAIL_ERR_PROVIDER_REJECTED');
    expect(err.outcomeUnknown).toBe(true);
  });

  it('rejects a malformed or non-http URL as a bug, without sending', async () => {
    const c = client();
    expect((await failure(c.request({ method: 'GET', url: 'not a url' }))).code).toBe('PAYRAIL_ERR_INTERNAL');
    expect((await failure(c.request({ method: 'GET', url: 'file:///etc/passwd' }))).code).toBe(
      'PAYRAIL_ERR_INTERNAL',
    );
  });

  it('after close, requests fail as PROVIDER_UNAVAILABLE (not sent)', async () => {
    const c = createUndiciHttpClient();
    await c.close();
    const err = await failure(c.request({ method: 'GET', url: `${srv.origin}/x` }));
    expect(err.code).toBe('PAYRAIL_ERR_PROVIDER_UNAVAILABLE');
    expect(err.outcomeUnknown).toBe(false);
  });

  it('rejects invalid options', () => {
    expect(() => createUndiciHttpClient({ timeoutMs: 0 })).toThrow(PayrailError);
    expect(() => createUndiciHttpClient({ maxResponseBytes: -1 })).toThrow(PayrailError);
  });

  it('logs method, redacted URL and headers, status and duration — never secrets or bodies', async () => {
    srv.handle((_req, res) =>
      res.writeHead(200, { 'set-cookie': 'sid=s3cr3t-cookie' }).end('{"token":"resp-s3cr3t"}'),
    );
    const logger = recordingLogger();
    const secretBody = JSON.stringify({
      card: { number: '4242424242424242', cvc: '123' },
      password: 'hunter2',
    });
    await client({ logger }).request({
      method: 'POST',
      url: `http://user:pa55word@127.0.0.1:${new URL(srv.origin).port}/pay?sign=abcdef123&order=42&access_token=tok-s3cr3t`,
      headers: {
        Authorization: 'Bearer sk_live_s3cr3t',
        'X-Api-Key': 'key-s3cr3t',
        'X-Signature': 'sig-s3cr3t',
        'content-type': 'application/json',
      },
      body: secretBody,
    });
    const err = await failure(
      client({ logger }).request({
        method: 'POST',
        url: `http://127.0.0.1:${await freePort()}/pay?secret=q-s3cr3t`,
        headers: { authorization: 'Basic czNjcjN0' },
        body: secretBody,
      }),
    );
    const text = JSON.stringify(logger.lines) + err.message + JSON.stringify(err.details);
    for (const secret of [
      'sk_live_s3cr3t',
      'key-s3cr3t',
      'sig-s3cr3t',
      'abcdef123',
      'tok-s3cr3t',
      'pa55word',
      '4242424242424242',
      'hunter2',
      'resp-s3cr3t',
      's3cr3t-cookie',
      'q-s3cr3t',
      'czNjcjN0',
    ]) {
      expect(text).not.toContain(secret);
    }
    const request = logger.lines.find((l) => l.msg === 'provider request')!.obj as Record<string, unknown>;
    expect(request).toMatchObject({ component: 'http-client', method: 'POST' });
    expect(request.url).toContain('order=42');
    expect((request.headers as Record<string, string>).Authorization).toBe(REDACTED);
    expect((request.headers as Record<string, string>)['content-type']).toBe('application/json');
    const response = logger.lines.find((l) => l.msg === 'provider response')!.obj as Record<string, unknown>;
    expect(response).toMatchObject({ statusCode: 200 });
    expect(typeof response.durationMs).toBe('number');
    expect(logger.lines.find((l) => l.msg === 'provider request failed')?.level).toBe('warn');
  });
});

describe('redaction helpers', () => {
  it('redacts secret-looking header names, keeps the rest', () => {
    expect(
      redactHeaders({
        authorization: 'Bearer x',
        Cookie: 'a=b',
        'X-Api-Key': 'k',
        'x-qiwi-signature': 's',
        'content-type': 'text/plain',
        accept: ['a', 'b'],
        skipped: undefined,
      }),
    ).toEqual({
      authorization: REDACTED,
      Cookie: REDACTED,
      'X-Api-Key': REDACTED,
      'x-qiwi-signature': REDACTED,
      'content-type': 'text/plain',
      accept: 'a, b',
    });
  });

  it('redacts user info and secret-looking query values in URLs', () => {
    const out = redactUrl('https://u:p@psp.example/api?LMI_HASH=abc&LMI_PAYMENT_NO=7&api_key=k');
    expect(out).not.toContain('u:p@');
    expect(out).not.toContain('=abc');
    expect(out).not.toContain('=k');
    expect(out).toContain('LMI_PAYMENT_NO=7');
    expect(redactUrl('::not a url with secret')).not.toContain('secret');
  });

  it('translateHttpError passes PayrailErrors through and treats unknown errors as outcome unknown', () => {
    const original = new PayrailError('PAYRAIL_ERR_PROVIDER_REJECTED');
    expect(translateHttpError(original, { method: 'GET', url: 'http://x' }, 1)).toBe(original);
    const unknown = translateHttpError(
      new Error('boom'),
      { method: 'POST', url: 'https://psp.example/a?b=c' },
      1,
    );
    expect(unknown.code).toBe('PAYRAIL_ERR_PROVIDER_TIMEOUT');
    expect(unknown.outcomeUnknown).toBe(true);
    expect(unknown.message).toContain('https://psp.example');
    expect(unknown.message).not.toContain('b=c');
  });
});
