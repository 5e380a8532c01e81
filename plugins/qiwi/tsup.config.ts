import { payrailPreset } from '../../tools/build/tsup.preset';

export default payrailPreset();
