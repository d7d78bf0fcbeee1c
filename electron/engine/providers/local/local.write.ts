import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { copyFile, link, lstat, open, readdir, rename, stat, unlink, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { CancelledError, ConflictError, InvalidInputError, RetryableError, SkyferryError } from '../../../../shared/errors';
import { throwIfCancelled } from '../common/call';
import { codeOf, sourceFailure } from '../common/errors';
import type { PutOptions, PutResult } from '../provider';
import { toLocalError } from './local.errors';
import { etagOf } from './local.list';
import { isTempName, TEMP_PREFIX, TEMP_RANDOM_BYTES } from './local.paths';

/**
 * Temp files this process is writing now (every local provider's): a sweep for what a killed run left never takes
 * one of them. The desktop app runs one instance, so any other temp file is a dead process's.
 */
const live = new Set<string>();

/** A new file, never opened through a link (O_EXCL refuses one already; O_NOFOLLOW says so where the OS has it). */
const CREATE_FLAGS = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | (constants.O_NOFOLLOW ?? 0);

/** A temp name in the target folder itself, so the final rename never crosses a file system; marked live. */
function tempPath(dir: string): string {
  const tmp = path.join(dir, `${TEMP_PREFIX}${randomBytes(TEMP_RANDOM_BYTES).toString('hex')}`);
  live.add(tmp);
  return tmp;
}

/**
 * Removes the temp files in `dirs` that no write of this process holds: what a killed run left (a partial file as
 * large as it got). Only names exactly of Skyferry's temp form are taken; a folder that is gone is skipped.
 */
export async function removeDeadTemps(dirs: Iterable<string>): Promise<number> {
  let removed = 0;
  for (const dir of dirs) {
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
    for (const d of entries) {
      const p = path.join(dir, d.name);
      if (!d.isFile() || !isTempName(d.name) || live.has(p)) continue;
      if (await unlink(p).then(() => true, () => false)) removed++;
    }
  }
  return removed;
}

/**
 * Moves the finished temp file to `target`. With `ifAbsent` it never replaces: a hard link fails when the name is
 * taken, and only then is the temp name dropped. A file system without hard links (FAT, some network shares) is
 * checked just before the rename instead, which a writer in between can still beat.
 */
async function commit(tmp: string, target: string, ifAbsent: boolean | undefined, what: string): Promise<void> {
  if (ifAbsent !== true) return rename(tmp, target);
  try {
    await link(tmp, target);
  } catch (e) {
    if (codeOf(e) === 'EEXIST') throw new ConflictError(`${what} appeared while it was being written: it was left as it is`);
    if (codeOf(e) !== 'EPERM' && codeOf(e) !== 'ENOTSUP' && codeOf(e) !== 'EXDEV' && codeOf(e) !== 'ENOSYS') throw e;
    if ((await lstat(target).catch(() => undefined)) !== undefined) throw new ConflictError(`${what} appeared while it was being written: it was left as it is`);
    return rename(tmp, target);
  }
  await unlink(tmp);
}

/** Best effort: makes a rename durable. Some file systems refuse fsync on a folder; the data itself is synced. */
async function syncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r').catch(() => undefined);
  if (!fh) return;
  await fh.sync().catch(() => undefined);
  await fh.close().catch(() => undefined);
}

/**
 * Streams `source` into a temp file beside `target`, checks the byte count, fsyncs and renames it into place. Any
 * failure or abort removes the temp file, so the previous file (if any) stays exactly as it was.
 */
export async function writeAtomically(dir: string, target: string, source: Readable, options: PutOptions, what: string): Promise<PutResult> {
  const tmp = tempPath(dir);
  let fh: FileHandle | undefined;
  const signal = options.signal;
  const onAbort = (): void => void source.destroy(new CancelledError());
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    throwIfCancelled(signal);
    fh = await open(tmp, CREATE_FLAGS, 0o666);
    let written = 0;
    for await (const chunk of source) {
      throwIfCancelled(signal);
      const buf: Buffer = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
      written += buf.length;
      if (written > options.size) throw new InvalidInputError(`The source of ${what} gave more than the ${options.size} bytes announced`);
      for (let off = 0; off < buf.length; ) off += (await fh.write(buf, off, buf.length - off)).bytesWritten;
      options.onProgress?.(written);
    }
    throwIfCancelled(signal);
    if (written !== options.size) throw new RetryableError(`The source of ${what} ended after ${written} of ${options.size} bytes`);
    await options.verifyBeforeCommit?.();
    await fh.sync();
    await fh.close();
    fh = undefined;
    await commit(tmp, target, options.ifAbsent, what);
    await syncDir(dir);
    return { etag: etagOf(await stat(target)), checksums: {} };
  } catch (e) {
    await fh?.close().catch(() => undefined);
    await unlink(tmp).catch(() => undefined);
    if (signal?.aborted) throw new CancelledError();
    if (e instanceof SkyferryError || codeOf(e) !== undefined) throw toLocalError(e, what);
    throw sourceFailure(e, what);
  } finally {
    live.delete(tmp);
    signal?.removeEventListener('abort', onAbort);
  }
}

/** fs.copyFile (a reflink where the file system offers one) into a temp file, fsynced and renamed into place. */
export async function copyAtomically(source: string, dir: string, target: string, what: string, signal?: AbortSignal, ifAbsent?: boolean): Promise<PutResult> {
  const tmp = tempPath(dir);
  try {
    await copyFile(source, tmp, constants.COPYFILE_EXCL | constants.COPYFILE_FICLONE);
    const fh = await open(tmp, 'r+');
    await fh.sync().finally(() => fh.close());
    throwIfCancelled(signal);
    await commit(tmp, target, ifAbsent, what);
    await syncDir(dir);
    return { etag: etagOf(await stat(target)), checksums: {} };
  } catch (e) {
    await unlink(tmp).catch(() => undefined);
    throw toLocalError(e, what);
  } finally {
    live.delete(tmp);
  }
}
