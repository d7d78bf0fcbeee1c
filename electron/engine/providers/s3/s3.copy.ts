import { AbortMultipartUploadCommand, CompleteMultipartUploadCommand, CopyObjectCommand, CreateMultipartUploadCommand, UploadPartCopyCommand, type CompletedPart, type S3Client, type StorageClass } from '@aws-sdk/client-s3';
import type { ObjectMetadata } from '../../../../shared/model';
import type { ObjectRef, PutResult } from '../provider';
import { throwIfCancelled } from '../common/call';
import { mapLimit } from '../common/pool';
import { toS3Error } from './s3.errors';
import { putResultOf, type S3WriteHeaders } from './s3.metadata';

/** When a server-side copy switches from one CopyObject to UploadPartCopy parts. */
export interface CopySettings {
  /** Objects of this size or larger are copied in parts (CopyObject's own limit is 5 GiB). */
  multipartThresholdBytes: number;
  partSizeBytes: number;
  concurrency: number;
}

export const DEFAULT_COPY: CopySettings = {
  multipartThresholdBytes: 5 * 1024 * 1024 * 1024,
  partSizeBytes: 512 * 1024 * 1024,
  concurrency: 4,
};

/** CopySource is `bucket/key`, URL-encoded per segment so that `#`, `?`, `%` and spaces survive. */
export function copySource(ref: ObjectRef): string {
  return `${encodeURIComponent(ref.bucket)}/${ref.key.split('/').map(encodeURIComponent).join('/')}`;
}

export interface CopyJob {
  client: S3Client;
  endpoint?: string;
  settings: CopySettings;
  src: ObjectRef;
  /** The source as just read by HeadObject: its ETag pins the copy to that version of the bytes. */
  srcMeta: ObjectMetadata;
  dst: ObjectRef;
  /** Headers to write; undefined copies the source's metadata as it is (MetadataDirective COPY). */
  headers?: S3WriteHeaders;
  signal?: AbortSignal;
}

function withStorageClass(h: S3WriteHeaders): Omit<S3WriteHeaders, 'StorageClass'> & { StorageClass?: StorageClass } {
  return { ...h, StorageClass: h.StorageClass as StorageClass | undefined };
}

export async function copyObject(job: CopyJob): Promise<PutResult> {
  const ctx = { op: 'copy', bucket: job.dst.bucket, key: job.dst.key, endpoint: job.endpoint, signal: job.signal };
  try {
    return job.srcMeta.size >= job.settings.multipartThresholdBytes ? await copyInParts(job) : await copySingle(job);
  } catch (err) {
    throw toS3Error(err, ctx);
  }
}

async function copySingle(job: CopyJob): Promise<PutResult> {
  const { srcMeta } = job;
  // With MetadataDirective COPY, S3 still resets the storage class to STANDARD unless it is named again.
  const keepClass = srcMeta.storageClass && srcMeta.storageClass !== 'STANDARD' ? { StorageClass: srcMeta.storageClass as StorageClass } : {};
  const out = await job.client.send(
    new CopyObjectCommand({
      Bucket: job.dst.bucket,
      Key: job.dst.key,
      CopySource: copySource(job.src),
      CopySourceIfMatch: srcMeta.etag ? `"${srcMeta.etag}"` : undefined,
      ...(job.headers ? { MetadataDirective: 'REPLACE' as const, ...withStorageClass(job.headers) } : { MetadataDirective: 'COPY' as const, ...keepClass }),
    }),
    { abortSignal: job.signal },
  );
  return putResultOf({ ...out.CopyObjectResult, VersionId: out.VersionId });
}

/** UploadPartCopy in ranges, `concurrency` at a time; any failure aborts the multipart upload before rethrowing. */
async function copyInParts(job: CopyJob): Promise<PutResult> {
  const { client, srcMeta, dst, signal, settings } = job;
  const headers = job.headers ?? {
    ContentType: srcMeta.contentType,
    CacheControl: srcMeta.cacheControl,
    ContentDisposition: srcMeta.contentDisposition,
    ContentEncoding: srcMeta.contentEncoding,
    ContentLanguage: srcMeta.contentLanguage,
    StorageClass: srcMeta.storageClass && srcMeta.storageClass !== 'STANDARD' ? srcMeta.storageClass : undefined,
    Metadata: srcMeta.userMetadata,
  };
  const created = await client.send(new CreateMultipartUploadCommand({ Bucket: dst.bucket, Key: dst.key, ...withStorageClass(headers) }), { abortSignal: signal });
  const uploadId = created.UploadId;
  if (!uploadId) throw new Error('CreateMultipartUpload returned no UploadId');
  try {
    const partSize = Math.max(5 * 1024 * 1024, settings.partSizeBytes);
    const count = Math.ceil(srcMeta.size / partSize);
    // The pool settles every part in flight before it rejects, so that no part lands after the abort below.
    const parts: CompletedPart[] = await mapLimit(Array.from({ length: count }, (_, i) => i), settings.concurrency, async (i) => {
      throwIfCancelled(signal);
      const start = i * partSize;
      const end = Math.min(srcMeta.size, start + partSize) - 1;
      const out = await client.send(
        new UploadPartCopyCommand({
          Bucket: dst.bucket,
          Key: dst.key,
          UploadId: uploadId,
          PartNumber: i + 1,
          CopySource: copySource(job.src),
          CopySourceRange: `bytes=${start}-${end}`,
          CopySourceIfMatch: srcMeta.etag ? `"${srcMeta.etag}"` : undefined,
        }),
        { abortSignal: signal },
      );
      return { PartNumber: i + 1, ETag: out.CopyPartResult?.ETag };
    });
    const done = await client.send(
      new CompleteMultipartUploadCommand({ Bucket: dst.bucket, Key: dst.key, UploadId: uploadId, MultipartUpload: { Parts: parts } }),
      { abortSignal: signal },
    );
    return putResultOf(done);
  } catch (err) {
    // Not under the caller's signal: the cleanup must run even (especially) when the copy was cancelled.
    await client.send(new AbortMultipartUploadCommand({ Bucket: dst.bucket, Key: dst.key, UploadId: uploadId })).catch(() => undefined);
    throw err;
  }
}
