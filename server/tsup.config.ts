import { payrailPreset } from '../tools/build/tsup.preset';

export default payrailPreset({
  entry: ['src/index.ts', 'src/cli/bin.ts'],
  // The shops' integration snippets are Handlebars files read at run time next to the bundle
  // (server/src/shops/integration.ts): copy them where the bundled code looks for them.
  onSuccess: 'mkdir -p dist/templates && cp src/shops/templates/*.hbs dist/templates/',
});
