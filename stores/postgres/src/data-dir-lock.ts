import { readFile, unlink, writeFile } from 'node:fs/promises';
import { PayrailError } from '@payrail/core';

/**
 * PGlite takes no lock on its data directory, and two processes writing one directory corrupt it (think
 * `payrail start` running while someone runs `payrail migrate`). So the embedded store holds a lock
 * file next to the directory, holding its pid. A lock whose process is gone is stale and taken over.
 * Best effort: two processes taking over the same stale lock in the same instant could both win.
 */
export async function lockDataDir(dataDir: string): Promise<() => Promise<void>> {
  const path = `${dataDir}.lock`;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await writeFile(path, String(process.pid), { flag: 'wx' });
      return () => unlink(path).catch(() => {});
    } catch (error) {
      if ((error as { code?: string }).code !== 'EEXIST') throw error;
    }
    const holder = Number.parseInt(await readFile(path, 'utf8').catch(() => ''), 10);
    if (Number.isInteger(holder) && isAlive(holder)) {
      throw new PayrailError('PAYRAIL_ERR_STORE_UNAVAILABLE', {
        message: `The embedded database ${dataDir} is in use by process ${holder}${holder === process.pid ? ' (this one)' : ''}; stop it first.`,
        retryable: false,
      });
    }
    await unlink(path).catch(() => {});
  }
  throw new PayrailError('PAYRAIL_ERR_STORE_UNAVAILABLE', {
    message: `Cannot lock the embedded database ${dataDir}.`,
  });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as { code?: string }).code === 'EPERM';
  }
}
