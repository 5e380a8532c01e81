import { rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMigratedPgliteTemplate, PGLITE_TEMPLATE_ENV } from '../src/testing';

/**
 * Vitest global setup: one migrated PGlite data directory for the whole run, written to a temporary
 * file whose path reaches the test workers through the environment. `createEmbeddedTestStore()` starts
 * every in-memory test store from it instead of running initdb and every migration again (seconds of
 * WASM each). The template is made from this checkout's migrations on every run, so it is never stale.
 */
export default async function setup() {
  const path = join(tmpdir(), `payrail-pglite-template-${process.pid}.tar`);
  const started = performance.now();
  const template = await createMigratedPgliteTemplate();
  await writeFile(path, Buffer.from(await template.arrayBuffer()));
  process.env[PGLITE_TEMPLATE_ENV] = path;
  console.log(
    `[pglite-template] migrated template made in ${Math.round(performance.now() - started)} ms (${path})`,
  );
  return async () => {
    await rm(path, { force: true });
  };
}
