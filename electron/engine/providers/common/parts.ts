import { Readable } from 'node:stream';
import { isPart, takePart } from '../part-pool';

export interface CutOptions {
  /** Told of every chunk as it arrives, before it is cut (counting, hashing); what it throws goes through sourceError. */
  onChunk?: (chunk: Buffer) => void;
  /** Where a part is copied to when it cannot be taken whole (default: a buffer of the part pool). */
  alloc?: (size: number) => Buffer;
  /** What an error of the source's own becomes (the caller's wrapper, so that it is not reported as the service's). */
  sourceError: (e: unknown) => unknown;
}

/**
 * Cuts a stream into parts of exactly `partSize` bytes (the last one shorter), one part held at a time. Chunks are
 * copied into the part as they arrive and dropped (holding them and joining at the cut would hold a part twice).
 * Where a part's bytes arrive as the views, in order from its first byte, of one buffer of the part pool of
 * exactly the part's size (a parallel ranged read gives out each range so: ranged-read.ts), that buffer is the part
 * itself, with no copy: the caller gives it back to the pool (givePart) once its request has settled, and the next
 * range is read into it instead of into new memory. Only a buffer that these views cover from its first byte is
 * taken, so giving it back never frees bytes that anything else still reads.
 */
export async function* cutParts(source: AsyncIterable<unknown>, partSize: number, options: CutOptions): AsyncGenerator<Buffer> {
  const alloc = options.alloc ?? takePart;
  // The part being copied into, and how much of it is filled.
  let part: Buffer | undefined;
  let filled = 0;
  // Or: the views, in order, of one pool buffer the part may be taken whole from (`filled` bytes of it so far).
  let whole: ArrayBufferLike | undefined;
  let views: Buffer[] = [];
  const copyViews = (): void => {
    part = alloc(partSize);
    let at = 0;
    for (const v of views) at += v.copy(part, at);
    whole = undefined;
    views = [];
  };
  const iterator = (source instanceof Readable ? chunksOf(source) : source)[Symbol.asyncIterator]();
  for (;;) {
    let step: IteratorResult<unknown>;
    try {
      step = await iterator.next();
    } catch (e) {
      throw options.sourceError(e);
    }
    if (step.done) break;
    const raw = step.value;
    const chunk = typeof raw === 'string' ? Buffer.from(raw) : Buffer.isBuffer(raw) ? raw : Buffer.from(raw as Uint8Array);
    try {
      options.onChunk?.(chunk);
    } catch (e) {
      throw options.sourceError(e);
    }
    for (let at = 0; at < chunk.length; ) {
      const take = Math.min(chunk.length - at, partSize - filled);
      const piece = at === 0 && take === chunk.length ? chunk : chunk.subarray(at, at + take);
      at += take;
      if (filled === 0 && piece.byteOffset === 0 && piece.buffer.byteLength === partSize && isPart(piece)) whole = piece.buffer;
      else if (whole !== undefined && (piece.buffer !== whole || piece.byteOffset !== filled)) copyViews();
      if (whole !== undefined) views.push(piece);
      else {
        part ??= alloc(partSize);
        piece.copy(part, filled);
      }
      filled += take;
      if (filled === partSize) {
        yield whole !== undefined ? Buffer.from(whole, 0, partSize) : (part as Buffer);
        part = undefined;
        whole = undefined;
        views = [];
        filled = 0;
      }
    }
  }
  if (filled === 0) return;
  // The last part, shorter: a range's views from its first byte are the head of its buffer.
  if (whole !== undefined) yield Buffer.from(whole, 0, filled);
  else yield (part as Buffer).subarray(0, filled);
}

/**
 * A stream's chunks one at a time, each as its last stage pushed it. A paused stream's read(), which `for await`
 * uses, joins whatever chunks are buffered into one new buffer, so the views of a range would arrive copied (and the
 * range would never go back to the pool) whenever the upload fell behind the read. 'data' events give each chunk as
 * it was pushed; the stream is paused after each one until it has been taken. Ends like `for await` does: the
 * stream's error is thrown, a stream closed before its end is an error, and a consumer that stops early destroys it.
 */
async function* chunksOf(stream: Readable): AsyncGenerator<unknown> {
  const queue: unknown[] = [];
  let ended = false;
  let failure: { error: unknown } | undefined;
  let wake: (() => void) | undefined;
  const notify = (): void => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  const onData = (chunk: unknown): void => {
    queue.push(chunk);
    stream.pause();
    notify();
  };
  const onEnd = (): void => {
    ended = true;
    notify();
  };
  const onError = (error: unknown): void => {
    failure ??= { error };
    notify();
  };
  const onClose = (): void => {
    if (!ended) failure ??= { error: new Error('The stream closed before its end') };
    notify();
  };
  stream.on('data', onData);
  stream.once('end', onEnd);
  stream.once('error', onError);
  stream.once('close', onClose);
  try {
    for (;;) {
      const chunk = queue.shift();
      if (chunk !== undefined) {
        yield chunk;
        continue;
      }
      if (failure) throw failure.error;
      if (ended) return;
      await new Promise<void>((resolve) => {
        wake = resolve;
        stream.resume();
      });
    }
  } finally {
    stream.off('data', onData);
    stream.off('end', onEnd);
    stream.off('error', onError);
    stream.off('close', onClose);
    if (!ended && !stream.destroyed) stream.destroy();
  }
}

/**
 * The part-pool buffer that `pieces` are, in order, the views of from its first byte (a parallel ranged read gives
 * out each range so: ranged-read.ts), where nothing else can hold a view of it: the pieces cover it to its end, or
 * they are the object's last bytes (the buffer's tail then holds nothing). Undefined otherwise: pieces copied, from
 * another stream, or sharing their buffer with the next part. The caller gives it back (givePart) once its request
 * has settled.
 */
export function wholePoolBuffer(pieces: readonly Buffer[], last: boolean): Buffer | undefined {
  const first = pieces[0];
  if (!first || first.byteOffset !== 0 || !isPart(first)) return undefined;
  let at = 0;
  for (const p of pieces) {
    if (p.buffer !== first.buffer || p.byteOffset !== at) return undefined;
    at += p.length;
  }
  return at === first.buffer.byteLength || last ? Buffer.from(first.buffer, 0, at) : undefined;
}
