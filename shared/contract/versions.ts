import { z } from 'zod';
import { channel, Ok } from './define';
import { UriSchema } from './storage.channels';

/**
 * Object versions and recovery: the versions of one object (S3 versions and delete markers, GCS generations, Azure
 * blob versions and snapshots), the objects whose current version is deleted, and what can be done with a version
 * (read, copy, make current, delete that one only, undelete). Bucket settings: versioning, soft delete, object lock.
 */

/**
 * `version`: a stored version of the bytes (S3 version, GCS generation, Azure blob version); `delete-marker`: S3's
 * marker that hides a key (no bytes); `snapshot`: an Azure snapshot (read-only copy of a blob at a time);
 * `deleted`: a soft-deleted Azure blob, kept until its retention ends.
 */
export const VersionKindSchema = z.enum(['version', 'delete-marker', 'snapshot', 'deleted']);
export type VersionKind = z.infer<typeof VersionKindSchema>;

export const ObjectVersionSchema = z.object({
  key: z.string(),
  /** The provider's id of this version: S3 VersionId, GCS generation, Azure version id or snapshot time. */
  versionId: z.string(),
  kind: VersionKindSchema,
  /** The version a plain read of the key returns (a current delete marker: the key reads as missing). */
  isCurrent: z.boolean(),
  size: z.number().int().nonnegative(),
  modified: z.string().optional(),
  /**
   * When this version stopped being current (the next newer version's date, GCS timeDeleted), where known:
   * retention of noncurrent versions counts its days from here.
   */
  noncurrentSince: z.string().optional(),
  storageClass: z.string().optional(),
  etag: z.string().optional(),
});
export type ObjectVersion = z.infer<typeof ObjectVersionSchema>;

/** An object whose current version is deleted (a delete marker, only noncurrent generations, a soft-deleted blob). */
export const DeletedObjectSchema = z.object({
  key: z.string(),
  deletedAt: z.string().optional(),
  /** The newest version that still holds bytes (what an undelete brings back). */
  size: z.number().int().nonnegative(),
  versions: z.number().int().nonnegative(),
});
export type DeletedObject = z.infer<typeof DeletedObjectSchema>;

export const VersioningStateSchema = z.enum(['enabled', 'suspended', 'off', 'unknown']);
export type VersioningState = z.infer<typeof VersioningStateSchema>;

export const BucketVersioningSchema = z.object({
  versioning: VersioningStateSchema,
  /** Whether this account can change versioning from here (Azure: an account setting of Resource Manager). */
  canSetVersioning: z.boolean(),
  /** Soft-delete retention in days (Azure Blob, GCS soft delete); null: off; absent: the service has none. */
  softDeleteDays: z.number().int().nonnegative().nullable().optional(),
  canSetSoftDelete: z.boolean(),
  /** Object lock / retention policy, shown as the service reports it; never bypassed by the app. */
  objectLock: z
    .object({
      enabled: z.boolean(),
      mode: z.string().optional(),
      days: z.number().int().optional(),
      years: z.number().int().optional(),
      locked: z.boolean().optional(),
    })
    .optional(),
  notes: z.array(z.string()),
});
export type BucketVersioning = z.infer<typeof BucketVersioningSchema>;

/** An object URI plus the version to act on. */
const VersionRef = z.object({ uri: UriSchema, versionId: z.string().min(1).max(1024) });

export const versionChannels = {
  /** Every version of one object, newest first. */
  'versions:list': channel(z.object({ uri: UriSchema }), z.object({ versions: z.array(ObjectVersionSchema) })),
  /** Objects under a folder URI whose current version is deleted ("Show deleted"). */
  'versions:deleted': channel(z.object({ uri: UriSchema }), z.object({ entries: z.array(DeletedObjectSchema), truncated: z.boolean() })),
  /** Makes the version current by a server-side copy onto the key (the older versions stay). */
  'versions:restore': channel(VersionRef, Ok),
  /**
   * Deletes that one version for good. `expect` is what the user confirmed (its size): a version that is not there,
   * or differs, is refused. The current version is refused unless `allowCurrent`.
   */
  'versions:remove': channel(
    VersionRef.extend({ expect: z.object({ size: z.number().int().nonnegative() }), allowCurrent: z.boolean().optional() }),
    Ok,
  ),
  /** Brings a deleted object back (removes S3's delete marker, restores the newest GCS generation, Azure undelete). */
  'versions:undelete': channel(z.object({ uri: UriSchema }), Ok),
  /** Copies a version to another place (a local folder: a download); never over an existing object. */
  'versions:copy': channel(VersionRef.extend({ destination: UriSchema }), z.object({ destination: z.string() })),
  'versions:settings': channel(z.object({ uri: UriSchema }), BucketVersioningSchema),
  'versions:configure': channel(
    z.object({ uri: UriSchema, versioning: z.enum(['enabled', 'suspended']).optional(), softDeleteDays: z.number().int().min(1).max(365).nullable().optional() }),
    BucketVersioningSchema,
  ),
} as const;
