import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { Bucket, File, FileMetadata } from '@google-cloud/storage';
import { CancelledError, InvalidInputError } from '../../../../shared/errors';
import { sourceFailure } from '../common/errors';
import { wholePoolBuffer } from '../common/parts';
import { InFlight } from '../common/pool';
import { crc32cCombineHex, crcB64ToHex } from '../crc32c';
import { givePart } from '../part-pool';
import type { MultipartSettings, PartWindow, PutOptions } from '../provider';
import { parseGcsResume, type GcsResumeState } from './gcs.resume';
import { partName, removeTemp, TEMP_FOR_KEY, tempFolder } from './gcs.temp';
import type { ObjectResource } from './gcs.metadata';

/**
 * Parallel composite upload (what gsutil / gcloud storage do): parts go up at once as temporary objects (gcs.temp.ts),
 * one compose call joins them (32 sources at most per call, so a tree for more), then the parts are deleted.
 * The JSON API's resumable upload takes chunks strictly in order, one at a time, so it cannot be parallel.
 */
const MAX_COMPOSE_SOURCES = 32;

/** Reads exact-size chunks off a stream, counting consumed bytes, honouring an AbortSignal while it waits. */
export class ChunkReader {
  private readonly it: AsyncIterator<unknown>;
  private carry: Buffer | undefined;
  private consumed = 0;

  constructor(
    source: Readable,
    private readonly what: string,
    private readonly onProgress?: (bytes: number) => void,
    private readonly signal?: AbortSignal,
  ) {
    this.it = source[Symbol.asyncIterator]();
  }

  private async nextPiece(): Promise<Buffer | undefined> {
    if (this.carry) {
      const c = this.carry;
      this.carry = undefined;
      return c;
    }
    if (this.signal?.aborted) throw new CancelledError();
    let onAbort: (() => void) | undefined;
    const aborted = new Promise<never>((_, reject) => {
      onAbort = () => reject(new CancelledError());
      this.signal?.addEventListener('abort', onAbort, { once: true });
    });
    try {
      const r = await Promise.race([this.it.next(), aborted]);
      if (r.done) return undefined;
      const v: unknown = r.value;
      const buf = Buffer.isBuffer(v) ? v : typeof v === 'string' ? Buffer.from(v) : v instanceof Uint8Array ? Buffer.from(v.buffer, v.byteOffset, v.byteLength) : undefined;
      if (!buf) throw new InvalidInputError(`The source of ${this.what} gave something other than bytes`);
      this.consumed += buf.length;
      this.onProgress?.(this.consumed);
      return buf;
    } catch (e) {
      throw sourceFailure(e, this.what);
    } finally {
      if (onAbort) this.signal?.removeEventListener('abort', onAbort);
      aborted.catch(() => undefined);
    }
  }

  /**
   * Exactly `n` bytes, as the pieces the source gave (not joined: a copy per part would double the garbage); an early
   * end of the stream is an error (the caller promised `size`).
   */
  async read(n: number, total: number): Promise<Buffer[]> {
    const pieces: Buffer[] = [];
    let have = 0;
    while (have < n) {
      const piece = await this.nextPiece();
      if (!piece) throw new InvalidInputError(`The source of ${this.what} ended after ${this.consumed} of ${total} bytes`);
      const take = Math.min(piece.length, n - have);
      pieces.push(take === piece.length ? piece : piece.subarray(0, take));
      if (take < piece.length) this.carry = piece.subarray(take);
      have += take;
    }
    return pieces;
  }

  async expectEnd(total: number): Promise<void> {
    for (;;) {
      const piece = await this.nextPiece();
      if (!piece) return;
      if (piece.length > 0) throw new InvalidInputError(`The source of ${this.what} is longer than the ${total} bytes announced`);
    }
  }

  /** Stops the source (destroying it) when we leave early. */
  async close(): Promise<void> {
    await this.it.return?.().catch(() => undefined);
  }
}

/**
 * How long a part request whose whole body the SDK had taken is waited for after a cancel, pause or failure before
 * it is cut anyway (as long as Azure's stall watch on a block).
 */
