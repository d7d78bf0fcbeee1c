import { z } from 'zod';

/** Checksums as lowercase hex, whichever the provider can give. */
export const ChecksumsSchema = z.object({
  md5: z.string().optional(),
  crc32c: z.string().optional(),
  /** CRC32 (IEEE), lowercase hex: what S3 reports for a flexible-checksum CRC32 object or upload. */
  crc32: z.string().optional(),
  crc64: z.string().optional(),
  sha256: z.string().optional(),
});
export type Checksums = z.infer<typeof ChecksumsSchema>;
export type HashKind = keyof Checksums;
export const HASH_KINDS: readonly HashKind[] = ['sha256', 'crc64', 'crc32c', 'crc32', 'md5'];

export const BucketInfoSchema = z.object({
  name: z.string(),
  created: z.string().optional(),
  region: z.string().optional(),
});
export type BucketInfo = z.infer<typeof BucketInfoSchema>;

/** One row of a listing: an object, or a common prefix ("folder") when `isPrefix`. */
export const ObjectEntrySchema = z.object({
  key: z.string(),
  name: z.string(),
  isPrefix: z.boolean(),
  size: z.number().int().nonnegative(),
  modified: z.string().optional(),
  etag: z.string().optional(),
  storageClass: z.string().optional(),
  contentType: z.string().optional(),
});
export type ObjectEntry = z.infer<typeof ObjectEntrySchema>;

export const ListPageSchema = z.object({
  entries: z.array(ObjectEntrySchema),
  /** Opaque; pass back to get the next page. Absent on the last page. */
  cursor: z.string().optional(),
  /**
   * The number of entries in the whole listing, where the provider learns it at no extra cost (a local folder is
   * read whole for every page); absent where only the last page would tell (the clouds).
   */
  total: z.number().int().nonnegative().optional(),
});
export type ListPage = z.infer<typeof ListPageSchema>;

export const UserMetadataSchema = z.record(z.string(), z.string());
export type UserMetadata = z.infer<typeof UserMetadataSchema>;

/**
 * An S3 multipart object's COMPOSITE checksum: a CRC of its parts' CRCs (lowercase hex), not of its bytes, so it
 * cannot be compared with a hash of the bytes; a read can be checked against it part by part.
 */
export const CompositeChecksumSchema = z.object({
  kind: z.enum(['crc32', 'crc32c']),
  value: z.string(),
  parts: z.number().int().positive(),
});
export type CompositeChecksum = z.infer<typeof CompositeChecksumSchema>;

export const ObjectMetadataSchema = z.object({
  key: z.string(),
  size: z.number().int().nonnegative(),
  modified: z.string().optional(),
  etag: z.string().optional(),
  /** GCS generation or S3/Azure version id, when the provider has one. */
  version: z.string().optional(),
  contentType: z.string().optional(),
  cacheControl: z.string().optional(),
  contentDisposition: z.string().optional(),
  contentEncoding: z.string().optional(),
  contentLanguage: z.string().optional(),
  storageClass: z.string().optional(),
  /**
   * The class the service is still moving the object to, while `storageClass` shows the one it is leaving (Azure's
   * rehydration from Archive, hours).
   */
  pendingStorageClass: z.string().optional(),
  checksums: ChecksumsSchema,
  /**
   * S3 only, when the object has one. In what a provider's open() reports through `onMetadata`, present only when
   * the stream it returned checks the bytes against it (and fails before its end if they differ).
   */
  compositeChecksum: CompositeChecksumSchema.optional(),
  userMetadata: UserMetadataSchema,
});
export type ObjectMetadata = z.infer<typeof ObjectMetadataSchema>;

/** What a user can change on an existing object. Absent fields are left as they are. */
export const MetadataPatchSchema = z.object({
  contentType: z.string().max(1024).optional(),
  cacheControl: z.string().max(1024).optional(),
  contentDisposition: z.string().max(1024).optional(),
  contentEncoding: z.string().max(1024).optional(),
  contentLanguage: z.string().max(1024).optional(),
  storageClass: z.string().max(64).optional(),
  /** Replaces the whole user metadata map when present. */
  userMetadata: UserMetadataSchema.optional(),
});
export type MetadataPatch = z.infer<typeof MetadataPatchSchema>;

/**
 * What a store holds and allows, as rclone's `Features`: the part of a provider's `features` that the renderer sees
 * too (the engine's Provider adds flags only the engine reads).
 */
export const StorageFeaturesSchema = z.object({
  hashes: z.array(z.enum(['md5', 'crc32c', 'crc32', 'crc64', 'sha256'])),
  storageClasses: z.array(z.string()),
  setMetadata: z.boolean(),
  /** Longest key in UTF-8 bytes. */
  maxKeyBytes: z.number().int(),
  /** Largest user-metadata payload in bytes (keys + values), if limited. */
  maxUserMetadataBytes: z.number().int().optional(),
  /** True where metadata names must be C# identifiers (Azure). */
  metadataNamesIdentifiersOnly: z.boolean(),
  caseInsensitive: z.boolean(),
  /** Keeps older versions of objects that can be listed and acted on (the provider's `versioning` calls). */
  versions: z.boolean(),
});
export type StorageFeatures = z.infer<typeof StorageFeaturesSchema>;

/**
 * A provider's abilities as the renderer gets them (accounts:features): its storage features, and whether it has
 * the optional calls `copy` (server-side copy) and `presign` (a time-limited read URL), derived by the engine.
 */
export const ProviderFeaturesSchema = StorageFeaturesSchema.extend({
  serverSideCopy: z.boolean(),
  presign: z.boolean(),
});
export type ProviderFeatures = z.infer<typeof ProviderFeaturesSchema>;
