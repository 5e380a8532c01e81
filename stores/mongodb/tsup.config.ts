import { payrailPreset } from '../../tools/build/tsup.preset';

// `testing` is a public subpath (`@payrail/store-mongodb/testing`), so it is built as its own entry.
// The test server is loaded from a deep path of a dev dependency: keep it external, never bundled.
export default payrailPreset({
  entry: ['src/index.ts', 'src/testing.ts'],
  external: [/^@push\.rocks\/smartmongo(\/.*)?$/],
});
