import { DEFAULT_TARIFF, type Logger, type Mode, newId } from '@payrail/core';
import { buildApp } from '../../src/app/build-app';
import { generateApiKey } from '../../src/auth/api-keys';
import { type Bootstrapped, bootstrap } from '../../src/bootstrap';
import { loadConfig } from '../../src/config';
import type { SandboxSimulators } from '../../src/simulators/sandbox';
import { freePort } from './free-port';
import { createStore, type StoreKind } from './test-app';

/**
 * A real server with the provider simulators (PAYRAIL_SIMULATORS=1), listening on a loopback port: the
 * plugins call the simulated APIs and the simulators deliver notifications over real HTTP, exactly as
 * with `pnpm start`. Lines logged by core are kept, to check alerts.
 */
export interface SandboxServer {
  url: string;
  services: Bootstrapped;
  simulators: SandboxSimulators;
  logs: { level: string; obj: Record<string, unknown>; msg: string | undefined }[];
  /** A merchant and its test-mode key. */
  merchant(): Promise<{ id: string; key: string; liveKey: string }>;
  /** fetch against the server, JSON in and out. */
  api(
    path: string,
    init?: { method?: string; key?: string; body?: unknown; headers?: Record<string, string> },
    // biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary JSON fields
  ): Promise<{ status: number; body: any; headers: Headers }>;
  close(): Promise<void>;
}

function recordingLogger(logs: SandboxServer['logs']): Logger {
  const at =
    (level: string) =>
    (obj: object, msg?: string): void => {
      logs.push({ level, obj: obj as Record<string, unknown>, msg });
    };
  const logger: Logger = {
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    child: () => logger,
  };
  return logger;
}

export async function startSandboxServer(kind: StoreKind = 'pglite'): Promise<SandboxServer> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const { store, cleanup } = await createStore(kind);
  const logs: SandboxServer['logs'] = [];
  const config = loadConfig({
    PORT: String(port),
    PAYRAIL_PUBLIC_URL: url,
    PAYRAIL_SIMULATORS: '1',
    PAYRAIL_JOBS: 'off',
    LOG_LEVEL: 'silent',
  });
  // The store is the test's (fresh database); bootstrap would otherwise open the embedded default.
  const services = await bootstrap(config, recordingLogger(logs), { store });
  const app = await buildApp(services, { publicUrl: url, logger: false });
  await app.listen({ host: '127.0.0.1', port });
  if (!services.simulators) throw new Error('simulators are not mounted');

  return {
    url,
    services,
    simulators: services.simulators,
    logs,
    async merchant() {
      const now = new Date();
      const id = newId('merchant', now.getTime());
      const keys = (['test', 'live'] as Mode[]).map((mode) => generateApiKey(id, mode, now));
      await store.merchants.create({
        merchant: {
          id,
          name: `Shop ${id.slice(-6)}`,
          email: `${id.toLowerCase()}@shop.test`,
          tariff: DEFAULT_TARIFF,
          providerRoutes: {},
          createdAt: now,
        },
        apiKeys: keys.map((k) => k.record),
      });
      return { id, key: keys[0]!.secret, liveKey: keys[1]!.secret };
    },
    async api(path, init = {}) {
      const headers: Record<string, string> = { accept: 'application/json', ...(init.headers ?? {}) };
      if (init.key) headers.authorization = `Bearer ${init.key}`;
      if (init.body !== undefined) headers['content-type'] = 'application/json';
      const res = await fetch(`${url}${path}`, {
        method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
        headers,
        ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
        redirect: 'manual',
      });
      const text = await res.text();
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {}
      return { status: res.status, body, headers: res.headers };
    },
    async close() {
      await app.close();
      await services.close(); // closes the store too
      await cleanup(); // store.close() is idempotent; drops the test database
    },
  };
}
