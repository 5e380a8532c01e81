import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { parseVaultKeys, type VaultKey } from '@payrail/plugin-cards';
import type { DatabaseConfig } from './config';

export type VaultKeySource =
  | { source: 'env'; keys: VaultKey[] }
  /** Embedded mode without PAYRAIL_VAULT_KEYS: a development key kept in a file next to the data dir. */
  | { source: 'dev-file'; keys: VaultKey[]; file: string; created: boolean }
  /** In-memory embedded database: a key for this process only (the data does not outlive it either). */
  | { source: 'ephemeral'; keys: VaultKey[] }
  /** PostgreSQL without PAYRAIL_VAULT_KEYS: no vault, so cards cannot be saved. */
  | { source: 'none' };

/** `<data dir>.vault-keys`, e.g. `./.payrail/data.vault-keys`: beside the data, never inside a backup of it. */
export function devVaultKeyFile(dataDir: string): string {
  return join(dirname(dataDir), `${basename(dataDir)}.vault-keys`);
}

/**
 * Where the vault keys come from: PAYRAIL_VAULT_KEYS when set (production), else in embedded mode a
 * development key generated on first start and reused afterwards (mode 0600), else none.
 */
export function resolveVaultKeys(args: {
  vaultKeys: string | undefined;
  database: DatabaseConfig;
}): VaultKeySource {
  if (args.vaultKeys) return { source: 'env', keys: parseVaultKeys(args.vaultKeys) };
  if (args.database.kind !== 'embedded') return { source: 'none' };
  if (args.database.dataDir === 'memory://') {
    return { source: 'ephemeral', keys: [{ id: 'ephemeral', key: randomBytes(32) }] };
  }
  const file = devVaultKeyFile(args.database.dataDir);
  if (existsSync(file)) {
    return { source: 'dev-file', keys: parseVaultKeys(readFileSync(file, 'utf8')), file, created: false };
  }
  mkdirSync(dirname(file), { recursive: true });
  const line = `dev1:${randomBytes(32).toString('base64')}`;
  // 'wx': two processes starting at once cannot both create (and disagree on) the key.
  try {
    writeFileSync(file, `${line}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return { source: 'dev-file', keys: parseVaultKeys(readFileSync(file, 'utf8')), file, created: false };
  }
  return { source: 'dev-file', keys: parseVaultKeys(line), file, created: true };
}
