import { PassThrough, Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { givePart, takePart } from '../part-pool';
import { cutParts, wholePoolBuffer } from './parts';

const wrap = (e: unknown): Error => new Error(`source: ${e instanceof Error ? e.message : String(e)}`);

async function cut(chunks: Buffer[], partSize: number): Promise<Buffer[]> {
  const out: Buffer[] = [];
  for await (const p of cutParts(Readable.from(chunks), partSize, { sourceError: wrap })) out.push(p);
  return out;
}

async function cut2(stream: Readable): Promise<Buffer[]> {
  const out: Buffer[] = [];
  for await (const p of cutParts(stream, 64, { sourceError: wrap })) out.push(p);
  return out;
}

/** `n` bytes that differ from byte to byte, starting at `from`. */
function bytes(n: number, from = 0): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = (from + i * 7) & 0xff;
  return b;
}

/** A range as a parallel read gives it out: a pool part filled, in views of `slice` bytes. */
function range(content: Buffer, partSize: number, slice: number): { part: Buffer; views: Buffer[] } {
  const part = takePart(partSize);
  content.copy(part);
  const views: Buffer[] = [];
  for (let at = 0; at < content.length; at += slice) views.push(part.subarray(at, Math.min(content.length, at + slice)));
  return { part, views };
}

describe('cutParts', () => {
  it('cuts any chunking into parts of exactly the part size, the last one shorter, bytes in order', async () => {
    const data = bytes(10_000);
    const chunks = [data.subarray(0, 1), data.subarray(1, 4_500), data.subarray(4_500, 4_501), data.subarray(4_501)];
    const parts = await cut(chunks, 4_096);
    expect(parts.map((p) => p.length)).toEqual([4_096, 4_096, 1_808]);
    expect(Buffer.concat(parts).equals(data)).toBe(true);
  });

  it("takes a pool range given out in views as the part itself, with no copy, and the pool hands it out again once given back", async () => {
    const size = 8_192;
    const a = range(bytes(size, 1), size, 1_024);
    const b = range(bytes(size - 100, 2), size, 1_024);
    const parts = await cut([...a.views, ...b.views], size);
    expect(parts).toHaveLength(2);
    expect(parts[0]?.buffer).toBe(a.part.buffer);
    expect(parts[0]?.equals(bytes(size, 1))).toBe(true);
    // The last range is shorter: its head is the last part.
    expect(parts[1]?.buffer).toBe(b.part.buffer);
    expect(parts[1]?.equals(bytes(size - 100, 2))).toBe(true);
    // Given back when its request settled, the next range is read into the same memory.
    givePart(parts[0] as Buffer);
    expect(takePart(size).buffer).toBe(a.part.buffer);
  });

  it('takes a range whole from a stream that buffered its views while the upload was behind (not joined into a copy)', async () => {
    const size = 8_192;
    const r = range(bytes(size, 7), size, 1_024);
    const stream = new PassThrough();
    // Every view waits in the stream's buffer before the cut reads: a paused read() would join them into one copy.
    for (const v of r.views) stream.write(v);
    stream.end();
    const parts: Buffer[] = [];
    for await (const p of cutParts(stream, size, { sourceError: wrap })) parts.push(p);
    expect(parts).toHaveLength(1);
    expect(parts[0]?.buffer).toBe(r.part.buffer);
    expect(parts[0]?.equals(bytes(size, 7))).toBe(true);
  });

  it('a stream destroyed before its end, or failing, is reported through the wrapper', async () => {
    const closed = new PassThrough();
    closed.write(bytes(100));
    setTimeout(() => closed.destroy(), 10);
    await expect(cut2(closed)).rejects.toThrow('source: The stream closed before its end');
    const failed = new PassThrough();
    failed.write(bytes(100));
    setTimeout(() => failed.destroy(new Error('connection reset')), 10);
    await expect(cut2(failed)).rejects.toThrow('source: connection reset');
  });

  it('copies what is not the whole of one pool range in order: a buffer the pool did not make, views out of order or cut short', async () => {
    const size = 4_096;
    const foreign = bytes(size, 3);
    const out = range(bytes(size, 4), size, 1_024);
    const swapped = [out.views[1], out.views[0], out.views[2], out.views[3]] as Buffer[];
    // A range whose views stop half way and continue with other bytes.
    const broken = range(bytes(size, 5), size, 1_024);
    const mixed = [...broken.views.slice(0, 2), bytes(2_048, 6)];
    const parts = await cut([foreign, ...swapped, ...mixed], size);
    expect(parts).toHaveLength(3);
    expect(parts[0]?.buffer).not.toBe(foreign.buffer);
    expect(parts[0]?.equals(foreign)).toBe(true);
    expect(parts[1]?.buffer).not.toBe(out.part.buffer);
    expect(parts[1]?.equals(Buffer.concat(swapped))).toBe(true);
    expect(parts[2]?.buffer).not.toBe(broken.part.buffer);
    expect(parts[2]?.equals(Buffer.concat(mixed))).toBe(true);
  });

  it('counts every chunk before it is cut, and reports a failing source through the wrapper', async () => {
    let seen = 0;
    async function* failing(): AsyncGenerator<Buffer> {
      yield bytes(100);
      throw new Error('connection reset');
    }
    const parts: Buffer[] = [];
    const run = async (): Promise<void> => {
      for await (const p of cutParts(failing(), 64, { onChunk: (c) => (seen += c.length), sourceError: wrap })) parts.push(p);
    };
    await expect(run()).rejects.toThrow('source: connection reset');
    expect(seen).toBe(100);
    expect(parts.map((p) => p.length)).toEqual([64]);
  });
});

describe('wholePoolBuffer', () => {
  const slices = (b: Buffer, from: number, to: number, step: number): Buffer[] => {
    const out: Buffer[] = [];
    for (let at = from; at < to; at += step) out.push(b.subarray(at, Math.min(to, at + step)));
    return out;
  };

  it('is the pool buffer that the pieces cover in order from its first byte to its end', () => {
    const part = takePart(1024);
    try {
      const whole = wholePoolBuffer(slices(part, 0, 1024, 256), false);
      expect(whole?.buffer).toBe(part.buffer);
      expect(whole?.length).toBe(1024);
    } finally {
      givePart(part);
    }
  });

  it('is nothing where the buffer\'s tail may belong to the next part, where the pieces skip or reorder, or are not from the pool', () => {
    const part = takePart(1024);
    try {
      // The first 768 bytes: the rest of the buffer is the next part's head (ChunkReader split a piece).
      expect(wholePoolBuffer(slices(part, 0, 768, 256), false)).toBeUndefined();
      // The same bytes as the object's last part: nothing follows, so the buffer is its alone.
      expect(wholePoolBuffer(slices(part, 0, 768, 256), true)?.length).toBe(768);
      expect(wholePoolBuffer(slices(part, 256, 1024, 256), false)).toBeUndefined();
      const [a, b, c, d] = slices(part, 0, 1024, 256) as [Buffer, Buffer, Buffer, Buffer];
      expect(wholePoolBuffer([a, c, b, d], false)).toBeUndefined();
      expect(wholePoolBuffer([Buffer.alloc(1024)], false)).toBeUndefined();
    } finally {
      givePart(part);
    }
  });
});
