import { resolve } from 'node:path';
import { PayrailError } from '@payrail/core';
import { z } from 'zod';
import { parseDuration } from './jobs/durations';
import { simulatorsCanServe } from './simulators/can-serve';

/** Which database the server uses, decided by PAYRAIL_DATABASE_URL. */
export type DatabaseConfig =
  | { kind: 'embedded'; dataDir: string }
  /** `preparedStatements`: PAYRAIL_PG_PREPARED_STATEMENTS (default on); off behind a pooler in transaction mode. */
  | { kind: 'postgres'; url: string; preparedStatements?: boolean }
  | { kind: 'mongodb'; url: string };

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
  /** Background jobs and webhook delivery (see docs/jobs.md, docs/webhooks.md). */
  jobs: JobsConfig;
  /** PAYRAIL_WEBHOOK_SECRETS_KEY: seals webhook signing secrets; unset → see webhooks/secrets-key.ts. */
  webhookSecretsKey: string | undefined;
  /** PAYRAIL_VAULT_KEYS ("keyId:base64,…", newest last); unset → dev key file in embedded mode. */
  vaultKeys: string | undefined;
  /** PAYRAIL_SIMULATORS: simulated QIWI and WebMoney under /_sim (default: on with the embedded database). */
  simulators: boolean;
  /** PAYRAIL_ORCHESTRATOR_TIMING=1: measure the orchestrator's own time per call (GET /_debug/orchestrator-timing). */
  orchestratorTiming: boolean;
  /** PAYRAIL_REVIEW_TIMEOUT / PAYRAIL_REVIEW_DEFAULT: antifraud reviews left open (antifraud/reviews.ts). */
  reviews?: { timeoutMs: number; defaultAction: 'approve' | 'reject' };
}

/** PAYRAIL_JOBS and the job timings, already in milliseconds. */
export interface JobsConfig {
  enabled: boolean;
  pollIntervalMs: number;
  paymentExpireAfterMs: number;
  autoVoidAfterMs: number;
  reconcileAfterMs: number;
  webhookTimeoutMs: number;
}

const duration = (name: string, fallback: string) =>
  z
    .string()
    .trim()
    .default(fallback)
    .transform((text) => parseDuration(text, name));

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
  PAYRAIL_JOBS: z.enum(['on', 'off']).default('on'),
  PAYRAIL_JOBS_POLL_INTERVAL: duration('PAYRAIL_JOBS_POLL_INTERVAL', '1s'),
  PAYRAIL_PAYMENT_EXPIRE_AFTER: duration('PAYRAIL_PAYMENT_EXPIRE_AFTER', '24h'),
  PAYRAIL_AUTO_VOID_AFTER: duration('PAYRAIL_AUTO_VOID_AFTER', '7d'),
  PAYRAIL_RECONCILE_AFTER: duration('PAYRAIL_RECONCILE_AFTER', '24h'),
  PAYRAIL_WEBHOOK_TIMEOUT: duration('PAYRAIL_WEBHOOK_TIMEOUT', '10s'),
  PAYRAIL_WEBHOOK_SECRETS_KEY: z.string().trim().min(1).optional(),
  PAYRAIL_VAULT_KEYS: z.string().trim().min(1).optional(),
  PAYRAIL_REVIEW_TIMEOUT: duration('PAYRAIL_REVIEW_TIMEOUT', '72h'),
  PAYRAIL_REVIEW_DEFAULT: z.enum(['approve', 'reject']).default('reject'),
  PAYRAIL_SIMULATORS: z.enum(['1', '0', 'on', 'off', 'true', 'false']).optional(),
  PAYRAIL_ORCHESTRATOR_TIMING: z.enum(['1', '0', 'on', 'off', 'true', 'false']).optional(),
  PAYRAIL_PG_PREPARED_STATEMENTS: z.enum(['1', '0', 'on', 'off', 'true', 'false']).optional(),
});

function databaseFrom(url: string | undefined, dataDir: string, preparedStatements: boolean): DatabaseConfig {
  if (!url) return { kind: 'embedded', dataDir: dataDir === 'memory://' ? dataDir : resolve(dataDir) };
  if (/^postgres(ql)?:\/\//.test(url)) return { kind: 'postgres', url, preparedStatements };
  if (/^mongodb(\+srv)?:\/\//.test(url)) return { kind: 'mongodb', url };
  throw new PayrailError('PAYRAIL_ERR_CONFIG', {
    message: `PAYRAIL_DATABASE_URL must start with postgres:// or mongodb:// (or be unset for the embedded database); got "${url.split(':')[0]}:…".`,
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
  const publicUrl = (e.PAYRAIL_PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/\/$/, '');
  return {
    database: databaseFrom(
      e.PAYRAIL_DATABASE_URL || undefined,
      e.PAYRAIL_DATA_DIR,
      !['0', 'off', 'false'].includes(e.PAYRAIL_PG_PREPARED_STATEMENTS ?? 'on'),
    ),
    host: e.HOST,
    port: e.PORT,
    publicUrl,
    logLevel: e.LOG_LEVEL,
    bodyLimit: e.PAYRAIL_BODY_LIMIT,
    pluginsFile: e.PAYRAIL_PLUGINS_FILE,
    cardFingerprintKey: e.PAYRAIL_CARD_FINGERPRINT_KEY,
    jobs: {
      enabled: e.PAYRAIL_JOBS === 'on',
      pollIntervalMs: e.PAYRAIL_JOBS_POLL_INTERVAL,
      paymentExpireAfterMs: e.PAYRAIL_PAYMENT_EXPIRE_AFTER,
      autoVoidAfterMs: e.PAYRAIL_AUTO_VOID_AFTER,
      reconcileAfterMs: e.PAYRAIL_RECONCILE_AFTER,
      webhookTimeoutMs: e.PAYRAIL_WEBHOOK_TIMEOUT,
    },
    webhookSecretsKey: e.PAYRAIL_WEBHOOK_SECRETS_KEY,
    vaultKeys: e.PAYRAIL_VAULT_KEYS,
    reviews: { timeoutMs: e.PAYRAIL_REVIEW_TIMEOUT, defaultAction: e.PAYRAIL_REVIEW_DEFAULT },
    // A sandbox convenience: on by default only on the embedded database served on loopback or https,
    // never implied with a real database; asked for explicitly where it cannot work, the boot says why.
    simulators:
      e.PAYRAIL_SIMULATORS === undefined
        ? !e.PAYRAIL_DATABASE_URL && simulatorsCanServe(publicUrl)
        : ['1', 'on', 'true'].includes(e.PAYRAIL_SIMULATORS),
    orchestratorTiming: ['1', 'on', 'true'].includes(e.PAYRAIL_ORCHESTRATOR_TIMING ?? '0'),
  };
}
