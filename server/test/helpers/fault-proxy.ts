/**
 * A fault-injecting HTTP proxy for reliability tests: it sits between Payrail's HttpClient and a
 * provider (simulator) that speaks HTTP, and for every request does what `decide` says — forward it,
 * or break it in one of the ways a real network and provider break:
 *
 * - `timeout_before`: the request is never forwarded and never answered (the client times out; the
 *   provider did nothing);
 * - `timeout_after`: forwarded, the provider acts, its answer is withheld (the client times out);
 * - `error_5xx`: a 503 is answered without forwarding (the provider did nothing, the client cannot know);
 * - `slow`: forwarded, the answer is delayed by `delayMs` (meant to stay under the client's timeout);
 * - `reset_before`: the socket is destroyed before forwarding;
 * - `reset_after`: forwarded, the provider acts, then the socket is destroyed instead of answering.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readBody } from './serve-fetch-handler';

export const FAULTS = [
  'timeout_before',
  'timeout_after',
  'error_5xx',
  'slow',
  'reset_before',
  'reset_after',
] as const;
export type Fault = (typeof FAULTS)[number];
export type FaultDecision = 'pass' | Fault;

/** Faults after which the provider has acted on the request. */
export const PROVIDER_ACTED: ReadonlySet<FaultDecision> = new Set([
  'pass',
  'timeout_after',
  'slow',
  'reset_after',
]);

export interface ProxiedRequest {
  method: string;
  /** Path and query, as received. */
  path: string;
  body: string;
}

export interface FaultLogEntry extends ProxiedRequest {
  fault: FaultDecision;
  /** The upstream's status code, when the request was forwarded and answered. */
  upstreamStatus?: number;
}

export interface FaultProxyOptions {
  /** The provider's origin, e.g. `http://127.0.0.1:4321`. */
  upstream: string;
  /** What to do with a request (default: pass everything). Can be replaced later with `setDecider`. */
  decide?: (req: ProxiedRequest) => FaultDecision;
  /** Delay of a `slow` answer (ms), or a function of the request. */
  slowMs?: number | ((req: ProxiedRequest) => number);
}

export interface FaultProxy {
  /** The origin to give the plugin as its API base URL. */
  url: string;
  /** Every request seen, in arrival order, with the fault applied. */
  readonly log: FaultLogEntry[];
  setDecider(decide: (req: ProxiedRequest) => FaultDecision): void;
  /** Counts per fault (and `pass`). */
  counts(): Record<FaultDecision, number>;
  close(): Promise<void>;
}

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'host', 'content-length']);

export async function startFaultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
  let decide = options.decide ?? (() => 'pass' as const);
  const log: FaultLogEntry[] = [];
  /** Requests held open (withheld answers): ended when the proxy closes. */
  const held = new Set<ServerResponse>();
  const slowMs = (req: ProxiedRequest) =>
    typeof options.slowMs === 'function' ? options.slowMs(req) : (options.slowMs ?? 200);

  async function forward(req: IncomingMessage, body: Buffer) {
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(req.headers)) {
      if (value === undefined || HOP_BY_HOP.has(name)) continue;
      headers[name] = Array.isArray(value) ? value.join(', ') : value;
    }
    const method = req.method ?? 'GET';
    const res = await fetch(`${options.upstream}${req.url ?? '/'}`, {
      method,
      headers,
      ...(method === 'GET' || method === 'HEAD' ? {} : { body: new Uint8Array(body) }),
    });
    const text = await res.text();
    return { status: res.status, contentType: res.headers.get('content-type'), text };
  }

  function hold(res: ServerResponse) {
    held.add(res);
    res.on('close', () => held.delete(res));
  }

  const server: Server = createServer((req, res) => {
    void (async () => {
      const body = await readBody(req);
      const request: ProxiedRequest = {
        method: (req.method ?? 'GET').toUpperCase(),
        path: req.url ?? '/',
        body: body.toString('utf8'),
      };
      const fault = decide(request);
      const entry: FaultLogEntry = { ...request, fault };
      log.push(entry);
      switch (fault) {
        case 'timeout_before':
          hold(res);
          return;
        case 'error_5xx':
          res.writeHead(503, { 'content-type': 'text/html' });
          res.end('<html><body>503 Service Temporarily Unavailable</body></html>');
          return;
        case 'reset_before':
          req.socket.destroy();
          return;
      }
      const answer = await forward(req, body);
      entry.upstreamStatus = answer.status;
      if (fault === 'timeout_after') return hold(res);
      if (fault === 'reset_after') {
        req.socket.destroy();
        return;
      }
      if (fault === 'slow') await new Promise((resolve) => setTimeout(resolve, slowMs(request)));
      if (res.destroyed) return; // the client gave up meanwhile
      res.writeHead(answer.status, answer.contentType ? { 'content-type': answer.contentType } : {});
      res.end(answer.text);
    })().catch((error: unknown) => {
      // A proxy bug must not look like a provider fault: answer 599 so the test sees it.
      if (!res.headersSent && !res.destroyed) {
        res.writeHead(599, { 'content-type': 'text/plain' });
        res.end(`fault proxy error: ${String(error)}`);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    log,
    setDecider(next) {
      decide = next;
    },
    counts() {
      const counts = Object.fromEntries(['pass', ...FAULTS].map((f) => [f, 0])) as Record<
        FaultDecision,
        number
      >;
      for (const e of log) counts[e.fault]++;
      return counts;
    },
    async close() {
      for (const res of held) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
