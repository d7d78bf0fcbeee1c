import type { S3Client, StorageClass } from '@aws-sdk/client-s3';
import type { MultipartSettings, WriteOptions } from '../provider';

/** A write's headers, class and user metadata in the S3 API's names (PutObject, CreateMultipartUpload). */
export function objectParams(o: WriteOptions): {
  ContentType?: string;
  CacheControl?: string;
  ContentDisposition?: string;
  ContentEncoding?: string;
  ContentLanguage?: string;
  StorageClass?: StorageClass;
  Metadata?: Record<string, string>;
} {
  return {
    ContentType: o.contentType,
    CacheControl: o.cacheControl,
    ContentDisposition: o.contentDisposition,
    ContentEncoding: o.contentEncoding,
    ContentLanguage: o.contentLanguage,
    StorageClass: o.storageClass as StorageClass | undefined,
    Metadata: o.userMetadata,
  };
}

/** Where an object is written, and how: what the one-shot upload (s3.upload.ts) and the resumable one (s3.resume.ts) share. */
export interface UploadTarget {
  client: S3Client;
  bucket: string;
  key: string;
  endpoint?: string;
  multipart: MultipartSettings;
  /**
   * The account allows flexible checksums: single puts carry a CRC32 of the object (the SDK computes it natively)
   * for S3 to check, and multipart puts go through the resumable uploader (a CRC32 per part).
   */
  flexibleChecksums: boolean;
}
