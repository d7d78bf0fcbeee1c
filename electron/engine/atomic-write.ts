import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, unlink } from 'node:fs/promises';
import path from 'node:path';

/**
 * Replaces `file` so that a crash at any moment leaves either the old content or the new one, never a mix:
 * write a temp file beside it, fsync it, rename it over the target, then fsync the folder (so the rename itself
 * survives a power loss). The folder is created when missing.
 */
export async function writeFileAtomic(file: string, data: Buffer | string, mode = 0o600): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
  const fh = await open(tmp, 'wx', mode);
  try {
    try {
      await fh.writeFile(data);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, file);
  } catch (e) {
    await unlink(tmp).catch(() => undefined);
    throw e;
  }
  const dir = await open(path.dirname(file), 'r').catch(() => undefined);
  if (dir) {
    // Some file systems refuse fsync on a folder; the file itself is already durable.
    await dir.sync().catch(() => undefined);
    await dir.close();
  }
}
