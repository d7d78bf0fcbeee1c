import { AbortMultipartUploadCommand, CompleteMultipartUploadCommand, CreateMultipartUploadCommand, ListPartsCommand, UploadPartCommand } from '@aws-sdk/client-s3';
import type { Readable } from 'node:stream';
import zlib from 'node:zlib';
import { CancelledError, InvalidInputError, SkyferryError } from '../../../../shared/errors';
import { createLogger } from '../../log';
import { crcB64ToHex, crcCombineHex } from '../crc32c';
import { givePart } from '../part-pool';
import type { PutOptions, PutResult, ResumePoint, ResumeState } from '../provider';
import { toS3Error } from './s3.errors';
import { sourceFailure } from '../common/errors';
import { cutParts } from '../common/parts';
import { InFlight } from '../common/pool';
import { objectParams, type UploadTarget } from './s3.params';
import { putResultOf } from './s3.metadata';

const log = createLogger('s3');
/** S3's limit on parts per upload; the part size grows for larger objects. */
export const MAX_PARTS = 10_000;
/**
 * How long parts in flight may take to be answered after a pause or cancel before their requests are cut. A part
 * whose body has left can still be stored after its request was cut, even after the upload was aborted (AWS: "it
 * might be necessary to abort a given multipart upload multiple times"); the SDK does not tell whether it has, so
 * every part is given this long, and discardS3Resume checks with ListParts and aborts again.
 */
const PART_SETTLE_MS = 10_000;
/** AbortMultipartUpload, then ListParts to confirm: at most this many rounds, this far apart. */
const ABORT_ROUNDS = 3;
const ABORT_PAUSE_MS = 1_000;

/**
 * What a resumable S3 multipart upload keeps in the journal: small whatever the object's size. `parts` is the
 * count of parts 1..parts stored (a contiguous prefix), `crc32` the CRC32 (hex) of those bytes, combined from
 * the CRC32 the service checked each part against on receipt (CRC32 rather than CRC32C: Node computes it natively,
 * eight times faster). ETags are not kept: ListParts gives them back. Version 1 states (CRC32C) start over.
 */
interface S3ResumeState extends ResumeState {
  kind: 's3';
  v: 2;
  uploadId: string;
  partSize: number;
  size: number;
  parts: number;
  crc32?: string;
}

/** In memory only, between prepareResume and put: the stored parts as ListParts answered. */
interface S3ResumePointState extends S3ResumeState {
  stored: Array<{ etag: string; crc32: string }>;
}

function parse(state: ResumeState): S3ResumeState | undefined {
  const s = state as Partial<S3ResumeState>;
  const ok =
    s.kind === 's3' &&
    s.v === 2 &&
    typeof s.uploadId === 'string' &&
    typeof s.partSize === 'number' &&
    typeof s.size === 'number' &&
    typeof s.parts === 'number' &&
    (s.crc32 === undefined || typeof s.crc32 === 'string');
  return ok ? (s as S3ResumeState) : undefined;
}

function isNoSuchUpload(err: unknown): boolean {
  const e = err as { name?: unknown; Code?: unknown } | null;
  return e?.name === 'NoSuchUpload' || e?.Code === 'NoSuchUpload';
}

type Target = Pick<UploadTarget, 'client' | 'bucket' | 'key' | 'endpoint'>;

/**
 * Aborts the upload, then asks ListParts whether it is gone (NoSuchUpload): a part that was being stored while the
 * abort ran can still appear, and keep costing, so the abort is repeated while parts are listed (AWS's advice).
 */
