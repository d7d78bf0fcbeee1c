import { createHash, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import type { VerifiedBy } from '../../../shared/contract/jobs.channels';
import { ChecksumMismatchError, NotFoundError, RetryableError } from '../../../shared/errors';
import { Crc32, Crc32c, type CrcKind } from '../providers/crc32c';
import { HASH_KINDS, type Checksums, type HashKind, type ObjectMetadata } from '../../../shared/model';
import type { Provider, PutResult } from '../providers/provider';

/**
 * Hashes computed on the fly while the relay streams the bytes: the source's own stored kind (MD5, or SHA-256 /
 * CRC32C / CRC32 when it has no MD5), so that the bytes read are checked against what the source stored and not
 * only against what the destination received, plus what the caller asks for (an MD5 to store, a resume CRC).
 */
export class StreamHasher {
  private readonly md5Hash: Hash | undefined;
  private readonly sha256: Hash | undefined;
  private readonly crc: Crc32c | undefined;
  private readonly crc32: Crc32 | undefined;
  private result: Checksums | undefined;

  /**
   * `resumeCrc`: also that CRC whatever the source stores: an upload that can be resumed is checked by it (the
   * destination's parts carry it: CRC32 on S3 and Azure, natively computed; CRC32C on GCS).
   */
  constructor(extra?: 'sha256' | CrcKind, resumeCrc?: CrcKind, md5 = true) {
    if (md5) this.md5Hash = createHash('md5');
    if (extra === 'sha256') this.sha256 = createHash('sha256');
    if (extra === 'crc32c' || resumeCrc === 'crc32c') this.crc = new Crc32c();
    if (extra === 'crc32' || resumeCrc === 'crc32') this.crc32 = new Crc32();
  }

  /** The extra kind worth computing for a source with these stored checksums. */
  static extraFor(source: Checksums): 'sha256' | CrcKind | undefined {
    if (source.md5 !== undefined) return undefined;
    if (source.sha256 !== undefined) return 'sha256';
    if (source.crc32c !== undefined) return 'crc32c';
    return source.crc32 !== undefined ? 'crc32' : undefined;
  }

  stream(): Transform {
    return new Transform({
      transform: (chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback) => {
        this.md5Hash?.update(chunk);
        this.sha256?.update(chunk);
        this.crc?.update(chunk);
        this.crc32?.update(chunk);
        cb(null, chunk);
      },
    });
  }

  /** Only valid once the stream has ended. */
  sums(): Checksums {
    if (!this.result) {
      this.result = this.md5Hash ? { md5: this.md5Hash.digest('hex') } : {};
      if (this.sha256) this.result.sha256 = this.sha256.digest('hex');
      if (this.crc) this.result.crc32c = this.crc.hex();
      if (this.crc32) this.result.crc32 = this.crc32.hex();
    }
    return this.result;
  }
}

/** The strongest kind present on both sides, in the order sha256 > crc64 > crc32c > crc32 > md5. */
export function strongestCommon(a: Checksums, b: Checksums): HashKind | undefined {
  return HASH_KINDS.find((k) => a[k] !== undefined && b[k] !== undefined);
}

function merge(...sets: Array<Checksums | undefined>): Checksums {
  const out: Checksums = {};
  for (const s of sets) {
    if (!s) continue;
    for (const k of HASH_KINDS) {
      const v = s[k];
      if (v !== undefined && out[k] === undefined) out[k] = v.toLowerCase();
    }
  }
  return out;
}

export interface VerifyInput {
  signal: AbortSignal;
  /** The source's metadata taken before the copy. */
  source: ObjectMetadata;
  /** Hashes of the bytes the relay read (absent for a server-side copy). */
  relay?: Checksums;
  /**
   * What checked the bytes read against the source's own stored checksum when no hash of it is kept at the
   * destination ('crc32-source', 'crc32-composite'): reported instead of 'size' then.
   */
  readCheck?: VerifiedBy;
  dst: { provider: Provider; bucket: string; key: string };
  /** The source, for a server-side copy between local folders where neither side stores a hash. */
  src?: { provider: Provider; bucket: string; key: string };
  put: PutResult;
}

/**
 * Compares what arrived with what was sent: size always, plus the strongest hash both sides give. Returns the
 * name of what was compared ('md5', 'crc32c', …, or 'size'). A mismatch throws ChecksumMismatchError, which the
 * retry loop treats as retryable and, once retries are spent, reports as a failure, never as a success.
 */
export async function verifyCopy(input: VerifyInput): Promise<VerifiedBy> {
  const { dst, source, relay, signal } = input;
  let stored: ObjectMetadata;
  try {
    stored = await dst.provider.stat(dst.bucket, dst.key, signal);
  } catch (e) {
    if (e instanceof NotFoundError) throw new RetryableError(`${dst.key} is missing at the destination right after the copy`);
    throw e;
  }
  if (stored.size !== source.size) {
    throw new ChecksumMismatchError(`Size differs after copy: sent ${source.size} bytes, destination holds ${stored.size}`);
  }
  const sourceSums = merge(source.checksums);
  if (relay) checkBytesRead(source.checksums, relay);
  const sent = merge(sourceSums, relay);
  const received = merge(input.put.checksums, stored.checksums);
  let kind = strongestCommon(sent, received);
  if (kind === undefined && dst.provider.hash) {
    // A local destination stores no hash: read the file back (MD5, which the relay always knows).
    const src = input.src;
    if (sent.md5 === undefined && src?.provider.hash) sent.md5 = (await src.provider.hash(src.bucket, src.key, 'md5', signal)).toLowerCase();
    if (sent.md5 !== undefined) {
      received.md5 = (await dst.provider.hash(dst.bucket, dst.key, 'md5', signal)).toLowerCase();
      kind = 'md5';
    }
  }
  if (kind === undefined) return input.readCheck ?? 'size';
  if (sent[kind] !== received[kind]) {
    throw new ChecksumMismatchError(`${kind.toUpperCase()} differs after copy of ${dst.key}: sent ${sent[kind] ?? '?'}, stored ${received[kind] ?? '?'}`);
  }
  // Said plainly in the report: when the source stores no full-object hash (an S3 multipart object without a
  // flexible checksum), the destination was checked against the bytes read, not against the source's own hash.
  return sourceSums[kind] === undefined && relay?.[kind] !== undefined && !anyCommon(sourceSums, relay) ? `${kind}-relay` : kind;
}

/**
 * The bytes the relay read must match what the source itself stored: a corrupted read is caught here. Called
 * before the destination commits (PutOptions.verifyBeforeCommit), so an overwrite that fails keeps the old object.
 */
export function checkBytesRead(stored: Checksums, read: Checksums): void {
  const sourceSums = merge(stored);
  for (const k of HASH_KINDS) {
    const want = sourceSums[k];
    const got = read[k];
    if (want !== undefined && got !== undefined && want !== got.toLowerCase()) {
      throw new ChecksumMismatchError(`The bytes read from the source do not match its stored ${k.toUpperCase()} (${want} vs ${got}); nothing was written`);
    }
  }
}

function anyCommon(stored: Checksums, read: Checksums): boolean {
  return HASH_KINDS.some((k) => stored[k] !== undefined && read[k] !== undefined);
}

/** True when the source is no longer the object we started copying (new ETag, generation or version). */
export function sourceChanged(before: ObjectMetadata, after: ObjectMetadata): boolean {
  if (before.size !== after.size) return true;
  if (before.version !== undefined && after.version !== undefined && before.version !== after.version) return true;
  if (before.etag !== undefined && after.etag !== undefined && before.etag !== after.etag) return true;
  if (before.etag === undefined && before.modified !== undefined && after.modified !== undefined && before.modified !== after.modified) return true;
  return false;
}
