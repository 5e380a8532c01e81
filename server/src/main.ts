import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { createAccountsOptions, loadAccountsConfig } from './accounts/accounts-config';
import { buildApp } from './app/build-app';
import { bootstrap } from './bootstrap';
import { loadConfig, type ServerConfig } from './config';
import { loggerOptions } from './http/logging';
import { jobSettings, startBackgroundJobs, supportsBackgroundJobs } from './jobs/background-jobs';

export interface RunningServer {
  app: FastifyInstance;
  url: string;
  close(): Promise<void>;
}

/** Starts the server: store, migrations, plugins, HTTP. Resolves once it listens. */
export async function startServer(config: ServerConfig = loadConfig()): Promise<RunningServer> {
  // One set of redaction rules for the app's request logger and for bootstrap's own lines.
  const logOptions = loggerOptions({ level: config.logLevel }) as pino.LoggerOptions;
  const logger = pino(logOptions);
  const services = await bootstrap(config, logger);
  const accounts = createAccountsOptions(loadAccountsConfig(process.env), config.publicUrl, logger);
  const app = await buildApp(services, {
    publicUrl: config.publicUrl,
    bodyLimit: config.bodyLimit,
    logger: { level: config.logLevel },
    accounts,
  });
  const url = await app.listen({ host: config.host, port: config.port });
  logger.info({ url, store: services.store.kind, publicUrl: config.publicUrl }, 'Payrail is listening');
  if ((await services.store.merchants.count()) === 0) {
    logger.info(
      'No merchant yet. Create one with: pnpm payrail merchant create --name "My Shop" --email me@example.com',
    );
  }
  // Jobs start once the server listens; PAYRAIL_JOBS=off leaves them to other instances (or tests).
  if (config.jobs.enabled && !supportsBackgroundJobs(services.store)) {
    logger.warn(
      { store: services.store.kind },
      'background jobs need a PostgreSQL, embedded or MongoDB store; none run',
    );
  }
  const jobs =
    config.jobs.enabled && supportsBackgroundJobs(services.store)
      ? await startBackgroundJobs(
          { ...services, notifier: accounts.notifier, accountUrl: accounts.accountUrl },
          jobSettings({ ...config.jobs, reviews: config.reviews }),
        ).catch(async (error: unknown) => {
          await app.close();
          await services.close();
          throw error;
        })
      : undefined;
  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      await jobs?.stop(); // lets a running job finish; its lock is released
      await app.close(); // stops accepting, lets in-flight requests finish
      await services.close();
    })();
    return closing;
  };
  return { app, url, close };
}

/** `payrail start`: runs until SIGINT/SIGTERM, then shuts down gracefully. */
export async function runUntilSignal(): Promise<void> {
  const server = await startServer();
  const stop = (signal: string) => {
    server.app.log.info({ signal }, 'shutting down');
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    server.close().then(
      () => process.exit(0),
      (error: unknown) => {
        server.app.log.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
}
