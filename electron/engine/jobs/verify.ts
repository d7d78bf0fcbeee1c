import { createHash, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { ChecksumMismatchError, NotFoundError, RetryableError } from '../../../shared/errors';
import { HASH_KINDS, type Checksums, type HashKind, type ObjectMetadata } from '../../../shared/model';
import type { Provider, PutResult } from '../providers/provider';

/** An MD5 computed on the fly while the relay streams the bytes, so the source side's hash is always known. */
export class StreamHasher {
  private readonly hash: Hash = createHash('md5');
  private result: string | undefined;

  stream(): Transform {
    return new Transform({
      transform: (chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback) => {
        this.hash.update(chunk);
        cb(null, chunk);
      },
    });
  }

  /** Only valid once the stream has ended. */
  md5(): string {
    this.result ??= this.hash.digest('hex');
    return this.result;
  }
}

/** The strongest kind present on both sides, in the order sha256 > crc64 > crc32c > md5. */
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
  /** MD5 of the bytes the relay read (absent for a server-side copy). */
  relayMd5?: string;
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
export async function verifyCopy(input: VerifyInput): Promise<string> {
  const { dst, source, relayMd5, signal } = input;
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
  // The relay read bytes that the source's own stored MD5 must match: a corrupted read is caught here.
  if (relayMd5 !== undefined && sourceSums.md5 !== undefined && sourceSums.md5 !== relayMd5) {
    throw new ChecksumMismatchError(`The bytes read from the source do not match its MD5 (${sourceSums.md5} vs ${relayMd5})`);
  }
  const sent = merge(sourceSums, relayMd5 === undefined ? undefined : { md5: relayMd5 });
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
  if (kind === undefined) return 'size';
  if (sent[kind] !== received[kind]) {
    throw new ChecksumMismatchError(`${kind.toUpperCase()} differs after copy of ${dst.key}: sent ${sent[kind] ?? '?'}, stored ${received[kind] ?? '?'}`);
  }
  return kind;
}

/** True when the source is no longer the object we started copying (new ETag, generation or version). */
export function sourceChanged(before: ObjectMetadata, after: ObjectMetadata): boolean {
  if (before.size !== after.size) return true;
  if (before.version !== undefined && after.version !== undefined && before.version !== after.version) return true;
  if (before.etag !== undefined && after.etag !== undefined && before.etag !== after.etag) return true;
  if (before.etag === undefined && before.modified !== undefined && after.modified !== undefined && before.modified !== after.modified) return true;
  return false;
}
