import type { Clock, Store } from '@payrail/core';
import type { PostgresStore } from '@payrail/store-postgres';

/**
 * The `reports.rollup` job: rolls up the closed UTC days for reports and recomputes the days changed since
 * (PostgreSQL and PGlite, migration 0018; docs/reports.md "Daily rollups"). MongoDB reports aggregate live,
 * so there it does nothing. Idempotent and safe to run from several processes at once.
 */
export async function rollUpReports(deps: { store: Store; clock: Clock }): Promise<void> {
  const { rollUpReports: run } = deps.store as Partial<Pick<PostgresStore, 'rollUpReports'>>;
  if (typeof run === 'function') await run(deps.clock.now());
}
