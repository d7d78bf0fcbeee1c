import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { Crc32, Crc32c, crc32cCombineHex, crcCombineHex } from './crc32c';

const crc = (b: Buffer): string => new Crc32c().update(b).hex();

describe('CRC32C', () => {
  it('known value: "123456789" is e3069283 (RFC 3720 check value)', () => {
    expect(crc(Buffer.from('123456789'))).toBe('e3069283');
  });

  it('the CRC32C of a concatenation combines from its pieces, for uneven and empty pieces', () => {
    const whole = randomBytes(3 * 65536 + 1234);
    const cuts = [0, 1, 7, 65536, 100_000, whole.length - 1, whole.length];
    for (const cut of cuts) {
      const a = whole.subarray(0, cut);
      const b = whole.subarray(cut);
      expect(crc32cCombineHex(crc(a), crc(b), b.length), `cut at ${cut}`).toBe(crc(whole));
    }
    // Many parts in a row, as a multipart upload's per-part CRC32Cs.
    let acc: string | undefined;
    for (let off = 0; off < whole.length; off += 50_000) {
      const part = whole.subarray(off, off + 50_000);
      acc = crc32cCombineHex(acc, crc(part), part.length);
    }
    expect(acc).toBe(crc(whole));
  });
});

describe('CRC32 (IEEE, native)', () => {
  const crc32 = (b: Buffer): string => new Crc32().update(b).hex();

  it('known value: "123456789" is cbf43926 (the standard check value), also fed in pieces', () => {
    expect(crc32(Buffer.from('123456789'))).toBe('cbf43926');
    expect(new Crc32().update(Buffer.from('1234')).update(Buffer.from('56789')).hex()).toBe('cbf43926');
  });

  it('combines from its pieces as S3 parts do', () => {
    const whole = randomBytes(2 * 65536 + 999);
    for (const cut of [0, 1, 65536, whole.length]) {
      const a = whole.subarray(0, cut);
      const b = whole.subarray(cut);
      expect(crcCombineHex('crc32', crc32(a), crc32(b), b.length), `cut at ${cut}`).toBe(crc32(whole));
    }
    let acc: string | undefined;
    for (let off = 0; off < whole.length; off += 40_000) {
      const part = whole.subarray(off, off + 40_000);
      acc = crcCombineHex('crc32', acc, crc32(part), part.length);
    }
    expect(acc).toBe(crc32(whole));
  });
});
