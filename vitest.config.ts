import { defineConfig } from 'vitest/config';

// One vitest run covers every package. Packages resolve to their TypeScript sources through their
// `exports` field, so no build is needed before testing.
//
// CI runs the README's command (`pnpm test`) unchanged and asks for a machine-readable summary through
// PAYRAIL_TEST_JSON (pnpm would take `--reporter` as its own option).
const jsonReport = process.env.PAYRAIL_TEST_JSON;

export default defineConfig({
  test: {
    include: ['{core,testkit,plugins,stores,server,examples,bench}/**/*.test.ts'],
    exclude: ['**/node_modules/**', '**/dist/**'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // One migrated PGlite template per run (stores/postgres/test/pglite-template.setup.ts).
    globalSetup: ['stores/postgres/test/pglite-template.setup.ts'],
    pool: 'forks',
    maxWorkers: 2,
    ...(jsonReport ? { reporters: ['default', ['json', { outputFile: jsonReport }]] } : {}),
  },
});
