import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import type { BlobHTTPHeaders, BlockBlobClient, Metadata } from '@azure/storage-blob';
import { CancelledError, InvalidInputError, RetryableError } from '../../../../shared/errors';
import { sourceFailure } from '../common/errors';
import { Crc32, crcCombineHex } from '../crc32c';
import { idleTimer } from '../idle-timer';
import { givePart } from '../part-pool';
import { cutParts } from '../common/parts';
import { InFlight } from '../common/pool';
import type { MultipartSettings, PutOptions } from '../provider';
import { parseAzureResume, resumableBlockId, type AzureResumePointState, type AzureResumeState } from './azure.resume';

export interface UploadRequest {
  size: number;
  headers: BlobHTTPHeaders;
  metadata: Metadata | undefined;
  tier: string | undefined;
  signal: AbortSignal | undefined;
  onProgress: ((bytes: number) => void) | undefined;
  /** PutOptions.verifyBeforeCommit: before Put Blob, before Put Block List. */
  verifyBeforeCommit?: (() => Promise<void>) | undefined;
  /** PutOptions.sourceMd5: the caller already hashes the stream (or wants no whole MD5), so it is not hashed here. */
  sourceMd5?: PutOptions['sourceMd5'] | undefined;
  /** PutOptions.resume: blocks named by their CRC32, checkpointed; with `from`, the source starts at its offset. */
  resume?: PutOptions['resume'];
  /** PutOptions.parts: fewer blocks in flight while it says so. */
  parts?: PutOptions['parts'];
}

export interface UploadOutcome {
  etag: string | undefined;
  version: string | undefined;
  /** Absent for a resumed upload: the bytes staged before the restart were not hashed by this process. */
  md5: Buffer | undefined;
  /** Resumable uploads: the whole blob's CRC32, combined from its blocks' CRC32s. */
  crc32?: string;
}

export const MAX_BLOCKS = 50_000;
/** How long blocks still being sent may take to finish sending after a pause or cancel before their requests are cut. */
const BLOCK_GRACE_MS = 5_000;
/** The slices a block's body is handed to the SDK in: its upload progress then tells how much has left. */
const BLOCK_SLICE_BYTES = 256 * 1024;
/**
 * A block whose request shows no progress (bytes taken by the socket, or the answer) for this long is given up:
 * the Azure SDK has no inactivity timeout, only a total one per try, which would also cut slow but moving uploads.
 */
export const DEFAULT_BLOCK_STALL_MS = 120_000;
const MAX_BLOCK_BYTES = 4000 * 1024 * 1024;

/** Thrown by the source stream itself (not by Azure): handed back to the caller unchanged. */
class SourceFailure {
  constructor(readonly error: unknown) {}
}
const sourceError = (e: unknown): SourceFailure => new SourceFailure(e);

/**
 * The contiguous prefix of staged blocks of a resumable upload, reported through onCheckpoint each time it grows
 * (and once at the start of a new upload, so that a crash before the first block still leaves a state to drop).
 */
function blockCheckpoints(
  onCheckpoint: (s: AzureResumeState) => void,
  u: { nonce: string; partSize: number; size: number; from: AzureResumePointState | undefined },
): { staged: (index: number, crc32: string, length: number) => void; whole: () => string | undefined } {
  const crcs = new Map<number, { crc32: string; length: number }>();
  let prefix = u.from?.blocks ?? 0;
  let prefixCrc = u.from?.crc32;
  const total = Math.ceil(u.size / u.partSize);
  const emit = (): void => onCheckpoint({ kind: 'azure', v: 2, nonce: u.nonce, partSize: u.partSize, size: u.size, blocks: prefix, ...(prefixCrc === undefined ? {} : { crc32: prefixCrc }) });
  if (!u.from) emit();
  return {
    staged: (index, crc32, length) => {
      crcs.set(index, { crc32, length });
      let grew = false;
      for (let next = crcs.get(prefix); next; next = crcs.get(prefix)) {
        prefixCrc = crcCombineHex('crc32', prefixCrc, next.crc32, next.length);
        prefix++;
        grew = true;
      }
      if (grew && prefix < total) emit();
    },
    whole: () => (prefix === total ? prefixCrc : undefined),
  };
}

/**
 * One request, cut when it shows no progress (bytes taken by the socket, then the answer) for `stallMs`: the stall
 * becomes a RetryableError; an abort of `outer` stays what it was.
 */
