import { payrailPreset } from '../../tools/build/tsup.preset';

// `simulator` is a public subpath (`@payrail/plugin-webmoney/simulator`), so it is built as its own entry.
export default payrailPreset({ entry: { index: 'src/index.ts', simulator: 'src/simulator/index.ts' } });
