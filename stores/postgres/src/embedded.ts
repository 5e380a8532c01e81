import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import type { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { acquireDataDir } from './data-dir-lock';
import { toStoreError } from './errors';
import { createPool, poolConfig } from './pool';
import { createStoreOnPool, type PostgresStore } from './store';

export interface EmbeddedStoreOptions {
  /** A directory (created if missing), e.g. `./.payrail/data`, or `memory://` for a throwaway database. */
  dataDir: string;
  /**
   * Connections of the store's pool; default 1. PGlite has a single session: pglite-socket keeps
   * transactions apart, but outside a transaction it interleaves the extended-protocol messages of several
   * connections, and concurrent queries then fail ("portal cannot be run", "unnamed prepared statement does
   * not exist"). One connection serialises work that PGlite would serialise anyway.
   */
  poolSize?: number;
  /**
   * A data directory to start from instead of running initdb: a `dumpEmbeddedStore()` tarball. Only with
   * `memory://`. Tests use a migrated template made once per run: initdb in WASM costs seconds per store.
   */
  template?: Blob;
}

/** The PGlite behind each in-process embedded store, for `dumpEmbeddedStore`. */
const pgliteOf = new WeakMap<PostgresStore, PGlite>();

/** The store's whole data directory as a tarball (PGlite `dumpDataDir`), to pass back as `template`. */
export async function dumpEmbeddedStore(store: PostgresStore): Promise<Blob> {
  const db = pgliteOf.get(store);
  if (!db) throw new Error('dumpEmbeddedStore needs a store made by createEmbeddedStore in this process.');
  const dump = await db.dumpDataDir('none');
  return dump;
}

/**
 * Connections allowed beyond the store's own pool: pglite-socket refuses clients past `maxConnections`
 * (ECONNRESET), so leave room for a socket still closing and for a second pool (e.g. the job scheduler).
 */
const SPARE_CONNECTIONS = 4;

/**
 * The store on PGlite (PostgreSQL compiled to WebAssembly, in this process), the default that needs no
 * install. PGlite is served on a loopback socket so that the very same `pg` code runs on it as on a
 * PostgreSQL server. Call `migrate()` before use.
 *
 * While one connection has a transaction open, pglite-socket queues every other connection's messages;
 * the store never waits on a second connection inside a transaction, so this only serialises work.
 */
export async function createEmbeddedStore(options: EmbeddedStoreOptions): Promise<PostgresStore> {
  const poolSize = options.poolSize ?? 1;
  const inMemory = options.dataDir.includes('://');
  const dataDir = inMemory ? options.dataDir : resolve(options.dataDir);
  let unlock = async () => {};
  let publishPort = async (_port: number) => {};
  let db: PGlite | undefined;
  let server: PGLiteSocketServer | undefined;
  try {
    if (!inMemory) {
      await mkdir(dataDir, { recursive: true });
      const lock = await acquireDataDir(dataDir);
      // Another process serves this directory: use its socket, never the files.
      if (lock.role === 'client') return sharedEmbeddedStore(lock.port);
      unlock = lock.unlock;
      publishPort = lock.publishPort;
    }
    if (options.template && !inMemory) {
      throw new Error('createEmbeddedStore: a template is only for memory:// stores.');
    }
    // Loaded here, not at import: the package index re-exports this file, and PostgreSQL deployments
    // would otherwise carry PGlite's JS (~10 MB RSS) without ever using it.
    const [{ PGlite }, { PGLiteSocketServer }] = await Promise.all([
      import('@electric-sql/pglite'),
      import('@electric-sql/pglite-socket'),
    ]);
    db = await PGlite.create(options.template ? { dataDir, loadDataDir: options.template } : { dataDir });
    server = new PGLiteSocketServer({
      db,
      host: '127.0.0.1',
      port: 0,
      maxConnections: poolSize + SPARE_CONNECTIONS,
    });
    await server.start();
    await publishPort(Number(server.getServerConn().split(':')[1]));
  } catch (error) {
    await server?.stop().catch(() => {});
    await db?.close().catch(() => {});
    await unlock();
    throw toStoreError(error);
  }
  const [host, port] = server.getServerConn().split(':');
  const pool = createPool({
    ...poolConfig(poolSize),
    host,
    port: Number(port),
    user: 'postgres',
    database: 'postgres',
  });
  const socketServer = server;
  const database = db;
  const store = createStoreOnPool({
    kind: 'pglite',
    pool,
    async close() {
      // Clients first, so no query is cut off mid-flight; then the socket; then flush and close the files.
      await pool.end();
      await socketServer.stop();
      await database.close();
      await unlock();
    },
  });
  pgliteOf.set(store, database);
  return store;
}

/** A client of the process that owns the embedded directory (e.g. the CLI while `payrail start` runs). */
function sharedEmbeddedStore(port: number): PostgresStore {
  // Few connections: the owner's socket allows only SPARE_CONNECTIONS beyond its own pool.
  const pool = createPool({
    ...poolConfig(2),
    host: '127.0.0.1',
    port,
    user: 'postgres',
    database: 'postgres',
  });
  return createStoreOnPool({ kind: 'pglite', pool, close: () => pool.end() });
}
