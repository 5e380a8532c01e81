import { defineConfig, type Options } from 'tsup';

/**
 * The one build preset every publishable package uses: ESM + declarations for Node 20.19, dependencies
 * (workspace ones included) left external. A package's tsup.config.ts is `export default payrailPreset()`.
 */
export function payrailPreset(overrides: Options = {}) {
  return defineConfig({
    entry: ['src/index.ts'],
    format: ['esm'],
    dts: true,
    clean: true,
    sourcemap: true,
    target: 'node20',
    platform: 'node',
    ...overrides,
  });
}