export async function discardS3Resume(t: Target, state: ResumeState, signal?: AbortSignal): Promise<void> {
  const s = parse(state);
  if (!s) return;
  for (let round = 1; ; round++) {
    try {
      await t.client.send(new AbortMultipartUploadCommand({ Bucket: t.bucket, Key: t.key, UploadId: s.uploadId }), { abortSignal: signal });
    } catch (err) {
      if (isNoSuchUpload(err)) return;
      throw toS3Error(err, { op: 'abort upload', bucket: t.bucket, key: t.key, endpoint: t.endpoint, signal });
    }
    // Best effort: the abort was accepted, and a key allowed to abort may not be allowed to list parts.
    const listed = await t.client
      .send(new ListPartsCommand({ Bucket: t.bucket, Key: t.key, UploadId: s.uploadId, MaxParts: 1 }), { abortSignal: signal })
      .then(
        (out) => out.Parts?.length ?? 0,
        (err: unknown) => {
          if (!isNoSuchUpload(err)) log.info(`could not check that the upload of ${t.key} is gone: ${err instanceof Error ? err.message : String(err)}`);
          return 0;
        },
      );
    // Some services keep answering ListParts for a while after the abort: only listed parts call for another.
    if (listed === 0) return;
    if (round >= ABORT_ROUNDS) {
      log.info(`parts of the aborted upload of ${t.key} are still listed after ${round} aborts; S3's lifecycle rules or "Abandoned uploads" remove them`);
      return;
    }
    await new Promise((r) => setTimeout(r, ABORT_PAUSE_MS));
  }
}

/**
 * ListParts against the recorded state: parts 1..n must all be there, each a full part with a CRC32, and their
 * combined CRC32 must be the recorded one (same bytes as when they were checkpointed). Anything else aborts
 * what is left of the upload and answers undefined: the caller starts over.
 */
export async function prepareS3Resume(t: Target, state: ResumeState, size: number, signal?: AbortSignal): Promise<ResumePoint | undefined> {
  const s = parse(state);
  if (!s) return undefined;
  const ctx = { op: 'resume upload', bucket: t.bucket, key: t.key, endpoint: t.endpoint, signal };
  const giveUp = async (why: string): Promise<undefined> => {
    log.info(`not resuming the upload of ${t.key}: ${why}; starting over`);
    await discardS3Resume(t, s, signal).catch((e: unknown) => log.info(`could not abort the old upload of ${t.key}: ${e instanceof Error ? e.message : String(e)}`));
    return undefined;
  };
  if (s.size !== size || s.parts * s.partSize >= size) return giveUp('the object size changed');
  if (s.parts === 0) return giveUp('no part was stored');
  const stored: Array<{ etag: string; crc32: string }> = [];
  let marker: string | undefined;
  try {
    while (stored.length < s.parts) {
      const out = await t.client.send(new ListPartsCommand({ Bucket: t.bucket, Key: t.key, UploadId: s.uploadId, PartNumberMarker: marker, MaxParts: 1000 }), { abortSignal: signal });
      for (const p of out.Parts ?? []) {
        if (p.PartNumber === undefined || p.PartNumber > s.parts) continue;
        if (p.PartNumber !== stored.length + 1) return await giveUp(`part ${stored.length + 1} is missing`);
        if (p.Size !== s.partSize || !p.ETag || !p.ChecksumCRC32) return await giveUp(`part ${p.PartNumber} differs from the one recorded`);
        stored.push({ etag: p.ETag, crc32: p.ChecksumCRC32 });
      }
      if (!out.IsTruncated || out.NextPartNumberMarker === undefined) break;
      marker = out.NextPartNumberMarker;
    }
  } catch (err) {
    if (isNoSuchUpload(err)) return giveUp('the upload no longer exists (aborted or expired)');
    throw toS3Error(err, ctx);
  }
  if (stored.length < s.parts) return giveUp(`only ${stored.length} of ${s.parts} recorded parts are stored`);
  let crc: string | undefined;
  for (const p of stored) crc = crcCombineHex('crc32', crc, crcB64ToHex(p.crc32), s.partSize);
  if (crc !== s.crc32) return giveUp('the stored parts do not match the recorded CRC32');
  const point: S3ResumePointState = { ...s, stored };
  return crc === undefined ? { offset: s.parts * s.partSize, state: point } : { offset: s.parts * s.partSize, state: point, crc: { kind: 'crc32', hex: crc } };
}

