import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { chmod, mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

/** SKYFERRY_DATA_DIR, else ~/.config/skyferry; created (and kept) readable by the user alone. */
export async function resolveDataDir(env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const dir = path.resolve(env.SKYFERRY_DATA_DIR || path.join(os.homedir(), '.config', 'skyferry'));
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await chmod(dir, 0o700);
  return dir;
}

/** A data folder held by a running process: who holds it, for the refusal's message. */
export interface DataDirHolder {
  pid: number;
  host: string;
  /** 'served' or 'cli <verb>'. */
  what: string;
  since: string;
}

export class DataDirBusyError extends Error {
  override readonly name = 'DataDirBusyError';
  constructor(
    readonly dir: string,
    readonly holder: DataDirHolder,
  ) {
    super(
      `The data folder ${dir} is in use by another Skyferry process (${holder.what}, pid ${holder.pid}, since ${holder.since}). ` +
        'Wait for it to finish or stop it, or set SKYFERRY_DATA_DIR to another folder.',
    );
  }
}

const LOCK = 'skyferry.lock';

/** True when the process that wrote the lock still runs (only knowable on the machine that wrote it). */
function alive(holder: DataDirHolder): boolean {
  if (holder.host !== os.hostname()) return true;
  if (holder.pid === process.pid) return false;
  try {
    process.kill(holder.pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * One writer per data folder: the accounts, the job journals and the plans are each written by one engine. Creates
 * `skyferry.lock` (pid, host, what) exclusively; a lock left by a process that no longer runs (a SIGKILL, a crash)
 * is taken over. Throws DataDirBusyError while another live process holds it. The returned release removes the
 * lock; it is also removed when this process exits normally.
 */
export function lockDataDir(dir: string, what: string): () => void {
  const file = path.join(dir, LOCK);
  const mine: DataDirHolder = { pid: process.pid, host: os.hostname(), what, since: new Date().toISOString() };
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      writeFileSync(file, JSON.stringify(mine), { flag: 'wx', mode: 0o600 });
      let held = true;
      const release = (): void => {
        if (!held) return;
        held = false;
        process.off('exit', release);
        rmSync(file, { force: true });
      };
      process.on('exit', release);
      return release;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    let holder: DataDirHolder | undefined;
    try {
      holder = JSON.parse(readFileSync(file, 'utf8')) as DataDirHolder;
    } catch {
      // Unreadable or half-written: the writer died between create and write (or is writing now: try again).
    }
    if (holder && typeof holder.pid === 'number' && alive(holder)) throw new DataDirBusyError(dir, holder);
    // The holder is gone: take the lock over. Renaming first means two processes cannot both remove it and both win.
    const stale = `${file}.stale-${process.pid}`;
    try {
      renameSync(file, stale);
      rmSync(stale, { force: true });
    } catch {
      // Another process took it over first: the next attempt sees its lock.
    }
  }
  throw new Error(`Could not lock the data folder ${dir}: another process keeps taking ${LOCK}`);
}