export const DEFAULT_SENT_PART_WAIT_MS = 120_000;

/**
 * One request (multipart/related). On abort it is dropped by destroying the write stream, so nothing is stored,
 * unless `sentWaitMs` is given and the SDK had already taken the whole body: the service may then store the
 * object whatever the client does, so the request is waited for (at most `sentWaitMs`, then cut) and its answer
 * returned, for the caller's cleanup to run after it.
 */
export function uploadBuffer(file: File, body: readonly Buffer[], resource: ObjectResource, signal?: AbortSignal, sentWaitMs?: number): Promise<FileMetadata> {
  return new Promise<FileMetadata>((resolve, reject) => {
    if (signal?.aborted) {
      reject(new CancelledError());
      return;
    }
    const ws = file.createWriteStream({ resumable: false, validation: 'crc32c', metadata: { ...resource } });
    // A write's callback runs once the SDK's pipeline took the piece, which it does only as the socket drains: all
    // of them called back means the body has left, but for the last few buffers (so it errs on the side of waiting).
    let taken = 0;
    let wait: NodeJS.Timeout | undefined;
    const onAbort = (): void => {
      if (sentWaitMs === undefined || taken < body.length) ws.destroy(new CancelledError());
      else wait = setTimeout(() => ws.destroy(new CancelledError()), sentWaitMs);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    let settled = false;
    const done = (err?: unknown): void => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      if (wait) clearTimeout(wait);
      if (err) reject(err instanceof Error ? err : new Error(String(err)));
      else resolve(file.metadata);
    };
    ws.on('error', done);
    ws.on('finish', () => done());
    for (const piece of body)
      ws.write(piece, (err) => {
        if (!err) taken++;
      });
    ws.end();
  });
}

async function compose(bucket: Bucket, sources: readonly string[], dest: string, destination: ObjectResource): Promise<FileMetadata> {
  const [body] = await bucket.file(dest).request({
    method: 'POST',
    uri: '/compose',
    json: { destination, sourceObjects: sources.map((name) => ({ name })) },
  });
  return body as FileMetadata;
}

export interface CompositeArgs {
  bucket: Bucket;
  key: string;
  size: number;
  reader: ChunkReader;
  resource: ObjectResource;
  multipart: MultipartSettings;
  signal?: AbortSignal;
  /** PutOptions.verifyBeforeCommit: before the final compose, the only call that touches the destination. */
  verifyBeforeCommit?: () => Promise<void>;
  /**
   * PutOptions.resume: parts are checkpointed as they are stored and kept when the upload fails (the caller drops
   * them, discardResume); with `from`, the reader gives only the bytes after the stored parts.
   */
  resume?: PutOptions['resume'];
  /** How long a part whose body had left is waited for after a cancel or failure (DEFAULT_SENT_PART_WAIT_MS). */
  sentPartWaitMs?: number;
  /** PutOptions.parts: fewer parts in flight while it says so. */
  parts?: PartWindow;
}

/**
 * Reads parts in order and uploads up to `concurrency` of them at once (memory: that many parts plus the one being
 * read). Nothing touches the destination until the final compose, so a failure keeps any previous version; the
 * temporary objects are deleted whatever happens, after every request in flight has settled. On a cancel, pause or
 * failure, a part still being sent is cut (GCS never stores a body shorter than announced), but one whose body has
 * left is waited for: cut, it could still be stored by the service after the cleanup, and be left behind.
 */
