/**
 * Reuses the part buffers of parallel uploads. A part of several MiB is dropped as soon as its request ends, but
 * its memory only goes back once V8 collects the Buffer, which it does when the external memory has grown by
 * tens of MiB: in between, a few uploads' worth of dead parts sit on top of the live ones. Handing a part back
 * when its request has settled, and taking it again for the next part of any upload of the same part size, keeps
 * the memory at the parts in flight. A part not taken again within a second is let go.
 */

const free = new Map<number, Array<{ buf: Buffer; since: number }>>();
/** The memory of every part handed out and not given back yet: what givePart accepts, once each. */
const out = new WeakSet<ArrayBufferLike>();
let pooledBytes = 0;
/** How many parts are handed out and not given back yet. */
let handedOut = 0;
/** At most this much is kept for reuse; anything beyond is left to the garbage collector. */
const MAX_POOLED_BYTES = 160 * 1024 * 1024;
/** A free part not taken again within this long is let go: reuse is for the next part, not for later. */
const IDLE_MS = 1_000;
let idle: NodeJS.Timeout | undefined;

function touch(): void {
  // Free parts that have waited too long go back to the allocator (the uploads of that size have ended).
  const now = Date.now();
  for (const [size, list] of free) {
    while (list.length > 0 && now - (list[0]?.since ?? now) > IDLE_MS) {
      list.shift();
      pooledBytes -= size;
    }
    if (list.length === 0) free.delete(size);
  }
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
  touch();
  const reused = free.get(size)?.pop()?.buf;
  if (reused) {
    pooledBytes -= size;
    out.add(reused.buffer);
    handedOut++;
    return reused;
  }
  // Not from Node's shared slab: a part must own its whole ArrayBuffer to be handed back.
  const fresh = Buffer.allocUnsafeSlow(size);
  out.add(fresh.buffer);
  handedOut++;
  return fresh;
}

/**
 * Parts handed out and not given back yet: every part a finished upload took should be back (one that is not is
 * left to the garbage collector, and the next part is new memory).
 */
export function partsOut(): number {
  return handedOut;
}

/** Bytes of the parts waiting in the pool to be taken again. */
export function pooledPartBytes(): number {
  return pooledBytes;
}

/** Whether this buffer is a view of a part handed out by takePart and not given back yet. */
export function isPart(view: Buffer): boolean {
  return out.has(view.buffer);
}

/**
 * Hands a part (or the head of one: the last part of an upload is shorter) back once nothing holds it any more:
 * its request has settled. Only buffers of takePart come back; a part given back twice would be handed to two
 * uploads, so a second give of the same part is ignored.
 */
export function givePart(part: Buffer): void {
  if (!out.delete(part.buffer)) return;
  handedOut--;
  const size = part.buffer.byteLength;
  if (pooledBytes + size > MAX_POOLED_BYTES) return;
  const list = free.get(size) ?? [];
  list.push({ buf: Buffer.from(part.buffer, 0, size), since: Date.now() });
  free.set(size, list);
  pooledBytes += size;
  touch();
}
