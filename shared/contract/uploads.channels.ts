import { z } from 'zod';
import { channel } from './define';

/**
 * Unfinished multipart / block uploads left in a bucket (by a crash, or by another tool). They cost storage
 * until aborted, and the provider's own console rarely shows them.
 */
export const PendingUploadSchema = z.object({
  key: z.string().max(4096),
  /** S3 UploadId, GCS upload id, or '' for Azure uncommitted blocks (one set per blob). */
  uploadId: z.string().max(4096),
  /** ISO 8601, when the backend says when the upload started. */
  initiated: z.string().optional(),
});
export type PendingUpload = z.infer<typeof PendingUploadSchema>;

const bucketRequest = { account: z.string().min(1), bucket: z.string().min(1).max(255) };

export const uploadChannels = {
  /** Every unfinished upload in a bucket, oldest first. `unsupported` for a backend that keeps none (local folders). */
  'uploads:listPending': channel(z.object(bucketRequest), z.array(PendingUploadSchema)),
  /** Aborts the given uploads one by one; one that fails does not stop the others. */
  'uploads:abort': channel(
    z.object({ ...bucketRequest, uploads: z.array(PendingUploadSchema).min(1).max(1000) }),
    z.object({
      aborted: z.number().int().nonnegative(),
      failed: z.array(z.object({ key: z.string(), uploadId: z.string(), message: z.string() })),
    }),
  ),
} as const;
