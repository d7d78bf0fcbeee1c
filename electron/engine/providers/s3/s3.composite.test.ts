import { Readable } from 'node:stream';
import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { compositeFromParts, compositeOf, verifyParts, type PartLayout } from './s3.composite';

const hex = (n: number): string => n.toString(16).padStart(8, '0');
const b64 = (n: number): string => Buffer.from(hex(n), 'hex').toString('base64');

function layoutOf(parts: Buffer[]): PartLayout {
  return { kind: 'crc32', parts: parts.map((p) => ({ size: p.length, crc: hex(zlib.crc32(p)) })) };
}

async function drain(layout: PartLayout, chunks: Buffer[]): Promise<Buffer> {
  const out: Buffer[] = [];
  for await (const c of Readable.from(chunks).pipe(verifyParts(layout, 'k'))) out.push(c as Buffer);
  return Buffer.concat(out);
}

describe('S3 composite checksums', () => {
  it('reads the composite value and part count of a COMPOSITE answer only', () => {
    expect(compositeOf({ ChecksumCRC32: `${b64(0xd2a0794c)}-3`, ChecksumType: 'COMPOSITE' })).toEqual({ kind: 'crc32', value: 'd2a0794c', parts: 3 });
    expect(compositeOf({ ChecksumCRC32C: `${b64(1)}-12` })).toEqual({ kind: 'crc32c', value: '00000001', parts: 12 });
    expect(compositeOf({ ChecksumCRC32: b64(5), ChecksumType: 'FULL_OBJECT' })).toBeUndefined();
    expect(compositeOf({ ChecksumCRC32: `${b64(5)}-3`, ChecksumType: 'FULL_OBJECT' })).toBeUndefined();
    expect(compositeOf({})).toBeUndefined();
  });

  it('the composite of part CRCs is the CRC of their big-endian bytes (as S3 computes it)', () => {
    // Measured against MinIO: 40 MiB of (i * 7) & 255 in 16 MiB parts gave parts r3Hzuw==, r3Hzuw==, TbhALA== and 0qB5TA==-3.
    const parts = ['r3Hzuw==', 'r3Hzuw==', 'TbhALA=='].map((p) => Buffer.from(p, 'base64').toString('hex'));
    expect(Buffer.from(compositeFromParts('crc32', parts), 'hex').toString('base64')).toBe('0qB5TA==');
  });

  it('passes the bytes through unchanged across chunk and part boundaries', async () => {
    const parts = [Buffer.alloc(1000, 1), Buffer.alloc(1000, 2), Buffer.alloc(10, 3)];
    const all = Buffer.concat(parts);
    const chunks = [all.subarray(0, 999), all.subarray(999, 1001), all.subarray(1001, 1500), all.subarray(1500)];
    expect((await drain(layoutOf(parts), chunks)).equals(all)).toBe(true);
  });

  it('fails on a changed byte, naming the part, and on a stream too short or too long', async () => {
    const parts = [Buffer.alloc(100, 1), Buffer.alloc(100, 2)];
    const layout = layoutOf(parts);
    const bad = Buffer.concat(parts);
    bad.writeUInt8(bad.readUInt8(150) ^ 0xff, 150);
    await expect(drain(layout, [bad])).rejects.toMatchObject({ code: 'checksum_mismatch', message: expect.stringMatching(/part 2 has/) });
    await expect(drain(layout, [Buffer.concat(parts).subarray(0, 150)])).rejects.toMatchObject({ message: expect.stringMatching(/ended in part 2 of 2/) });
    await expect(drain(layout, [Buffer.concat([...parts, Buffer.from('x')])])).rejects.toMatchObject({ message: expect.stringMatching(/more bytes than its parts hold/) });
  });
});