/**
 * A part's bytes are checked by S3 against the CRC32 header, which the signature covers: SigV4's SHA-256 of the
 * payload would be a third pass over every byte for no more safety, so the part is sent as UNSIGNED-PAYLOAD (as
 * the SDK's own uploads with a checksum trailer are). The signer takes the header as the payload hash when set.
 */
function unsignedPayload(command: UploadPartCommand): void {
  command.middlewareStack.add(
    (next) => async (args) => {
      const request = args.request as { headers?: Record<string, string> };
      if (request.headers) request.headers['x-amz-content-sha256'] = 'UNSIGNED-PAYLOAD';
      return next(args);
    },
    { step: 'build', name: 'skyferryUnsignedPayload' },
  );
}

/** A read of the source failed (not S3): reported as such, not as an S3 error. */
class SourceFailure extends Error {
  constructor(readonly reason: unknown) {
    super('source failed');
  }
}

/**
 * A multipart upload whose parts outlive the process: a CRC32 on every part (computed here, checked by the service),
 * a checkpoint each time the contiguous prefix of stored parts grows, and with `resume.from` only the parts after
 * that prefix are sent. On failure the upload stays for a later resume (the caller discards it when it gives up).
 * The PutResult's crc32 is the whole object's, combined from the service's per-part CRC32s.
 */
