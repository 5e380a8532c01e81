import { payrailPreset } from '../../tools/build/tsup.preset';

// `testing` is a public subpath (`@payrail/store-postgres/testing`), so it is built as its own entry.
export default payrailPreset({ entry: ['src/index.ts', 'src/testing.ts'] });
