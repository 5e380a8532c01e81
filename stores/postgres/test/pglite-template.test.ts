import { describe, expect, it } from 'vitest';
import { MIGRATIONS } from '../src/migrations';
import { createEmbeddedTestStore, PGLITE_TEMPLATE_ENV } from '../src/testing';

describe('PGlite test template', () => {
  it("the run's global setup made a template, and test stores start migrated and independent from it", async () => {
    expect(process.env[PGLITE_TEMPLATE_ENV], 'vitest globalSetup should set the template path').toMatch(
      /payrail-pglite-template-\d+\.tar$/,
    );
    const a = await createEmbeddedTestStore();
    const b = await createEmbeddedTestStore();
    try {
      // Migrated before migrate() is called: the template carries the schema and its history.
      const applied = await a.pool.query<{ version: number }>(
        'SELECT version FROM payrail_migrations ORDER BY 1',
      );
      expect(applied.rows.map((r) => r.version)).toEqual(MIGRATIONS.map((m) => m.version));
      await a.migrate();
      await a.pool.query(`INSERT INTO merchants (id, name, email, tariff, provider_routes, created_at)
        VALUES ('mer_template_check', 'T', 't@example.com', '{}', '{}', now())`);
      const inA = await a.pool.query('SELECT id FROM merchants');
      const inB = await b.pool.query('SELECT id FROM merchants');
      expect(inA.rows).toHaveLength(1);
      expect(inB.rows).toHaveLength(0);
    } finally {
      await a.close();
      await b.close();
    }
  });
});
