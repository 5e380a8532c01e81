import { defineConfig } from 'tsup';

// The one build preset every publishable package uses (`tsup --config ../tools/build/tsup.preset.ts`):
// ESM + declarations for Node 20.19, workspace dependencies left external.
export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'node20',
  platform: 'node',
});
