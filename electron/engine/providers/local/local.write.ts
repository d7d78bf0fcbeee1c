import { randomBytes } from 'node:crypto';
import { copyFile, open, rename, stat, unlink, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { CancelledError, InvalidInputError, RetryableError, SkyferryError } from '../../../../shared/errors';
import { throwIfCancelled } from '../common/call';
import { codeOf, sourceFailure } from '../common/errors';
import type { PutOptions, PutResult } from '../provider';
import { toLocalError } from './local.errors';
import { etagOf } from './local.list';
import { TEMP_PREFIX } from './local.paths';

/** A temp name in the target folder itself, so the final rename never crosses a file system. */
function tempPath(dir: string): string {
  return path.join(dir, `${TEMP_PREFIX}${randomBytes(8).toString('hex')}`);
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
    fh = await open(tmp, 'wx', 0o666);
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
    await rename(tmp, target);
    await syncDir(dir);
    return { etag: etagOf(await stat(target)), checksums: {} };
  } catch (e) {
    await fh?.close().catch(() => undefined);
    await unlink(tmp).catch(() => undefined);
    if (signal?.aborted) throw new CancelledError();
    if (e instanceof SkyferryError || codeOf(e) !== undefined) throw toLocalError(e, what);
    throw sourceFailure(e, what);
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
}

/** fs.copyFile (a reflink where the file system offers one) into a temp file, fsynced and renamed into place. */
export async function copyAtomically(source: string, dir: string, target: string, what: string, signal?: AbortSignal): Promise<PutResult> {
  const tmp = tempPath(dir);
  try {
    await copyFile(source, tmp);
    const fh = await open(tmp, 'r+');
    await fh.sync().finally(() => fh.close());
    throwIfCancelled(signal);
    await rename(tmp, target);
    await syncDir(dir);
    return { etag: etagOf(await stat(target)), checksums: {} };
  } catch (e) {
    await unlink(tmp).catch(() => undefined);
    throw toLocalError(e, what);
  }
}
