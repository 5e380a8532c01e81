import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '../..');
const RUN_CLI = pathToFileURL(resolve(import.meta.dirname, '../src/cli/run-cli.ts')).href;

/** Records every module URL the ESM loader loads (a module hook in the loader thread posts them back). */
const LOAD_HOOK = `let port;
export function initialize(data) { port = data.port; }
export async function load(url, context, next) { port.postMessage(url); return next(url, context); }`;

/**
 * A child that imports the CLI's whole static module graph (what `payrail start` loads before choosing a
 * store) and prints the module URLs it loaded: ESM through the hook, CommonJS through require.cache.
 */
const CHILD = `
import { createRequire, register } from 'node:module';
const { port1, port2 } = new MessageChannel();
const urls = new Set();
port1.on('message', (url) => urls.add(url));
register('data:text/javascript,' + encodeURIComponent(${JSON.stringify(LOAD_HOOK)}), 'file:///', {
  data: { port: port2 },
  transferList: [port2],
});
await import(${JSON.stringify(RUN_CLI)});
await new Promise((r) => setTimeout(r, 200));
port1.close();
for (const file of Object.keys(createRequire(import.meta.url).cache)) urls.add('file://' + file);
console.log(JSON.stringify([...urls]));
`;

const loads = (urls: string[], pkg: string) => urls.some((u) => u.includes(`/node_modules/${pkg}/`));

describe('optional dependencies are loaded at first use, not at start-up', () => {
  it('the server and CLI load neither MongoDB, agenda’s Mongo backend, pdfkit, PGlite nor nodemailer', async () => {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', CHILD], {
      cwd: ROOT,
      maxBuffer: 64 * 1024 * 1024,
    });
    const urls = JSON.parse(stdout.trim().split('\n').at(-1) ?? '[]') as string[];
    // The hook sees the graph: fastify and the PostgreSQL driver are imported statically.
    expect(loads(urls, 'fastify')).toBe(true);
    expect(loads(urls, 'pg')).toBe(true);
    const unexpected = [
      'mongodb',
      '@agendajs/mongo-backend',
      'pdfkit',
      '@electric-sql/pglite',
      '@electric-sql/pglite-socket',
      'nodemailer',
    ].filter((pkg) => loads(urls, pkg));
    expect(unexpected).toEqual([]);
  }, 120_000);
});
