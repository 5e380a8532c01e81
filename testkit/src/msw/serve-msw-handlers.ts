import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { getResponse, type RequestHandler } from 'msw';

/**
 * msw cannot see requests made by undici's own `request`/`Pool`/`Agent` (only global `fetch` and
 * `node:http`), and Payrail's providers use undici. So the same msw handlers that describe a provider's
 * API are served here on a loopback port, and the real undici transport (pools, timeouts, error
 * translation) is exercised end to end. Handler URLs should be written as `'*​/path'` so they match the
 * loopback origin.
 *
 * `HttpResponse.error()` from a handler destroys the connection without an answer, which is how a test
 * simulates "the request was sent but the connection broke" (an outcome-unknown failure).
 */
export interface RecordedRequest {
  method: string;
  /** Path and query, as received. */
  url: string;
  headers: Record<string, string>;
  body: string;
}

export interface MswLoopbackServer {
  /** `http://127.0.0.1:<port>` — give it to the plugin as its API base URL. */
  readonly origin: string;
  /** Every request received, in order, with its body as text (for assertions on what was sent). */
  readonly requests: RecordedRequest[];
  /** Prepends handlers that take precedence until `resetHandlers` (like msw's `server.use`). */
  use(...handlers: RequestHandler[]): void;
  /** Drops runtime handlers; with arguments, replaces the initial ones too. Clears `requests`. */
  resetHandlers(...handlers: RequestHandler[]): void;
  close(): Promise<void>;
}

export interface ServeMswHandlersOptions {
  /** Port to listen on; 0 (default) picks a free one. */
  port?: number;
}

// Hop-by-hop headers describe the loopback connection, not the request; `Request` must not get them.
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'transfer-encoding',
  'upgrade',
  'proxy-connection',
  'te',
]);

function headersOf(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i]!.toLowerCase();
    const value = req.rawHeaders[i + 1] ?? '';
    if (HOP_BY_HOP.has(name)) continue;
    out[name] = name in out ? `${out[name]}, ${value}` : value;
  }
  return out;
}

async function readAll(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export async function serveMswHandlers(
  initialHandlers: RequestHandler[],
  options: ServeMswHandlersOptions = {},
): Promise<MswLoopbackServer> {
  let baseHandlers = [...initialHandlers];
  let runtimeHandlers: RequestHandler[] = [];
  const requests: RecordedRequest[] = [];
  const sockets = new Set<Socket>();

  const server = createServer(async (req, res) => {
    try {
      const body = await readAll(req);
      const headers = headersOf(req);
      const method = req.method ?? 'GET';
      requests.push({ method, url: req.url ?? '/', headers, body: body.toString('utf8') });
      const hasBody = method !== 'GET' && method !== 'HEAD' && body.length > 0;
      const request = new Request(`http://${req.headers.host ?? '127.0.0.1'}${req.url ?? '/'}`, {
        method,
        headers,
        body: hasBody ? body : undefined,
      });
      const response = await getResponse([...runtimeHandlers, ...baseHandlers], request);
      if (!response) {
        res.writeHead(404, { 'content-type': 'text/plain' }).end(`no msw handler for ${method} ${req.url}`);
        return;
      }
      if (response.type === 'error') {
        // HttpResponse.error(): a network error — drop the connection without answering.
        req.socket.destroy();
        return;
      }
      const payload = Buffer.from(await response.arrayBuffer());
      const outHeaders: Record<string, string | string[]> = {};
      response.headers.forEach((value, name) => {
        if (name !== 'set-cookie' && name !== 'content-length' && name !== 'transfer-encoding') {
          outHeaders[name] = value;
        }
      });
      const cookies = response.headers.getSetCookie();
      if (cookies.length > 0) outHeaders['set-cookie'] = cookies;
      outHeaders['content-length'] = String(payload.length);
      res.writeHead(response.status, response.statusText || undefined, outHeaders);
      res.end(payload);
    } catch (err) {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(`msw loopback handler failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    origin: `http://127.0.0.1:${port}`,
    requests,
    use(...handlers) {
      runtimeHandlers = [...handlers, ...runtimeHandlers];
    },
    resetHandlers(...handlers) {
      runtimeHandlers = [];
      if (handlers.length > 0) baseHandlers = [...handlers];
      requests.length = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
