import type { BlockBlobClient } from '@azure/storage-blob';
import { ConflictError, RetryableError, type SkyferryError } from '../../../../shared/errors';

/**
 * Azure has no call that drops uncommitted blocks. Committing an empty list only where no blob exists
 * (If-None-Match: *) and deleting exactly that empty blob (If-Match) removes them without ever touching a
 * committed blob someone else wrote meanwhile (there it fails: 409).
 */
export async function discardUncommittedBlocks(client: BlockBlobClient): Promise<void> {
  const empty = await client.commitBlockList([], { conditions: { ifNoneMatch: '*' } });
  await client.delete({ conditions: { ifMatch: empty.etag } });
}

/**
 * discardUncommittedBlocks, except where a committed blob exists (an overwrite that was cancelled or failed):
 * there the blocks are left, and counted. The only calls that drop them rewrite the blob: Put Block List of its
 * committed ids resets its headers and metadata unless all are sent again, and gives it a new ETag and
 * Last-Modified, a new version and a BlobCreated event; a blob made by one Put Blob has no block list to commit
 * again. Left, they stay invisible, the content stays as it was, and they go at the next commit or Put Blob of
 * that name, or after 7 days. Answers how many were left (0: none).
 */
export async function dropUncommittedBlocks(client: BlockBlobClient): Promise<number> {
  try {
    await discardUncommittedBlocks(client);
    return 0;
  } catch (e) {
    const status = (e as { statusCode?: unknown } | null)?.statusCode;
    if (status !== 409 && status !== 412) throw e;
    return (await client.getBlockList('uncommitted')).uncommittedBlocks?.length ?? 0;
  }
}

/** The report's words for blocks left on an existing blob (discardUncommittedBlocks). */
export function blocksLeftNotice(count: number): string {
  return `${count} uploaded block${count === 1 ? '' : 's'} of the unfinished upload stay staged on the existing blob: its content is unchanged; Azure drops them after 7 days, or the next upload of this name does`;
}

/**
 * Azure refuses a Put Block whose id is not as long as those of the blocks already staged on that blob
 * (400 InvalidBlobOrBlock): blocks left by another tool's unfinished upload (or one of ours made with other ids)
 * make every new block upload of that name fail until they expire, after 7 days.
 */
export function isForeignBlockClash(e: unknown): boolean {
  const err = e as { statusCode?: unknown; code?: unknown } | null;
  return err?.statusCode === 400 && err.code === 'InvalidBlobOrBlock';
}

/**
 * If blocks of someone else's unfinished upload are what Azure refused ours for: where no committed blob holds
 * them they are dropped and the upload is worth another try; over a committed blob they cannot be dropped without
 * rewriting it (see dropUncommittedBlocks), so the user is told. Undefined when no such blocks are there.
 */
export async function foreignBlocks(client: BlockBlobClient, at: string, cause: Error): Promise<SkyferryError | undefined> {
  try {
    // Our first block was refused, so whatever is staged is someone else's.
    const staged = (await client.getBlockList('uncommitted')).uncommittedBlocks?.length ?? 0;
    if (staged === 0) return undefined;
    const left = await dropUncommittedBlocks(client);
    if (left === 0) {
      return new RetryableError(`Azure refused the blocks of ${at}: an unfinished upload of this name (by another tool) had left ${staged} block${staged === 1 ? '' : 's'} Azure would not mix with ours. They were dropped; the upload is tried again.`, { cause });
    }
    return new ConflictError(
      `Azure refused the blocks of ${at}: the existing blob holds ${left} block${left === 1 ? '' : 's'} of another tool's unfinished upload, which Azure will not mix with ours. The blob is unchanged. Finish or overwrite it with that tool, or try again after Azure drops them (7 days after they were sent).`,
      { cause },
    );
  } catch {
    return undefined;
  }
}
