import { defineConfig, type Options } from 'tsup';

/**
 * The one build preset every publishable package uses: ESM + declarations for Node 20.19, dependencies
 * (workspace ones included) left external. A package's tsup.config.ts is `export default payrailPreset()`.
 * `PAYRAIL_BUILD_JS_ONLY=1` skips the declarations (seconds instead of minutes): `pnpm build:js`, used by
 * `pnpm start:built`, which only needs the JavaScript.
 */
export function payrailPreset(overrides: Options = {}) {
  return defineConfig({
    entry: ['src/index.ts'],
    format: ['esm'],
    dts: process.env.PAYRAIL_BUILD_JS_ONLY !== '1',
    clean: true,
    sourcemap: true,
    target: 'node20',
    platform: 'node',
    ...overrides,
  });
}
