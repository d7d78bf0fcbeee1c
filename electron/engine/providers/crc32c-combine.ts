/**
 * CRC32C of a concatenation from the CRC32Cs of its pieces (zlib's crc32_combine, GF(2) matrix method, for the
 * Castagnoli polynomial): a resumed upload's whole-object CRC32C from the per-part CRC32Cs the service keeps,
 * without reading the stored parts again. Lengths up to 2^53 (plain numbers, no 32-bit shifts on them).
 */
const POLY = 0x82f63b78;

function times(mat: Uint32Array, vec: number): number {
  let sum = 0;
  let v = vec >>> 0;
  for (let i = 0; v !== 0; i++, v >>>= 1) if (v & 1) sum ^= mat[i] as number;
  return sum >>> 0;
}

function square(out: Uint32Array, mat: Uint32Array): void {
  for (let n = 0; n < 32; n++) out[n] = times(mat, mat[n] as number);
}

/** crc(A ‖ B) from crc(A), crc(B) and B's length (numbers as the usual finalised CRC32C values). */
export function crc32cCombine(crc1: number, crc2: number, len2: number): number {
  if (len2 <= 0) return crc1 >>> 0;
  const even = new Uint32Array(32);
  const odd = new Uint32Array(32);
  odd[0] = POLY;
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
export function crc32cCombineHex(a: string | undefined, b: string, lenB: number): string {
  const out = a === undefined ? parseInt(b, 16) >>> 0 : crc32cCombine(parseInt(a, 16), parseInt(b, 16), lenB);
  return out.toString(16).padStart(8, '0');
}

/** S3 / GCS send CRC32C as base64 of the big-endian value. */
export function crc32cB64ToHex(b64: string): string {
  return Buffer.from(b64, 'base64').toString('hex').padStart(8, '0');
}
