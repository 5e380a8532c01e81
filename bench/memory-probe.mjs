// Preloaded into the server by bench/memory.ts (`--import`): records the modules it loads (ESM through a
// loader hook, CommonJS through require.cache) and, on SIGUSR2, writes them and process.memoryUsage()
// to $PROBE_OUT.
import { writeFileSync } from 'node:fs';
import { createRequire, register } from 'node:module';

const { port1, port2 } = new MessageChannel();
const esm = new Set();
port1.on('message', (url) => esm.add(url));
port1.unref();
const HOOK = `let port;
export function initialize(data) { port = data.port; }
export async function load(url, context, next) { port.postMessage(url); return next(url, context); }`;
register(`data:text/javascript,${encodeURIComponent(HOOK)}`, import.meta.url, {
  data: { port: port2 },
  transferList: [port2],
});
const require = createRequire(import.meta.url);
process.on('SIGUSR2', () => {
  const modules = new Set([...esm, ...Object.keys(require.cache).map((p) => `file://${p}`)]);
  writeFileSync(process.env.PROBE_OUT, JSON.stringify({ mem: process.memoryUsage(), modules: [...modules] }));
});
