import { readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { PayrailError } from '@payrail/core';

/**
 * PGlite takes no lock on its data directory, and two processes opening one directory would corrupt it
 * (think `payrail merchant create` while `payrail start` runs). So the process that opens the directory
 * (the owner) holds a lock file next to it with its pid and, once it serves the database, the loopback
 * port of its socket. Any other process reads the port and connects to the owner's socket as a client
 * instead of opening the files. A lock whose process is gone is stale and taken over.
 * Best effort: two processes taking over the same stale lock in the same instant could both win.
 */
export type DataDirLock =
  | { role: 'owner'; publishPort(port: number): Promise<void>; unlock(): Promise<void> }
  | { role: 'client'; pid: number; port: number };

interface LockContent {
  pid: number;
  port?: number;
}

/** How long a client waits for an owner that is still starting (no port published yet). */
const OWNER_START_WAIT_MS = 15_000;

async function readLock(path: string): Promise<LockContent | null> {
  const text = await readFile(path, 'utf8').catch(() => '');
  try {
    const parsed = JSON.parse(text) as LockContent;
    return Number.isInteger(parsed.pid) ? parsed : null;
  } catch {
    // a lock written by an older version holds the bare pid
    const pid = Number.parseInt(text, 10);
    return Number.isInteger(pid) ? { pid } : null;
  }
}

export async function acquireDataDir(dataDir: string): Promise<DataDirLock> {
  const path = `${dataDir}.lock`;
  const deadline = Date.now() + OWNER_START_WAIT_MS;
  for (;;) {
    try {
      await writeFile(path, JSON.stringify({ pid: process.pid }), { flag: 'wx' });
      return {
        role: 'owner',
        async publishPort(port) {
          // write-then-rename so a reader never sees a half-written file
          await writeFile(`${path}.tmp`, JSON.stringify({ pid: process.pid, port }));
          await rename(`${path}.tmp`, path);
        },
        unlock: () => unlink(path).catch(() => {}),
      };
    } catch (error) {
      if ((error as { code?: string }).code !== 'EEXIST') throw error;
    }
    const holder = await readLock(path);
    if (holder && isAlive(holder.pid)) {
      if (holder.port) return { role: 'client', pid: holder.pid, port: holder.port };
      if (Date.now() > deadline) {
        throw new PayrailError('PAYRAIL_ERR_STORE_UNAVAILABLE', {
          message: `The embedded database ${dataDir} is held by process ${holder.pid}, which does not serve it; stop that process.`,
          retryable: false,
        });
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
      continue;
    }
    await unlink(path).catch(() => {});
  }
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
