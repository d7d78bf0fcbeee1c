import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';

/**
 * Deterministic pseudo-random bytes (xorshift32), generated in chunks so that a few hundred MiB never sit in
 * memory. The same (seed, size) always gives the same bytes.
 */
export function patternStream(size: number, seed = 1, chunkSize = 256 * 1024, failAfter?: number): Readable {
  let produced = 0;
  let x = seed >>> 0 || 1;
  return new Readable({
    read() {
      if (failAfter !== undefined && produced >= failAfter) {
        this.destroy(new Error('source failed on purpose mid-way'));
        return;
      }
      if (produced >= size) {
        this.push(null);
        return;
      }
      const n = Math.min(chunkSize, size - produced, failAfter !== undefined ? Math.max(1, failAfter - produced) : Infinity);
      const buf = Buffer.allocUnsafe(n);
      for (let i = 0; i < n; i++) {
        x ^= x << 13;
        x >>>= 0;
        x ^= x >>> 17;
        x ^= x << 5;
        x >>>= 0;
        buf[i] = x & 0xff;
      }
      produced += n;
      this.push(buf);
    },
  });
}

export async function md5OfStream(stream: AsyncIterable<Buffer | Uint8Array | string>): Promise<{ md5: string; size: number }> {
  const h = createHash('md5');
  let size = 0;
  for await (const chunk of stream) {
    const b = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    h.update(b);
    size += b.length;
  }
  return { md5: h.digest('hex'), size };
}

export async function md5OfPattern(size: number, seed = 1): Promise<string> {
  return (await md5OfStream(patternStream(size, seed))).md5;
}

export async function readAll(stream: AsyncIterable<Buffer | Uint8Array | string>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const chunk of stream) parts.push(typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk));
  return Buffer.concat(parts);
}

/** The providers' own pool: fixtures fill buckets with it. */
export { mapLimit } from '../../providers/common/pool';

/**
 * The awkward names rclone's fstests uses, plus the ones ../shared/RELIABILITY.md lists: spaces, unicode in NFC
 * and NFD, `%`, `+`, `#`, `?`, quotes, `<>&`, leading and trailing spaces, and a 1,024-byte key.
 */
export function awkwardKeys(prefix: string): string[] {
  // 1,024 bytes in all, in segments of at most 200 so that a local disk (255-byte names) can hold it too.
  const head = `${prefix}long-`;
  let long = head;
  while (Buffer.byteLength(long) < 1024) {
    const room = 1024 - Buffer.byteLength(long);
    long += room > 201 ? `${'y'.repeat(199)}/` : 'z'.repeat(room);
  }
  return [
    `${prefix}hello world.txt`,
    `${prefix}unicode-\u00e9t\u00e9-nfc.txt`,
    `${prefix}unicode-e\u0301te\u0301-nfd.txt`,
    `${prefix}\u65e5\u672c\u8a9e\u30d5\u30a1\u30a4\u30eb.txt`,
    `${prefix}emoji-\u{1F600}.txt`,
    `${prefix}100% sure.txt`,
    `${prefix}a+b=c.txt`,
    `${prefix}hash#tag.txt`,
    `${prefix}what?.txt`,
    `${prefix}quote'single.txt`,
    `${prefix}quote"double.txt`,
    `${prefix}<tag>&amp.txt`,
    `${prefix} leading-space.txt`,
    `${prefix}trailing-space.txt `,
    `${prefix}sub dir/nested file.txt`,
    long,
  ];
}