export async function uploadResumable(t: UploadTarget, source: Readable, options: PutOptions, resume: NonNullable<PutOptions['resume']>): Promise<PutResult> {
  const { size, signal } = options;
  const ctx = { op: 'upload', bucket: t.bucket, key: t.key, endpoint: t.endpoint, signal };
  const from = resume.from ? (parse(resume.from.state) as S3ResumePointState | undefined) : undefined;
  if (resume.from && !from?.stored) throw new InvalidInputError('The resume point is not one this S3 account made');
  const partSize = from?.partSize ?? Math.max(t.multipart.partSizeBytes, Math.ceil(size / MAX_PARTS));
  const totalParts = Math.ceil(size / partSize);
  const offset = from ? from.parts * partSize : 0;
  const cancelled = (): CancelledError => new CancelledError(`Cancelled: upload of "${t.key}"`);
  const inFlight = new InFlight(t.multipart.concurrency, undefined, options.parts);
  // A pause or cancel stops the source at once (it may be waiting on a slow read), but parts in flight are cut
  // only after PART_SETTLE_MS: answered, they are known stored (and checkpointed) before anything is aborted.
  const cut = new AbortController();
  let settle: NodeJS.Timeout | undefined;
  const onAbort = (): void => {
    settle ??= setTimeout(() => cut.abort(), PART_SETTLE_MS);
    // Without an error: nobody may be listening yet. Its reader then fails with a premature close.
    source.destroy();
  };
  if (signal?.aborted) onAbort();
  else signal?.addEventListener('abort', onAbort, { once: true });
  try {
    let uploadId = from?.uploadId;
    if (uploadId === undefined) {
      const created = await t.client.send(
        new CreateMultipartUploadCommand({
          Bucket: t.bucket,
          Key: t.key,
          ChecksumAlgorithm: 'CRC32',
          ...objectParams(options),
        }),
        { abortSignal: signal },
      );
      if (!created.UploadId) throw new SkyferryError('fatal', `S3 gave no upload id for "${t.key}"`);
      uploadId = created.UploadId;
    }
    const id = uploadId;
    const done = new Map<number, { etag: string; crc32: string }>();
    from?.stored.forEach((p, n) => done.set(n + 1, p));
    let prefix = from?.parts ?? 0;
    let prefixCrc = from?.crc32;
    const checkpoint = (): void => {
      const state: S3ResumeState = { kind: 's3', v: 2, uploadId: id, partSize, size, parts: prefix, ...(prefixCrc === undefined ? {} : { crc32: prefixCrc }) };
      resume.onCheckpoint(state);
    };
    // Recorded at once, so that a crash before the first part still leaves a handle to abort the upload by.
    if (!from) checkpoint();
    const partDone = (n: number, etag: string, crc32: string): void => {
      done.set(n, { etag, crc32 });
      let grew = false;
      for (let next = done.get(prefix + 1); next; next = done.get(prefix + 1)) {
        const len = prefix + 1 === totalParts ? size - prefix * partSize : partSize;
        prefixCrc = crcCombineHex('crc32', prefixCrc, crcB64ToHex(next.crc32), len);
        prefix++;
        grew = true;
      }
      // The last part completes the object: nothing more worth recording.
      if (grew && prefix < totalParts) checkpoint();
    };
    let read = offset;
    let partNumber = prefix + 1;
    for await (const body of cutParts(source, partSize, { sourceError: (e) => new SourceFailure(e) })) {
      if (signal?.aborted) throw cancelled();
      inFlight.check();
      read += body.length;
      if (read > size) throw new InvalidInputError(`The source gave more than the announced ${size} bytes`);
      options.onProgress?.(read - offset);
      const n = partNumber++;
      // The part's CRC32 computed here (natively) and sent for the service to check the bytes against; the SDK
      // then does not hash the part again.
      const sent = Buffer.alloc(4);
      sent.writeUInt32BE(zlib.crc32(body) >>> 0);
      const command = new UploadPartCommand({ Bucket: t.bucket, Key: t.key, UploadId: id, PartNumber: n, Body: body, ContentLength: body.length, ChecksumCRC32: sent.toString('base64') });
      unsignedPayload(command);
      inFlight.start(async () => {
        // Once its request has settled nothing reads the part again: its buffer goes back to the pool.
        const out = await t.client.send(command, { abortSignal: cut.signal }).finally(() => givePart(body));
        if (!out.ETag || !out.ChecksumCRC32) throw new SkyferryError('fatal', `S3 stored part ${n} of "${t.key}" without an ETag or CRC32`);
        partDone(n, out.ETag, out.ChecksumCRC32);
      });
      // Room for the next part before it is cut, not after: a part cut and waiting here would be held by neither
      // the requests in flight nor a parallel ranged read's window (which counts a range only until it is given
      // out), one part more than the file's reservation.
      await inFlight.room();
    }
    await inFlight.drain();
    if (signal?.aborted) throw cancelled();
    if (read !== size) throw new InvalidInputError(`The source ended after ${read - offset} of the ${size - offset} bytes expected`);
    await options.verifyBeforeCommit?.();
    const parts = [];
    let whole: string | undefined;
    for (let n = 1; n <= totalParts; n++) {
      const p = done.get(n);
      if (!p) throw new SkyferryError('fatal', `Part ${n} of "${t.key}" is missing before completing the upload`);
      parts.push({ PartNumber: n, ETag: p.etag, ChecksumCRC32: p.crc32 });
      whole = crcCombineHex('crc32', whole, crcB64ToHex(p.crc32), n === totalParts ? size - (n - 1) * partSize : partSize);
    }
    const out = await t.client.send(new CompleteMultipartUploadCommand({ Bucket: t.bucket, Key: t.key, UploadId: id, MultipartUpload: { Parts: parts } }), { abortSignal: signal });
    // The whole object's CRC32, combined from the parts' (the service answers a composite of them).
    return { ...putResultOf(out), checksums: whole === undefined ? {} : { crc32: whole } };
  } catch (err) {
    if (!source.destroyed) source.destroy();
    // Parts still in flight settle first: the next attempt must not race them for the same part numbers, nor the
    // caller's abort of the upload leave one to be stored after it.
    await inFlight.settle();
    if (signal?.aborted) throw new CancelledError(`Cancelled: upload of "${t.key}"`, { cause: err });
    if (err instanceof SourceFailure) throw sourceFailure(err.reason, `"${t.key}"`);
    if (err instanceof SkyferryError) throw err;
    throw toS3Error(err, ctx);
  } finally {
    signal?.removeEventListener('abort', onAbort);
    if (settle) clearTimeout(settle);
  }
}
