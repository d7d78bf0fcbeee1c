import type { HeadObjectCommandOutput } from '@aws-sdk/client-s3';
import type { Checksums, MetadataPatch, ObjectMetadata } from '../../../../shared/model';
import { base64ToHex, unquoteEtag } from '../common/values';
import type { PutResult } from '../provider';
import { compositeOf } from './s3.composite';

/** The SDK's checksum fields as they appear on HeadObject, PutObject and CompleteMultipartUpload outputs. */
interface ChecksumFields {
  ETag?: string | undefined;
  ChecksumCRC32C?: string | undefined;
  ChecksumCRC32?: string | undefined;
  ChecksumSHA256?: string | undefined;
  ChecksumType?: string | undefined;
  ServerSideEncryption?: string | undefined;
  SSECustomerAlgorithm?: string | undefined;
}

/** A whole-object checksum as hex; a composite (`…-N`) value is not the object's hash. */
function wholeChecksum(value: string | undefined): string | undefined {
  return value?.includes('-') ? undefined : base64ToHex(value);
}

/**
 * md5 only from a single-part ETag of an object not encrypted with KMS or a customer key: those ETags are not the
 * MD5 of the bytes. crc32c / sha256 only when they cover the whole object (not a COMPOSITE checksum of parts).
 */
export function checksumsOf(out: ChecksumFields): Checksums {
  const sums: Checksums = {};
  const etag = unquoteEtag(out.ETag);
  const plainEtag = out.ServerSideEncryption !== 'aws:kms' && out.ServerSideEncryption !== 'aws:kms:dsse' && !out.SSECustomerAlgorithm;
  if (etag && /^[0-9a-f]{32}$/i.test(etag) && plainEtag) sums.md5 = etag.toLowerCase();
  if (out.ChecksumType !== 'COMPOSITE') {
    const crc32c = wholeChecksum(out.ChecksumCRC32C);
    const crc32 = wholeChecksum(out.ChecksumCRC32);
    const sha256 = wholeChecksum(out.ChecksumSHA256);
    if (crc32c) sums.crc32c = crc32c;
    if (crc32) sums.crc32 = crc32;
    if (sha256) sums.sha256 = sha256;
  }
  return sums;
}

/** What a write answered (PutObject, CopyObject, CompleteMultipartUpload): its ETag, version and checksums. */
export function putResultOf(out: ChecksumFields & { VersionId?: string | undefined }): PutResult {
  const result: PutResult = { checksums: checksumsOf(out) };
  const etag = unquoteEtag(out.ETag);
  if (etag) result.etag = etag;
  if (out.VersionId) result.version = out.VersionId;
  return result;
}

export function headToMetadata(key: string, out: HeadObjectCommandOutput): ObjectMetadata {
  const meta: ObjectMetadata = {
    key,
    size: out.ContentLength ?? 0,
    checksums: checksumsOf(out),
    userMetadata: { ...(out.Metadata ?? {}) },
  };
  const composite = compositeOf(out);
  if (composite) meta.compositeChecksum = composite;
  if (out.LastModified) meta.modified = out.LastModified.toISOString();
  const etag = unquoteEtag(out.ETag);
  if (etag) meta.etag = etag;
  if (out.VersionId && out.VersionId !== 'null') meta.version = out.VersionId;
  if (out.ContentType) meta.contentType = out.ContentType;
  if (out.CacheControl) meta.cacheControl = out.CacheControl;
  if (out.ContentDisposition) meta.contentDisposition = out.ContentDisposition;
  if (out.ContentEncoding) meta.contentEncoding = out.ContentEncoding;
  if (out.ContentLanguage) meta.contentLanguage = out.ContentLanguage;
  // HeadObject omits x-amz-storage-class for STANDARD.
  meta.storageClass = out.StorageClass ?? 'STANDARD';
  return meta;
}

/** The headers an object is written with: S3 input field names. */
export interface S3WriteHeaders {
  ContentType?: string;
  CacheControl?: string;
  ContentDisposition?: string;
  ContentEncoding?: string;
  ContentLanguage?: string;
  StorageClass?: string;
  Metadata?: Record<string, string>;
}

/** The current metadata with a patch applied: absent patch fields keep their current value. */
export function mergedHeaders(current: ObjectMetadata, patch: MetadataPatch = {}): S3WriteHeaders {
  const pick = (a: string | undefined, b: string | undefined): string | undefined => (a !== undefined ? a : b) || undefined;
  const h: S3WriteHeaders = {
    ContentType: pick(patch.contentType, current.contentType),
    CacheControl: pick(patch.cacheControl, current.cacheControl),
    ContentDisposition: pick(patch.contentDisposition, current.contentDisposition),
    ContentEncoding: pick(patch.contentEncoding, current.contentEncoding),
    ContentLanguage: pick(patch.contentLanguage, current.contentLanguage),
    StorageClass: pick(patch.storageClass, current.storageClass),
    Metadata: { ...(patch.userMetadata ?? current.userMetadata) },
  };
  return Object.fromEntries(Object.entries(h).filter(([, v]) => v !== undefined)) as S3WriteHeaders;
}