async function watched<T>(stallMs: number, what: string, outer: AbortSignal, run: (signal: AbortSignal, onProgress: () => void) => Promise<T>): Promise<T> {
  // One controller fed by both causes through a plain listener, removed when the request ends.
  const ctl = new AbortController();
  let stalled = false;
  const onOuter = (): void => ctl.abort();
  if (outer.aborted) ctl.abort();
  else outer.addEventListener('abort', onOuter, { once: true });
  const idle = idleTimer(stallMs, () => {
    stalled = true;
    ctl.abort();
  });
  try {
    return await run(ctl.signal, idle.touch);
  } catch (e) {
    if (stalled && !outer.aborted) throw new RetryableError(`Azure took no more of ${what} for ${Math.round(stallMs / 1000)} s: the connection stalled; trying again`, { cause: e });
    throw e;
  } finally {
    idle.stop();
    outer.removeEventListener('abort', onOuter);
  }
}

/**
 * A block's body as a stream of slices of the same buffer (no copy), made again for each try of the SDK. Given a
 * Buffer, the SDK reports the whole length as sent before a byte has left; given slices, its progress tells
 * whether the last byte was handed to the socket, which decides whether cutting the request can still let the
 * service stage the block.
 */
function sliced(body: Buffer): () => NodeJS.ReadableStream {
  return () =>
    Readable.from(
      (function* () {
        for (let at = 0; at < body.length; at += BLOCK_SLICE_BYTES) yield body.subarray(at, Math.min(body.length, at + BLOCK_SLICE_BYTES));
      })(),
      { objectMode: false },
    );
}

function blockId(nonce: string, index: number): string {
  // Every id of one blob must have the same length: a fixed nonce and a zero-padded index.
  return Buffer.from(`${nonce}-${String(index).padStart(6, '0')}`).toString('base64');
}

/**
 * Uploads a stream of exactly `req.size` bytes. Below the threshold it is held in memory (at most the threshold)
 * and sent in one Put Blob, so that the SDK can retry it; above, blocks of partSizeBytes are staged in parallel
 * and committed only after the whole stream arrived with the announced size. A failing source or an abort never
 * commits, so an existing blob of that key stays as it was. Returns whether blocks were staged, for cleanup.
 */
