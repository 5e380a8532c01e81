// The baseline: a bare Fastify app in a child process started exactly like the Payrail server, answering
// every route the scenarios call with a small JSON body. Same load generator, same request pattern.
import { createRequire } from 'node:module';

interface MiniReply {
  code(status: number): MiniReply;
  send(body: unknown): unknown;
}
interface MiniFastify {
  all(path: string, handler: (request: { method: string; url: string }, reply: MiniReply) => unknown): void;
  listen(options: { host: string; port: number }): Promise<string>;
  close(): Promise<void>;
}

// fastify is a dependency of @payrail/server, not of the repository root: resolve it from there.
const require = createRequire(new URL('../server/package.json', import.meta.url));
const Fastify = require('fastify') as (options: { logger: boolean }) => MiniFastify;

const app = Fastify({ logger: false });
const body = { id: 'pay_baseline', object: 'payment', status: 'succeeded', amount: 1000 };
// 201 for a create, 200 for everything else (the payment page answers 200), like the real routes
app.all('/*', async (request, reply) =>
  reply.code(request.method === 'POST' && request.url.startsWith('/v1/') ? 201 : 200).send(body),
);
await app.listen({ host: process.env.HOST ?? '127.0.0.1', port: Number(process.env.PORT ?? 0) });
const stop = () => {
  app.close().then(() => process.exit(0));
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
