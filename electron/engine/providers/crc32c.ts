import zlib from 'node:zlib';

/**
 * CRC32C (Castagnoli), slice-by-8, in plain JS: Node 20 has no native one and a native addon is not allowed. Used
 * by the relay when the source's sole stored full-object checksum is a CRC32C (S3 multipart objects uploaded
 * with flexible checksums), so that the bytes read can be checked against what the source itself stored, and
 * by resumable uploads (per part, and combined into a whole-object CRC32C: crcCombine below).
 */
const TABLES: Uint32Array[] = (() => {
  const t: Uint32Array[] = Array.from({ length: 8 }, () => new Uint32Array(256));
  const t0 = t[0] as Uint32Array;
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1;
    t0[n] = c >>> 0;
  }
  for (let n = 0; n < 256; n++) {
    let c = t0[n] as number;
    for (let k = 1; k < 8; k++) {
      c = (t0[c & 0xff] as number) ^ (c >>> 8);
      (t[k] as Uint32Array)[n] = c >>> 0;
    }
  }
  return t;
})();

export class Crc32c {
  private crc = 0xffffffff;

  update(buf: Uint8Array): this {
    const [t0, t1, t2, t3, t4, t5, t6, t7] = TABLES as [Uint32Array, Uint32Array, Uint32Array, Uint32Array, Uint32Array, Uint32Array, Uint32Array, Uint32Array];
    let c = this.crc;
    let i = 0;
    const n = buf.length;
    for (; i + 8 <= n; i += 8) {
      const a = (c ^ ((buf[i] as number) | ((buf[i + 1] as number) << 8) | ((buf[i + 2] as number) << 16) | ((buf[i + 3] as number) << 24))) >>> 0;
      c =
        (t7[a & 0xff] as number) ^
        (t6[(a >>> 8) & 0xff] as number) ^
        (t5[(a >>> 16) & 0xff] as number) ^
        (t4[a >>> 24] as number) ^
        (t3[buf[i + 4] as number] as number) ^
        (t2[buf[i + 5] as number] as number) ^
        (t1[buf[i + 6] as number] as number) ^
        (t0[buf[i + 7] as number] as number);
    }
    for (; i < n; i++) c = (t0[(c ^ (buf[i] as number)) & 0xff] as number) ^ (c >>> 8);
    this.crc = c >>> 0;
    return this;
  }

  /** Lowercase hex of the big-endian value, as providers report it. */
  hex(): string {
    return ((this.crc ^ 0xffffffff) >>> 0).toString(16).padStart(8, '0');
  }
}

/**
 * CRC32 (IEEE 802.3, zlib's) by Node's native zlib.crc32: about eight times the speed of the JS CRC32C above, so
 * resumable uploads to S3 (x-amz-checksum-crc32 per part, checked by the service) and Azure (our block ids) use
 * it; GCS keeps CRC32C, the only CRC it computes.
 */
export class Crc32 {
  private crc = 0;

  update(buf: Uint8Array): this {
    this.crc = zlib.crc32(buf, this.crc);
    return this;
  }

  hex(): string {
    return (this.crc >>> 0).toString(16).padStart(8, '0');
  }
}

/** The two CRCs resumable uploads combine: which one a provider's parts carry (features.resumeCrc). */
export type CrcKind = 'crc32' | 'crc32c';

export function crcHasher(kind: CrcKind): { update(buf: Uint8Array): unknown; hex(): string } {
  return kind === 'crc32' ? new Crc32() : new Crc32c();
}

/*
 * A CRC of a concatenation from the CRCs of its pieces (zlib's crc32_combine, GF(2) matrix method, for either
 * polynomial): a resumed upload's whole-object CRC from the per-part CRCs the service keeps, without reading the
 * stored parts again. Lengths up to 2^53 (plain numbers, no 32-bit shifts on them).
 */
const POLYS: Record<CrcKind, number> = { crc32: 0xedb88320, crc32c: 0x82f63b78 };

function times(mat: Uint32Array, vec: number): number {
  let sum = 0;
  let v = vec >>> 0;
  for (let i = 0; v !== 0; i++, v >>>= 1) if (v & 1) sum ^= mat[i] as number;
  return sum >>> 0;
}

function square(out: Uint32Array, mat: Uint32Array): void {
  for (let n = 0; n < 32; n++) out[n] = times(mat, mat[n] as number);
}

/** crc(A ‖ B) from crc(A), crc(B) and B's length (numbers as the usual finalised CRC values). */
export function crcCombine(kind: CrcKind, crc1: number, crc2: number, len2: number): number {
  if (len2 <= 0) return crc1 >>> 0;
  const even = new Uint32Array(32);
  const odd = new Uint32Array(32);
  odd[0] = POLYS[kind];
  for (let n = 1; n < 32; n++) odd[n] = (1 << (n - 1)) >>> 0;
  square(even, odd); // 2 zero bits
  square(odd, even); // 4 zero bits
  let c = crc1 >>> 0;
  let len = len2;
  for (;;) {
    square(even, odd);
    if (len % 2 === 1) c = times(even, c);
    len = Math.floor(len / 2);
    if (len === 0) break;
    square(odd, even);
    if (len % 2 === 1) c = times(odd, c);
    len = Math.floor(len / 2);
    if (len === 0) break;
  }
  return (c ^ crc2) >>> 0;
}

/** The same on lowercase hex values (as Checksums hold them); `a` may be undefined for an empty prefix. */
export function crcCombineHex(kind: CrcKind, a: string | undefined, b: string, lenB: number): string {
  const out = a === undefined ? parseInt(b, 16) >>> 0 : crcCombine(kind, parseInt(a, 16), parseInt(b, 16), lenB);
  return out.toString(16).padStart(8, '0');
}

export function crc32cCombineHex(a: string | undefined, b: string, lenB: number): string {
  return crcCombineHex('crc32c', a, b, lenB);
}

/** S3 / GCS send CRC32 and CRC32C as base64 of the big-endian value: its 8 hex digits. */
export function crcB64ToHex(b64: string): string {
  return Buffer.from(b64, 'base64').toString('hex').padStart(8, '0');
}
