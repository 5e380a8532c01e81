import { payrailPreset } from '../tools/build/tsup.preset';

export default payrailPreset({ entry: ['src/index.ts', 'src/cli/bin.ts'] });
