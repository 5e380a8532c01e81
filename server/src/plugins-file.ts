import { readFileSync } from 'node:fs';
import { type AnyPlugin, PayrailError, type Store } from '@payrail/core';
import { type AntifraudOptions, antifraud } from '@payrail/plugin-antifraud';
import { qiwi } from '@payrail/plugin-qiwi';
import { webmoney } from '@payrail/plugin-webmoney';
import { z } from 'zod';
import { antifraudOnStore } from './antifraud/wiring';

/**
 * The optional plugins file (`PAYRAIL_PLUGINS_FILE`): which extra plugins a stock server runs, with their
 * options, as JSON. Each key names a plugin and holds a list of instances (two WebMoney merchants side
 * by side get different `instanceId`s). Options are validated by each plugin's own schema at boot, so an
 * error names the plugin and the field. Secrets may be given as `{ "env": "NAME" }` instead of a value.
 *
 * ```json
 * { "webmoney": [{ "purses": { "USD": "Z123456789012" }, "secretKey": { "env": "WM_SECRET" } }],
 *   "antifraud": [{ "limits": { "amount": { "max": { "EUR": 500000 } } } }] }
 * ```
 */
const FACTORIES: Record<string, (options: never) => AnyPlugin> = {
  qiwi: qiwi as (options: never) => AnyPlugin,
  webmoney: webmoney as (options: never) => AnyPlugin,
  antifraud: antifraud as (options: never) => AnyPlugin,
};

const fileSchema = z.partialRecord(
  z.enum(Object.keys(FACTORIES) as [string, ...string[]]),
  z.array(z.record(z.string(), z.unknown())),
);

/** Replaces every `{ "env": "NAME" }` with the environment variable's value (missing → a clear error). */
function resolveEnvRefs(value: unknown, env: NodeJS.ProcessEnv, path: string): unknown {
  if (Array.isArray(value)) return value.map((v, i) => resolveEnvRefs(v, env, `${path}.${i}`));
  if (value && typeof value === 'object') {
    const entries = Object.entries(value);
    if (entries.length === 1 && entries[0]?.[0] === 'env' && typeof entries[0][1] === 'string') {
      const name = entries[0][1];
      const resolved = env[name];
      if (resolved === undefined) {
        throw new PayrailError('PAYRAIL_ERR_CONFIG', {
          param: 'PAYRAIL_PLUGINS_FILE',
          message: `${path} reads the environment variable ${name}, which is not set.`,
        });
      }
      return resolved;
    }
    return Object.fromEntries(entries.map(([k, v]) => [k, resolveEnvRefs(v, env, `${path}.${k}`)]));
  }
  return value;
}

/** Plugins described by the file at `path` (none when `path` is undefined). */
export function pluginsFromFile(
  path: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
  deps: { store?: Store } = {},
): AnyPlugin[] {
  if (!path) return [];
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new PayrailError('PAYRAIL_ERR_CONFIG', {
      param: 'PAYRAIL_PLUGINS_FILE',
      message: `Cannot read the plugins file ${path}: ${(error as Error).message}`,
    });
  }
  const parsed = fileSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new PayrailError('PAYRAIL_ERR_CONFIG', {
      param: 'PAYRAIL_PLUGINS_FILE',
      message: `${path}: ${issue?.path.join('.') || '(top level)'}: ${issue?.message}. Known plugins: ${Object.keys(FACTORIES).join(', ')}.`,
    });
  }
  return Object.entries(parsed.data).flatMap(([name, instances]) =>
    (instances ?? []).map((options, index) => {
      const factory = FACTORIES[name] as (options: unknown) => AnyPlugin;
      const resolved = resolveEnvRefs(options, env, `${name}.${index}`);
      // Antifraud on a server counts velocity and reads merchants' rules and lists in the store.
      if (name === 'antifraud' && deps.store)
        return factory(antifraudOnStore(resolved as AntifraudOptions, deps.store));
      return factory(resolved);
    }),
  );
}
