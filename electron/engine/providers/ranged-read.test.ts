import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { RetryableError } from '../../../shared/errors';
import { rangedBody } from './ranged-read';

const KiB = 1024;

/** An object in memory whose ranges are answered as streams of small chunks, as a socket gives them. */
function source(data: Buffer, answer: (offset: number, length: number) => Buffer = (o, l) => data.subarray(o, o + l)) {
  let inFlight = 0;
  let most = 0;
  const fetch = (offset: number, length: number): Promise<Readable> => {
    inFlight++;
    most = Math.max(most, inFlight);
    const bytes = answer(offset, length);
    const chunks: Buffer[] = [];
    for (let at = 0; at < bytes.length; at += 7 * KiB) chunks.push(Buffer.from(bytes.subarray(at, at + 7 * KiB)));
    const body = Readable.from(chunks);
    body.once('close', () => inFlight--);
    return Promise.resolve(body);
  };
  return { fetch, most: () => most };
}

async function readAll(stream: Readable): Promise<Buffer[]> {
  const out: Buffer[] = [];
  for await (const c of stream) out.push(c as Buffer);
  return out;
}

describe('rangedBody', () => {
  it('gives the object out in order, each range as views of one buffer of the part size, within the limit', async () => {
    const data = randomBytes(10 * 64 * KiB + 5);
    const s = source(data);
    const partBytes = 128 * KiB;
    const chunks = await readAll(rangedBody({ size: data.length, parallel: { partBytes, limit: () => 3 }, fetch: s.fetch }));
    expect(Buffer.concat(chunks).equals(data)).toBe(true);
    expect(s.most()).toBeLessThanOrEqual(3);
    // The first range's views: in order, from the start of one buffer of exactly the part size.
    const first = chunks.filter((c) => c.buffer === chunks[0]?.buffer);
    expect(first.reduce((n, c) => n + c.length, 0)).toBe(partBytes);
    expect(first.map((c) => c.byteOffset)).toEqual(first.map((_, i) => i * 64 * KiB));
    expect(chunks[0]?.buffer.byteLength).toBe(partBytes);
  });

  it('a range that answers more bytes than asked, or fewer, fails the stream with a RetryableError', async () => {
    const data = randomBytes(8 * 64 * KiB);
    const longer = source(data, (o, l) => Buffer.concat([data.subarray(o, o + l), Buffer.from([1])]));
    await expect(readAll(rangedBody({ size: data.length, parallel: { partBytes: 128 * KiB, limit: () => 2 }, fetch: longer.fetch }))).rejects.toBeInstanceOf(RetryableError);
    const shorter = source(data, (o, l) => data.subarray(o, o + l - 1));
    await expect(readAll(rangedBody({ size: data.length, parallel: { partBytes: 128 * KiB, limit: () => 2 }, fetch: shorter.fetch }))).rejects.toBeInstanceOf(RetryableError);
  });
});
