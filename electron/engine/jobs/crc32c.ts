/**
 * CRC32C (Castagnoli), slice-by-8, in plain JS: Node 20 has no native one and a native addon is not allowed. Used
 * by the relay only when the source's sole stored full-object checksum is a CRC32C (S3 multipart objects uploaded
 * with flexible checksums), so that the bytes read can be checked against what the source itself stored.
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
