import { GetObjectAttributesCommand, type S3Client } from '@aws-sdk/client-s3';
import { Transform, type TransformCallback } from 'node:stream';
import { ChecksumMismatchError } from '../../../../shared/errors';
import type { CompositeChecksum } from '../../../../shared/model';
import { crcB64ToHex, crcHasher, type CrcKind } from '../crc32c';

/**
 * S3's COMPOSITE checksums: a multipart object uploaded with CRC32 or CRC32C parts stores, for the whole object, a
 * CRC of the concatenated big-endian part CRCs (`<base64>-<parts>`), not a CRC of the bytes. With the parts'
 * sizes and CRCs (GetObjectAttributes) a whole-object read can be checked part by part as it streams: one native
 * CRC32 pass, where hashing the bytes with MD5 to compare with nothing the source stores would cost several times
 * more and check less.
 */

interface CompositeFields {
  ChecksumCRC32?: string | undefined;
  ChecksumCRC32C?: string | undefined;
  ChecksumType?: string | undefined;
}

/** The object's composite CRC, from a HEAD or GET answer; undefined for a full-object or absent checksum. */
export function compositeOf(out: CompositeFields): CompositeChecksum | undefined {
  for (const [kind, value] of [['crc32', out.ChecksumCRC32], ['crc32c', out.ChecksumCRC32C]] as const) {
    const m = value === undefined ? null : /^([A-Za-z0-9+/]{6}==)-(\d+)$/.exec(value);
    if (m?.[1] && m[2] && (out.ChecksumType === undefined || out.ChecksumType === 'COMPOSITE')) {
      const parts = Number(m[2]);
      if (parts >= 1 && parts <= 10_000) return { kind, value: crcB64ToHex(m[1]), parts };
    }
  }
  return undefined;
}

export interface PartLayout {
  kind: CrcKind;
  /** In part order: size in bytes and CRC (lowercase hex) of each part as S3 stored it. */
  parts: Array<{ size: number; crc: string }>;
}

/** The composite of a list of part CRCs: the CRC of their 4-byte big-endian values, concatenated. */
export function compositeFromParts(kind: CrcKind, crcs: string[]): string {
  const h = crcHasher(kind);
  h.update(Buffer.from(crcs.join(''), 'hex'));
  return h.hex();
}

/**
 * The parts of the version just read, or undefined when S3 will not tell (GetObjectAttributes denied or not
 * implemented, parts without that CRC) or when what it tells is not that object: the part count, their sizes'
 * sum and the composite of their CRCs must all match what the read answered. Never throws: without a layout the
 * read is simply not checked this way, and nothing claims it was.
 */
export async function partLayout(
  client: S3Client,
  target: { bucket: string; key: string; version?: string | undefined; size: number },
  composite: CompositeChecksum,
  signal?: AbortSignal,
): Promise<PartLayout | undefined> {
  const parts: PartLayout['parts'] = [];
  try {
    let marker: string | undefined;
    for (let page = 0; page < 20 && parts.length < composite.parts; page++) {
      // One attribute only: MinIO does not trim the spaces the SDK puts between several.
      const out = await client.send(
        new GetObjectAttributesCommand({ Bucket: target.bucket, Key: target.key, VersionId: target.version, ObjectAttributes: ['ObjectParts'], MaxParts: 1000, PartNumberMarker: marker }),
        { abortSignal: signal },
      );
      for (const p of out.ObjectParts?.Parts ?? []) {
        const crc = composite.kind === 'crc32' ? p.ChecksumCRC32 : p.ChecksumCRC32C;
        if (p.Size === undefined || crc === undefined || p.PartNumber !== parts.length + 1) return undefined;
        parts.push({ size: p.Size, crc: crcB64ToHex(crc) });
      }
      if (!out.ObjectParts?.IsTruncated) break;
      marker = out.ObjectParts.NextPartNumberMarker;
    }
  } catch {
    return undefined;
  }
  if (parts.length !== composite.parts || parts.reduce((n, p) => n + p.size, 0) !== target.size) return undefined;
  if (compositeFromParts(composite.kind, parts.map((p) => p.crc)) !== composite.value) return undefined;
  return { kind: composite.kind, parts };
}

/**
 * Passes the bytes on unchanged and checks each part's CRC as its last byte goes by; a part that differs, or a
 * stream that ends early or runs long, fails the stream with ChecksumMismatchError before it ends, so a relay
 * reading it never commits what it read.
 */
export function verifyParts(layout: PartLayout, key: string): Transform {
  let index = 0;
  let left = layout.parts[0]?.size ?? 0;
  let crc = crcHasher(layout.kind);
  const fail = (why: string): ChecksumMismatchError => new ChecksumMismatchError(`The bytes read of "${key}" do not match S3's stored ${layout.kind.toUpperCase()}: ${why}; nothing was written`);
  const endPart = (): Error | undefined => {
    const want = layout.parts[index]?.crc;
    const got = crc.hex();
    index += 1;
    left = layout.parts[index]?.size ?? 0;
    crc = crcHasher(layout.kind);
    return got === want ? undefined : fail(`part ${index} has ${got}, S3 stored ${want ?? '?'}`);
  };
  // Zero-length parts (only an empty object has one) end before any byte arrives.
  const skipEmpty = (): Error | undefined => {
    while (index < layout.parts.length && left === 0) {
      const e = endPart();
      if (e) return e;
    }
    return undefined;
  };
  return new Transform({
    transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback) {
      let at = 0;
      while (at < chunk.length) {
        const early = skipEmpty();
        if (early) return cb(early);
        if (index >= layout.parts.length) return cb(fail('more bytes than its parts hold'));
        const n = Math.min(left, chunk.length - at);
        crc.update(chunk.subarray(at, at + n));
        at += n;
        left -= n;
        if (left === 0) {
          const e = endPart();
          if (e) return cb(e);
        }
      }
      cb(null, chunk);
    },
    flush(cb: TransformCallback) {
      const e = skipEmpty();
      if (e) return cb(e);
      cb(index === layout.parts.length ? null : fail(`it ended in part ${index + 1} of ${layout.parts.length}`));
    },
  });
}
