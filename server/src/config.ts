import { resolve } from 'node:path';
import { PayrailError } from '@payrail/core';
import { z } from 'zod';

/** Which database the server uses, decided by PAYRAIL_DATABASE_URL. */
export type DatabaseConfig = { kind: 'embedded'; dataDir: string } | { kind: 'postgres'; url: string };

export interface ServerConfig {
  database: DatabaseConfig;
  host: string;
  port: number;
  publicUrl: string;
  logLevel: string;
  bodyLimit: number;
  /** Key for card fingerprints; unset → a per-process random key (sandbox only). */
  cardFingerprintKey: string | undefined;
  /** JSON file listing extra plugins and their options (see plugins-file.ts). */
  pluginsFile: string | undefined;
}

const env = z.object({
  PAYRAIL_DATABASE_URL: z.string().trim().optional(),
  PAYRAIL_DATA_DIR: z.string().trim().min(1).default('./.payrail/data'),
  HOST: z.string().trim().min(1).default('127.0.0.1'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  PAYRAIL_PUBLIC_URL: z.url().optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  PAYRAIL_BODY_LIMIT: z.coerce
    .number()
    .int()
    .min(1024)
    .max(10 * 1024 * 1024)
    .default(100 * 1024),
  PAYRAIL_CARD_FINGERPRINT_KEY: z.string().min(32).optional(),
  PAYRAIL_PLUGINS_FILE: z.string().trim().min(1).optional(),
});

function databaseFrom(url: string | undefined, dataDir: string): DatabaseConfig {
  if (!url) return { kind: 'embedded', dataDir: dataDir === 'memory://' ? dataDir : resolve(dataDir) };
  if (/^postgres(ql)?:\/\//.test(url)) return { kind: 'postgres', url };
  if (/^mongodb(\+srv)?:\/\//.test(url)) {
    throw new PayrailError('PAYRAIL_ERR_CONFIG', {
      message:
        'PAYRAIL_DATABASE_URL points at MongoDB, but the MongoDB store is not available yet. ' +
        'Use a postgres:// URL, or unset PAYRAIL_DATABASE_URL for the embedded database.',
    });
  }
  throw new PayrailError('PAYRAIL_ERR_CONFIG', {
    message: `PAYRAIL_DATABASE_URL must start with postgres:// (or be unset for the embedded database); got "${url.split(':')[0]}:…".`,
  });
}

/** Reads the configuration from environment variables (see the README's configuration table). */
export function loadConfig(source: NodeJS.ProcessEnv = process.env): ServerConfig {
  const parsed = env.safeParse(source);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new PayrailError('PAYRAIL_ERR_CONFIG', {
      message: `Invalid environment variable ${String(issue?.path[0])}: ${issue?.message}.`,
    });
  }
  const e = parsed.data;
  return {
    database: databaseFrom(e.PAYRAIL_DATABASE_URL || undefined, e.PAYRAIL_DATA_DIR),
    host: e.HOST,
    port: e.PORT,
    publicUrl: (e.PAYRAIL_PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/\/$/, ''),
    logLevel: e.LOG_LEVEL,
    bodyLimit: e.PAYRAIL_BODY_LIMIT,
    pluginsFile: e.PAYRAIL_PLUGINS_FILE,
    cardFingerprintKey: e.PAYRAIL_CARD_FINGERPRINT_KEY,
  };
}
