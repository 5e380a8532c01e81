import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { DatabaseConfig } from '../config';
import { createSecretBox, parseSecretsKey, type SecretBox } from './secret-box';

/**
 * Where the server secrets key comes from. It seals webhook signing secrets and users' TOTP secrets
 * (accounts/totp-secret-seal.ts); the variable keeps its original name.
 * - `PAYRAIL_WEBHOOK_SECRETS_KEY` when set (required for PostgreSQL: every instance needs the same key);
 * - embedded store on a directory: a key generated once and kept next to the data directory (mode 0600),
 *   so `pnpm start` works with no setup — back it up together with the data directory;
 * - embedded `memory://`: a key for this process only (the data dies with it anyway);
 * - PostgreSQL without the variable: none; creating an endpoint then fails with a message saying so.
 */
export async function loadSecretBox(args: {
  key: string | undefined;
  database: DatabaseConfig;
}): Promise<SecretBox | undefined> {
  if (args.key) return createSecretBox(parseSecretsKey(args.key));
  if (args.database.kind !== 'embedded') return undefined;
  if (args.database.dataDir.includes('://')) return createSecretBox(randomBytes(32));
  const file = join(dirname(args.database.dataDir), 'webhook-secrets.key');
  try {
    return createSecretBox(parseSecretsKey(await readFile(file, 'utf8')));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  await mkdir(dirname(file), { recursive: true });
  // 'wx': if another process created it meanwhile, fail and read theirs instead of overwriting it.
  try {
    await writeFile(file, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  return createSecretBox(parseSecretsKey(await readFile(file, 'utf8')));
}
