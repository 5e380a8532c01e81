import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedWebhook {
  headers: IncomingHttpHeaders;
  body: string;
  /** The status this receiver answered. */
  status: number;
}

/**
 * A real HTTP server standing in for the merchant's endpoint. It answers 500 to the first `failFirst`
 * requests (or to all while `failing` is set), 200 otherwise, and keeps every request. With `holdMs` it
 * is a slow merchant: each request is held that long before it is kept and answered (`state.inFlight`
 * counts the held ones); one whose sender hung up meanwhile is dropped, as never delivered.
 */
export async function startWebhookReceiver(options: { failFirst?: number; holdMs?: number } = {}) {
  const received: ReceivedWebhook[] = [];
  let remainingFailures = options.failFirst ?? 0;
  const state = { failing: false, inFlight: 0 };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', async () => {
      if (options.holdMs) {
        state.inFlight++;
        await new Promise((resolve) => setTimeout(resolve, options.holdMs));
        state.inFlight--;
        // The sender died while this request was held: nothing was delivered.
        if (res.destroyed) return;
      }
      let status = 200;
      if (state.failing) status = 500;
      else if (remainingFailures > 0) {
        remainingFailures--;
        status = 500;
      }
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), status });
      res.writeHead(status, { 'content-type': 'text/plain' }).end(status === 200 ? 'ok' : 'try later');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/payrail-hook`,
    received,
    state,
    /** Event ids of the requests this receiver accepted (200), as a deduplicating receiver keeps them. */
    acceptedEventIds(): string[] {
      return received.filter((r) => r.status === 200).map((r) => (JSON.parse(r.body) as { id: string }).id);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Polls `check` until it returns a value other than undefined; fails after `timeoutMs` (a deadlock guard). */
export async function waitFor<T>(
  check: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 90_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('waitFor: condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
