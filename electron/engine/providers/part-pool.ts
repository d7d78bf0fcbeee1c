/**
 * Reuses the part buffers of parallel uploads. A part of several MiB is dropped as soon as its request ends, but
 * its memory only goes back once V8 collects the Buffer, which it does when the external memory has grown by
 * tens of MiB: in between, a few uploads' worth of dead parts sit on top of the live ones. Handing a part back
 * when its request has settled, and taking it again for the next part of any upload of the same part size, keeps
 * the memory at the parts in flight. Buffers that sit unused for a few seconds are let go.
 */

const free = new Map<number, Buffer[]>();
/** The memory of every part handed out and not given back yet: what givePart accepts, once each. */
const out = new WeakSet<ArrayBufferLike>();
let pooledBytes = 0;
/** At most this much is kept for reuse; anything beyond is left to the garbage collector as before. */
const MAX_POOLED_BYTES = 160 * 1024 * 1024;
const IDLE_MS = 5_000;
let idle: NodeJS.Timeout | undefined;

function touch(): void {
  if (idle) idle.refresh();
  else {
    idle = setTimeout(() => {
      free.clear();
      pooledBytes = 0;
      idle = undefined;
    }, IDLE_MS);
    idle.unref();
  }
}

/** A buffer of exactly `size` bytes, uninitialised: the caller fills it before it reads it. */
export function takePart(size: number): Buffer {
  const reused = free.get(size)?.pop();
  if (reused) {
    pooledBytes -= size;
    touch();
    out.add(reused.buffer);
    return reused;
  }
  // Not from Node's shared slab: a part must own its whole ArrayBuffer to be handed back.
  const fresh = Buffer.allocUnsafeSlow(size);
  out.add(fresh.buffer);
  return fresh;
}

/**
 * Hands a part (or the head of one: the last part of an upload is shorter) back once nothing holds it any more:
 * its request has settled. Only buffers of takePart come back; a part given back twice would be handed to two
 * uploads, so a second give of the same part is ignored.
 */
export function givePart(part: Buffer): void {
  if (!out.delete(part.buffer)) return;
  const size = part.buffer.byteLength;
  if (pooledBytes + size > MAX_POOLED_BYTES) return;
  const list = free.get(size) ?? [];
  list.push(Buffer.from(part.buffer, 0, size));
  free.set(size, list);
  pooledBytes += size;
  touch();
}