export async function uploadStream(
  client: BlockBlobClient,
  source: Readable,
  req: UploadRequest,
  multipart: MultipartSettings,
  state: { stagedBlocks: boolean; keepBlocks?: boolean },
  stallMs = DEFAULT_BLOCK_STALL_MS,
): Promise<UploadOutcome> {
  const from = req.resume?.from ? (parseAzureResume(req.resume.from.state) as AzureResumePointState | undefined) : undefined;
  if (req.resume?.from && !from?.ids) throw new InvalidInputError('The resume point is not one this Azure account made.');
  // A resumed upload's staged blocks stay for the next attempt when this one fails; so do a resumable one's.
  const resumable = req.resume !== undefined && (from !== undefined || req.size >= multipart.thresholdBytes);
  if (resumable) state.keepBlocks = true;
  const offset = from ? from.blocks * from.partSize : 0;
  const ac = new AbortController();
  // Azure has no upload to abort: a Put Block whose last byte has left may still be staged by the service after
  // its request was cut client-side, and so after the caller dropped the uncommitted blocks (or checkpointed
  // without it). Such a block is never cut, only waited for (its stall watch bounds the wait): its answer says
  // whether it landed, and no cleanup runs before it. A block still being sent can be cut safely (the service
  // never stages a body shorter than its Content-Length): on a pause or cancel it is given BLOCK_GRACE_MS to
  // finish sending, then cut; on a failure it is cut at once.
  const flights = new Set<{ cut: AbortController; sent: boolean }>();
  const cutUnsent = (): void => {
    for (const f of flights) if (!f.sent) f.cut.abort();
  };
  let grace: NodeJS.Timeout | undefined;
  const onAbort = (): void => {
    grace ??= setTimeout(cutUnsent, BLOCK_GRACE_MS);
    ac.abort();
    source.destroy(new CancelledError());
  };
  if (req.signal?.aborted) throw new CancelledError();
  req.signal?.addEventListener('abort', onAbort, { once: true });
  const md5 = req.sourceMd5 !== undefined || from ? undefined : createHash('md5');
  const wholeMd5 = (): Buffer | undefined => {
    if (from || req.sourceMd5 === 'none') return undefined;
    return md5 ? md5.digest() : Buffer.from(req.sourceMd5?.() ?? '', 'hex');
  };
  let consumed = offset;
  const count = (chunk: Buffer): void => {
    md5?.update(chunk);
    consumed += chunk.length;
    if (consumed > req.size) throw new InvalidInputError(`The source gave more than the announced ${req.size} bytes.`);
    req.onProgress?.(consumed - offset);
  };
  const checkSize = (): void => {
    if (consumed !== req.size) throw new InvalidInputError(`The source gave ${consumed} bytes, but ${req.size} were announced.`);
  };

  try {
    if (req.size < multipart.thresholdBytes && !from) {
      const all: Buffer[] = [];
      for await (const part of cutParts(source, Math.max(1, req.size), { onChunk: count, alloc: (n) => Buffer.allocUnsafe(n), sourceError })) all.push(part);
      checkSize();
      await req.verifyBeforeCommit?.();
      const body = all.length === 1 && all[0] ? all[0] : Buffer.concat(all, req.size);
      const digest = wholeMd5();
      // In slices, as blocks are: given a Buffer the SDK reports it all sent at once, and the stall watch would then
      // time the whole upload instead of its silences (no matter for a body of one slice, the small files' case).
      const res = await watched(stallMs, `"${client.name}"`, ac.signal, (signal, onProgress) =>
        client.upload(body.length > BLOCK_SLICE_BYTES ? sliced(body) : body, body.length, {
          blobHTTPHeaders: digest ? { ...req.headers, blobContentMD5: digest } : req.headers,
          metadata: req.metadata,
          tier: req.tier,
          abortSignal: signal,
          onProgress,
        }),
      );
      // Without an MD5 of ours, Put Blob answers with the one the service computed over what it received.
      return { etag: res.etag, version: res.versionId, md5: digest ?? (res.contentMD5 ? Buffer.from(res.contentMD5) : undefined) };
    }

    const partSize = from?.partSize ?? Math.min(MAX_BLOCK_BYTES, Math.max(multipart.partSizeBytes, Math.ceil(req.size / MAX_BLOCKS)));
    const nonce = from?.nonce ?? randomBytes(8).toString('hex');
    const ids: string[] = from ? [...from.ids] : [];
    const checkpoints = resumable && req.resume ? blockCheckpoints(req.resume.onCheckpoint, { nonce, partSize, size: req.size, from }) : undefined;
    // A failed block cuts the others still being sent.
    const inFlight = new InFlight(
      multipart.concurrency,
      () => {
        ac.abort();
        cutUnsent();
      },
      req.parts,
    );
    const stage = (id: string, body: Buffer, done?: () => void): void => {
      state.stagedBlocks = true;
      const blockMd5 = createHash('md5').update(body).digest();
      // `sent` stays set once any try handed over the whole body: that try may still land.
      const flight = { cut: new AbortController(), sent: false };
      flights.add(flight);
      inFlight.start(() =>
        watched(stallMs, `a block of "${client.name}"`, flight.cut.signal, (signal, onProgress) =>
          client.stageBlock(id, sliced(body), body.length, {
            abortSignal: signal,
            transactionalContentMD5: blockMd5,
            onProgress: (p) => {
              if (p.loadedBytes >= body.length) flight.sent = true;
              onProgress();
            },
          }),
        )
          .then(() => done?.())
          .finally(() => {
            flights.delete(flight);
            // The request has settled: nothing holds the block's bytes any more.
            givePart(body);
          }),
      );
    };
    try {
      for await (const part of cutParts(source, partSize, { onChunk: count, sourceError })) {
        inFlight.check();
        const index = ids.length;
        if (checkpoints) {
          const crc = new Crc32().update(part).hex();
          const id = resumableBlockId(nonce, index, crc);
          ids.push(id);
          stage(id, part, () => checkpoints.staged(index, crc, part.length));
        } else {
          const id = blockId(nonce, index);
          ids.push(id);
          stage(id, part);
        }
        await inFlight.room();
      }
    } finally {
      await inFlight.settle();
    }
    inFlight.check();
    checkSize();
    // Staged blocks are invisible until the list is committed: a failure here leaves the previous blob as it was.
    await req.verifyBeforeCommit?.();
    const digest = wholeMd5();
    const res = await watched(stallMs, `the block list of "${client.name}"`, ac.signal, (signal) =>
      client.commitBlockList(ids, {
        blobHTTPHeaders: digest ? { ...req.headers, blobContentMD5: digest } : req.headers,
        metadata: req.metadata,
        tier: req.tier,
        abortSignal: signal,
      }),
    );
    // Only a resumed upload reports it: a fresh one has the whole blob's MD5, which verification has used so far.
    const crc32 = from ? checkpoints?.whole() : undefined;
    return crc32 === undefined ? { etag: res.etag, version: res.versionId, md5: digest } : { etag: res.etag, version: res.versionId, md5: digest, crc32 };
  } catch (e) {
    if (req.signal?.aborted) throw new CancelledError();
    // The caller's stream failed, not Azure.
    if (e instanceof SourceFailure) throw sourceFailure(e.error, `"${client.name}"`);
    throw e;
  } finally {
    req.signal?.removeEventListener('abort', onAbort);
    if (grace) clearTimeout(grace);
  }
}