export async function compositeUpload(a: CompositeArgs): Promise<FileMetadata> {
  const from = a.resume?.from ? parseGcsResume(a.resume.from.state) : undefined;
  if (a.resume?.from && !from) throw new InvalidInputError('The resume point is not one this GCS account made');
  const id = from?.id ?? randomUUID();
  const tmp = tempFolder(id);
  const partSize = from?.partSize ?? a.multipart.partSizeBytes;
  const partCount = Math.ceil(a.size / partSize);
  const firstPart = from?.parts ?? 0;
  const made: string[] = Array.from({ length: firstPart }, (_, i) => partName(id, i));
  const tempResource: ObjectResource = { storageClass: 'STANDARD', contentType: 'application/octet-stream', metadata: { [TEMP_FOR_KEY]: a.key } };
  // The contiguous prefix of stored parts, checkpointed as it grows (and at once for a new upload, so that a
  // crash before the first part still leaves a state to drop the folder by).
  const stored = new Map<number, { crc32c: string; length: number }>();
  let prefix = firstPart;
  let prefixCrc = from?.crc32c;
  const checkpoint = (): void => {
    const state: GcsResumeState = { kind: 'gcs', v: 1, id, partSize, size: a.size, parts: prefix, ...(prefixCrc === undefined ? {} : { crc32c: prefixCrc }) };
    a.resume?.onCheckpoint(state);
  };
  const partStored = (i: number, meta: FileMetadata, length: number): void => {
    if (!a.resume || !meta.crc32c) return;
    stored.set(i, { crc32c: crcB64ToHex(meta.crc32c), length });
    let grew = false;
    for (let next = stored.get(prefix); next; next = stored.get(prefix)) {
      prefixCrc = crc32cCombineHex(prefixCrc, next.crc32c, next.length);
      prefix++;
      grew = true;
    }
    if (grew && prefix < partCount) checkpoint();
  };
  if (a.resume && !from) checkpoint();
  let committed = false;
  // Parts are cut (or, sent, waited for) on the caller's abort or on the first failure.
  const stop = new AbortController();
  const onAbort = (): void => stop.abort();
  if (a.signal?.aborted) stop.abort();
  else a.signal?.addEventListener('abort', onAbort, { once: true });
  const inFlight = new InFlight(a.multipart.concurrency, () => stop.abort(), a.parts);
  const start = (name: string, work: () => Promise<unknown>): void => {
    made.push(name);
    inFlight.start(work);
  };
  try {
    const parts: string[] = [...made];
    for (let i = firstPart; i < partCount; i++) {
      const len = Math.min(partSize, a.size - i * partSize);
      const body = await a.reader.read(len, a.size - firstPart * partSize);
      const name = partName(id, i);
      parts.push(name);
      // A range of a parallel ranged read sent as it is: its buffer goes back to the pool for the next range once
      // the request has settled, instead of waiting for the garbage collector.
      const range = wholePoolBuffer(body, i === partCount - 1);
      start(name, async () => {
        try {
          partStored(i, await uploadBuffer(a.bucket.file(name), body, tempResource, stop.signal, a.sentPartWaitMs ?? DEFAULT_SENT_PART_WAIT_MS), len);
        } finally {
          if (range) givePart(range);
        }
      });
      await inFlight.room();
    }
    await a.reader.expectEnd(a.size - firstPart * partSize);
    await inFlight.drain();
    // Join in rounds of at most 32 sources until one compose can make the destination.
    let level = parts;
    for (let round = 0; level.length > MAX_COMPOSE_SOURCES; round++) {
      const next: string[] = [];
      for (let g = 0; g < level.length; g += MAX_COMPOSE_SOURCES) {
        const name = `${tmp}c${round}-${String(g).padStart(5, '0')}`;
        next.push(name);
        const group = level.slice(g, g + MAX_COMPOSE_SOURCES);
        start(name, () => compose(a.bucket, group, name, tempResource));
        await inFlight.room();
      }
      await inFlight.drain();
      level = next;
    }
    if (a.signal?.aborted) throw new CancelledError();
    await a.verifyBeforeCommit?.();
    // The compose is atomic: once it is sent the object is whole, so it is not interrupted.
    const out = await compose(a.bucket, level, a.key, a.resource);
    committed = true;
    return out;
  } finally {
    a.signal?.removeEventListener('abort', onAbort);
    // Sent parts are answered (or their wait ran out) before the temp folder is emptied.
    await inFlight.settle();
    // A resumable upload that failed keeps its stored parts for the next attempt (or run).
    if (committed || !a.resume) await removeTemp(a.bucket, made);
  }
}
