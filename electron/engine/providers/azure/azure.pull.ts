import { randomBytes } from 'node:crypto';
import type { BlobHTTPHeaders, BlockBlobClient, Metadata } from '@azure/storage-blob';
import { AccessDeniedError, CancelledError } from '../../../../shared/errors';
import { serviceMessage } from '../common/errors';
import { mapLimit } from '../common/pool';

/**
 * The cloud-side pull into Azure: the service fetches the bytes from a signed read URL of another account (S3 or
 * GCS presigned, or an Azure SAS), so no byte passes through this computer. An object is either one Put Blob From
 * URL, or ranges of the source staged in parallel with Put Block From URL and committed with one Put Block List.
 * Nothing is visible until the commit, so a failure leaves an existing blob as it was.
 *
 * One request is one connection from the service to the source, so a large object pulls faster in ranges; but the
 * service checks a source MD5 (x-ms-source-content-md5) only on the whole object, each block by its length alone.
 * So an object whose source stores an MD5 is one checked request up to `singleShotMaxBytes`, and one without (an S3
 * multipart object, which loses nothing) goes in ranges above `uncheckedSingleShotMaxBytes`.
 */
export interface PullSettings {
  /** Largest object with a known source MD5 sent as one Put Blob From URL (Azure's limit: 5000 MiB). */
  singleShotMaxBytes: number;
  /** Largest object without a known source MD5 sent as one Put Blob From URL; above it, parallel ranges. */
  uncheckedSingleShotMaxBytes: number;
  /** Range fetched per Put Block From URL (Azure's limit: 4000 MiB per block, 50,000 blocks). */
  blockBytes: number;
  /** Put Block From URL requests in flight for one object. */
  concurrency: number;
}

const MiB = 1024 * 1024;
const MAX_PUT_BLOB_FROM_URL = 5000 * MiB;
const MAX_BLOCK_FROM_URL = 4000 * MiB;
const MAX_BLOCKS = 50_000;

/**
 * Ranges of 16 MiB, 8 at a time per object (as AzCopy copies between services): nothing is held in memory here,
 * and a block costs one write and one source GET (a few hundredths of a cent per GiB).
 */
export const DEFAULT_PULL: PullSettings = { singleShotMaxBytes: MAX_PUT_BLOB_FROM_URL, uncheckedSingleShotMaxBytes: 32 * MiB, blockBytes: 16 * MiB, concurrency: 8 };

/** Whether an object of this size is pulled as one Put Blob From URL (else in ranges). */
function pullsInOne(size: number, sourceMd5Known: boolean, settings: PullSettings): boolean {
  const most = sourceMd5Known ? settings.singleShotMaxBytes : settings.uncheckedSingleShotMaxBytes;
  return size <= Math.min(most, MAX_PUT_BLOB_FROM_URL);
}

/** The range each Put Block From URL fetches for an object of this size. */
function pullBlockBytes(size: number, settings: PullSettings): number {
  return Math.min(MAX_BLOCK_FROM_URL, Math.max(settings.blockBytes, Math.ceil(size / MAX_BLOCKS)));
}

export interface PullRequest {
  size: number;
  headers: BlobHTTPHeaders;
  metadata: Metadata | undefined;
  tier: string | undefined;
  /** The source's MD5, when it stores one: sent as x-ms-source-content-md5, which the service checks. */
  sourceMd5: Buffer | undefined;
  signal: AbortSignal | undefined;
}

export interface PullOutcome {
  etag: string | undefined;
  version: string | undefined;
  /** The MD5 the service checked the fetched bytes against (single shot with a known source MD5 only). */
  checkedMd5: Buffer | undefined;
}

function blockId(nonce: string, index: number): string {
  return Buffer.from(`${nonce}-pull-${String(index).padStart(6, '0')}`).toString('base64');
}

/**
 * Azure answers CannotVerifyCopySource when it could not read the source (unreachable, expired or refused link):
 * said as an access problem of the pull, with the source status, and never with the URL.
 */
function refusal(e: unknown): AccessDeniedError | undefined {
  const err = typeof e === 'object' && e !== null ? (e as { code?: unknown; statusCode?: unknown; message?: unknown }) : {};
  if (err.code !== 'CannotVerifyCopySource') return undefined;
  const detail = serviceMessage(typeof err.message === 'string' ? err.message : '');
  const status = typeof err.statusCode === 'number' ? ` (${err.statusCode})` : '';
  return new AccessDeniedError(`Azure could not read the source from its signed link${status}: ${detail || 'CannotVerifyCopySource'}`);
}

export async function pullFromUrl(client: BlockBlobClient, sourceUrl: string, req: PullRequest, settings: PullSettings, state: { stagedBlocks: boolean }): Promise<PullOutcome> {
  if (req.signal?.aborted) throw new CancelledError();
  const ac = new AbortController();
  const onAbort = (): void => ac.abort();
  req.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    if (pullsInOne(req.size, req.sourceMd5 !== undefined, settings)) {
      const res = await client.syncUploadFromURL(sourceUrl, {
        abortSignal: ac.signal,
        // Headers and metadata are the ones given (mapped for Azure), not copied from an Azure source.
        copySourceBlobProperties: false,
        blobHTTPHeaders: req.sourceMd5 === undefined ? req.headers : { ...req.headers, blobContentMD5: req.sourceMd5 },
        metadata: req.metadata,
        tier: req.tier,
        ...(req.sourceMd5 === undefined ? {} : { sourceContentMD5: req.sourceMd5 }),
      });
      return { etag: res.etag, version: res.versionId, checkedMd5: req.sourceMd5 };
    }

    const blockBytes = pullBlockBytes(req.size, settings);
    const nonce = randomBytes(8).toString('hex');
    const count = Math.ceil(req.size / blockBytes);
    const ids = Array.from({ length: count }, (_, i) => blockId(nonce, i));
    await mapLimit(ids, settings.concurrency, async (id, i) => {
      const offset = i * blockBytes;
      state.stagedBlocks = true;
      try {
        await client.stageBlockFromURL(id, sourceUrl, offset, Math.min(blockBytes, req.size - offset), { abortSignal: ac.signal });
      } catch (e) {
        // The first failure cuts the other blocks in flight.
        ac.abort();
        throw e;
      }
    });
    // The source's MD5 is not stored: the service checked each range's length, not this hash, so it would be
    // an unverified claim on the blob. Verification after the pull then compares the size.
    const res = await client.commitBlockList(ids, { abortSignal: ac.signal, blobHTTPHeaders: req.headers, metadata: req.metadata, tier: req.tier });
    return { etag: res.etag, version: res.versionId, checkedMd5: undefined };
  } catch (e) {
    if (req.signal?.aborted) throw new CancelledError();
    throw refusal(e) ?? e;
  } finally {
    req.signal?.removeEventListener('abort', onAbort);
  }
}
