import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { Bucket, File, FileMetadata } from '@google-cloud/storage';
import { CancelledError, InvalidInputError, RetryableError, SkyferryError } from '../../../../shared/errors';
import { redact } from '../../log';
import type { MultipartSettings } from '../provider';
import type { ObjectResource } from './gcs.metadata';

/**
 * Parallel composite upload (what gsutil / gcloud storage do): parts go up at once as temporary objects under this
 * prefix, one compose call joins them (32 sources at most per call, so a tree for more), then the parts are deleted.
 * The JSON API's resumable upload takes chunks strictly in order, one at a time, so it cannot be parallel.
 */
export const TEMP_PREFIX = '.skyferry-upload/';
/** The temp objects name their destination here, so that an abandoned upload can be found and explained. */
export const TEMP_FOR_KEY = 'skyferry-upload-for';
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
      if (e instanceof SkyferryError) throw e;
      const msg = e instanceof Error ? e.message : String(e);
      throw new RetryableError(`Reading the source failed while uploading ${this.what}: ${redact(msg)}`, { cause: e });
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

/** One request (multipart/related). Destroying the write stream on abort drops the request, so nothing is stored. */
export function uploadBuffer(file: File, body: readonly Buffer[], resource: ObjectResource, signal?: AbortSignal): Promise<FileMetadata> {
  return new Promise<FileMetadata>((resolve, reject) => {
    if (signal?.aborted) {
      reject(new CancelledError());
      return;
    }
    const ws = file.createWriteStream({ resumable: false, validation: 'crc32c', metadata: { ...resource } });
    const onAbort = (): void => {
      ws.destroy(new CancelledError());
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    let settled = false;
    const done = (err?: unknown): void => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      if (err) reject(err instanceof Error ? err : new Error(String(err)));
      else resolve(file.metadata);
    };
    ws.on('error', done);
    ws.on('finish', () => done());
    for (const piece of body) ws.write(piece);
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
}

/**
 * Reads parts in order and uploads up to `concurrency` of them at once (memory: that many parts plus the one being
 * read). Nothing touches the destination until the final compose, so a failure keeps any previous version; the
 * temporary objects are deleted whatever happens, after every request in flight has settled.
 */
export async function compositeUpload(a: CompositeArgs): Promise<FileMetadata> {
  const tmp = `${TEMP_PREFIX}${randomUUID()}/`;
  const made: string[] = [];
  const tempResource: ObjectResource = { storageClass: 'STANDARD', contentType: 'application/octet-stream', metadata: { [TEMP_FOR_KEY]: a.key } };
  const partSize = a.multipart.partSizeBytes;
  const partCount = Math.ceil(a.size / partSize);
  let failure: unknown;
  const inflight = new Set<Promise<void>>();
  const start = (name: string, work: () => Promise<unknown>): void => {
    made.push(name);
    const p: Promise<void> = work()
      .then(() => undefined)
      .catch((e: unknown) => {
        failure ??= e;
      })
      .finally(() => inflight.delete(p));
    inflight.add(p);
  };
  const drainTo = async (limit: number): Promise<void> => {
    while (inflight.size > limit) await Promise.race(inflight);
    if (failure !== undefined) throw failure;
  };
  try {
    const parts: string[] = [];
    for (let i = 0; i < partCount; i++) {
      const len = Math.min(partSize, a.size - i * partSize);
      const body = await a.reader.read(len, a.size);
      const name = `${tmp}p${String(i).padStart(5, '0')}`;
      parts.push(name);
      start(name, () => uploadBuffer(a.bucket.file(name), body, tempResource, a.signal));
      await drainTo(Math.max(1, a.multipart.concurrency) - 1);
    }
    await a.reader.expectEnd(a.size);
    await drainTo(0);
    // Join in rounds of at most 32 sources until one compose can make the destination.
    let level = parts;
    for (let round = 0; level.length > MAX_COMPOSE_SOURCES; round++) {
      const next: string[] = [];
      for (let g = 0; g < level.length; g += MAX_COMPOSE_SOURCES) {
        const name = `${tmp}c${round}-${String(g).padStart(5, '0')}`;
        next.push(name);
        const group = level.slice(g, g + MAX_COMPOSE_SOURCES);
        start(name, () => compose(a.bucket, group, name, tempResource));
        await drainTo(Math.max(1, a.multipart.concurrency) - 1);
      }
      await drainTo(0);
      level = next;
    }
    if (a.signal?.aborted) throw new CancelledError();
    await a.verifyBeforeCommit?.();
    // The compose is atomic: once it is sent the object is whole, so it is not interrupted.
    return await compose(a.bucket, level, a.key, a.resource);
  } finally {
    await Promise.allSettled([...inflight]);
    await removeTemp(a.bucket, made);
  }
}

export async function removeTemp(bucket: Bucket, names: readonly string[]): Promise<void> {
  const queue = [...names];
  const worker = async (): Promise<void> => {
    for (let name = queue.shift(); name !== undefined; name = queue.shift()) {
      await bucket
        .file(name)
        .delete({ ignoreNotFound: true })
        .catch(() => undefined);
    }
  };
  await Promise.all(Array.from({ length: Math.min(8, queue.length) }, worker));
}
