import { Readable } from 'node:stream';
import { CancelledError, ConflictError, RetryableError } from '../../../shared/errors';
import { givePart, takePart } from './part-pool';
import type { ParallelRead } from './provider';

/**
 * Objects of fewer parts than this are read as one stream: a few parts gain little from parallel requests, and
 * every range is one more GET to pay for.
 */
const MIN_PARTS = 4;

/**
 * A range is given out in views of this many bytes of its buffer, not copies: each stream stage between the read
 * and the upload holds a slice instead of a whole range, and an upload that meets all of one buffer's slices in
 * order takes the buffer as its part (s3.resume.ts).
 */
const SLICE_BYTES = 64 * 1024;

/** Whether an object of this size is worth reading in parallel ranges of `partBytes`. */
export function worthRanges(size: number, partBytes: number): boolean {
  return size > (MIN_PARTS - 1) * Math.max(1, partBytes);
}

/**
 * The ranges an object of `size` is read in, one GET each, or undefined where it is read as one stream (one GET):
 * under the multipart threshold, or too few parts to be worth it. The relay's admission and the cost estimate
 * both count from this.
 */
export function rangedParts(size: number, sizing: { partBytes: number; thresholdBytes: number }): number | undefined {
  if (size < sizing.thresholdBytes || !worthRanges(size, sizing.partBytes)) return undefined;
  return Math.ceil(size / Math.max(1, sizing.partBytes));
}

export interface RangedBodyRequest {
  /** The object's size, from the read that started it. */
  size: number;
  parallel: ParallelRead;
  /**
   * The whole-object read already open (its answer gave the size and the version to pin): its first part is read
   * from it, then it is closed. Absent: the first part is a ranged request like the others.
   */
  first?: Readable;
  /** One ranged request of the same version of the object (the provider pins it: If-Match, a GCS generation). */
  fetch: (offset: number, length: number, signal: AbortSignal) => Promise<Readable>;
  signal?: AbortSignal;
}

/**
 * An object's bytes read in parallel ranged requests of `parallel.partBytes` (as AzCopy and s5cmd read large
 * objects), given out in order as one stream. Up to `parallel.limit()` parts are requested or held at once, the
 * one being given out included, so the memory held is at most that many parts. A range that answers a different
 * version (the object was replaced mid-read) or ends short fails the stream with a RetryableError.
 */
export function rangedBody(r: RangedBodyRequest): Readable {
  const stop = new AbortController();
  const onAbort = (): void => stop.abort();
  r.signal?.addEventListener('abort', onAbort, { once: true });
  const stream = Readable.from(parts(r, stop.signal), { objectMode: false });
  stream.once('close', () => {
    r.signal?.removeEventListener('abort', onAbort);
    stop.abort();
    r.first?.destroy();
  });
  return stream;
}

async function* parts(r: RangedBodyRequest, signal: AbortSignal): AsyncGenerator<Buffer> {
  const { size, parallel } = r;
  const partBytes = Math.max(1, parallel.partBytes);
  const pending: Array<Promise<Buffer>> = [];
  let inFlight = 0;
  let next = r.first ? Math.min(size, partBytes) : 0;
  const launch = (): void => {
    const offset = next;
    const length = Math.min(partBytes, size - offset);
    next += length;
    inFlight++;
    parallel.onRequest?.();
    const started = performance.now();
    const task = readRange(r, offset, length, signal).then(
      (range) => {
        parallel.onRange?.(performance.now() - started, length, inFlight);
        inFlight--;
        return range;
      },
      (e: unknown) => {
        inFlight--;
        throw e;
      },
    );
    // Awaited in order below; a range that fails while an earlier one is given out must not be unhandled.
    task.catch(() => undefined);
    pending.push(task);
  };
  // The part being given out from `first` counts as one of the window.
  const fill = (held: number): void => {
    while (next < size && pending.length + held < Math.max(1, parallel.limit())) launch();
  };
  try {
    if (r.first) {
      fill(1);
      yield* head(r.first, Math.min(size, partBytes), signal);
    }
    for (fill(0); pending.length > 0; fill(0)) {
      const task = pending.shift();
      if (!task) break;
      const range = await task;
      // The next range starts while this one is given out (the window counts it until then).
      fill(1);
      for (let at = 0; at < range.length; at += SLICE_BYTES) yield range.subarray(at, Math.min(range.length, at + SLICE_BYTES));
    }
  } finally {
    r.first?.destroy();
  }
}

/** The first `length` bytes of the whole-object read; then it is closed. */
async function* head(first: Readable, length: number, signal: AbortSignal): AsyncGenerator<Buffer> {
  let got = 0;
  if (length > 0) {
    for await (const chunk of first) {
      const c = chunk as Buffer;
      const take = Math.min(c.length, length - got);
      got += take;
      yield take === c.length ? c : c.subarray(0, take);
      if (got >= length) break;
    }
  }
  first.destroy();
  if (signal.aborted) return;
  if (got < length) throw new RetryableError(`The read ended after ${got} of ${length} bytes; reading again`);
}

/**
 * One range read into one buffer of the part pool (part-pool.ts): the socket's chunks die as they are copied,
 * instead of living in a list until the range is given out (long enough to be promoted and kept until a full GC),
 * and an upload that takes the range whole as its part gives the buffer back for the next range.
 */
async function readRange(r: RangedBodyRequest, offset: number, length: number, signal: AbortSignal): Promise<Buffer> {
  let body: Readable;
  try {
    body = await r.fetch(offset, length, signal);
  } catch (e) {
    // The pinned version is gone: the object was replaced during the read.
    if (e instanceof ConflictError) throw new RetryableError('The object changed at the source during the read; reading again', { cause: e });
    throw e;
  }
  const part = takePart(Math.max(1, r.parallel.partBytes));
  let got = 0;
  // The stream was closed or the read cancelled: this range's request goes too.
  const onAbort = (): void => {
    body.destroy(new CancelledError());
  };
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    for await (const chunk of body) {
      const c = chunk as Buffer;
      if (got + c.length > length) throw new RetryableError(`A ranged read gave more than the ${length} bytes asked for; reading again`);
      c.copy(part, got);
      got += c.length;
    }
    if (got !== length) throw new RetryableError(`A ranged read gave ${got} of ${length} bytes; reading again`);
  } catch (e) {
    givePart(part);
    throw e;
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
  return length === part.length ? part : part.subarray(0, length);
}
