import { NotFoundError } from '../../../shared/errors';
import type { CrcKind } from './crc32c';
import type { Readable } from 'node:stream';
import type { ProviderKind } from '../../../shared/location';
import type { BucketVersioning, ObjectVersion } from '../../../shared/contract/versions';
import { StorageFeaturesSchema, type BucketInfo, type Checksums, type HashKind, type ListPage, type MetadataPatch, type ObjectMetadata, type ProviderFeatures, type StorageFeatures, type UserMetadata } from '../../../shared/model';

/**
 * What a provider can do, in one record (rclone's `Features`), read by the job engine and by the conformance suite
 * to decide what to skip. An ability that is a call is an optional method of Provider instead (`copy`, `presign`,
 * `hash`, `putFromUrl`, `prepareResume`, ...), never also a flag here: `describeFeatures` derives the renderer's
 * view from both.
 */
export interface Features extends StorageFeatures {
  /** put() stores the object's headers (content type, cache control, ...) and user metadata with it. */
  storesMetadata: boolean;
  /**
   * open() honours OpenOptions.ifMatch and reports the read's own metadata through onMetadata, so that a copy needs
   * no HEAD before or after its read.
   */
  conditionalRead: boolean;
  /**
   * open() honours OpenOptions.parallel: a whole-object read goes as parallel ranged requests of one version
   * (providers/ranged-read.ts), the bytes still in order.
   */
  parallelRead?: boolean;
  /** setMetadata honours SetMetadataOptions.ifMatch for a class change in the same request. */
  conditionalClassChange: boolean;
  /**
   * The CRC a resumable upload's parts carry (with prepareResume): the relay computes the same over the bytes it
   * reads, so a resumed object is checked whole (stored prefix combined with the tail). S3 and Azure: CRC32
   * (native, fast); GCS: CRC32C (what the service computes).
   */
  resumeCrc?: CrcKind;
  /**
   * The whole-object checksum every put answers with, computed by the service over the bytes it received (S3 with
   * flexible checksums: CRC32; GCS: CRC32C). The relay then verifies by that kind and skips its own MD5 unless
   * the source stores one to check the bytes read against.
   */
  putChecksum?: CrcKind;
  /**
   * The most parts a multipart upload may have (S3 10,000, Azure 50,000 blocks): an object larger than this many of
   * MultipartSettings.partSizeBytes is uploaded in larger parts (size / this), which the relay's memory budget
   * counts. Absent: parts keep their size whatever the object's.
   */
  maxUploadParts?: number;
}

/**
 * One interface for every backend, modelled on rclone's `Fs`/`Object`. A provider turns every SDK error into the
 * project's own error classes (shared/errors.ts) before it leaves the provider: nothing above sees an SDK type.
 * Every call takes an AbortSignal; an aborted call rejects with CancelledError.
 */
export interface Provider {
  readonly kind: ProviderKind;
  readonly features: Features;

  listBuckets(signal?: AbortSignal): Promise<BucketInfo[]>;
  createBucket(bucket: string, signal?: AbortSignal): Promise<void>;
  /** Removes an empty bucket; a non-empty one is a ConflictError. */
  removeBucket(bucket: string, signal?: AbortSignal): Promise<void>;

  /**
   * One page under `prefix`. With a delimiter, keys below the next `/` fold into prefix entries (`isPrefix`).
   * Never loads more than one page: pass the returned cursor back for the next.
   */
  list(bucket: string, options: ListOptions, signal?: AbortSignal): Promise<ListPage>;

  /** Metadata of one object; NotFoundError when absent. */
  stat(bucket: string, key: string, signal?: AbortSignal): Promise<ObjectMetadata>;

  /** The object's bytes as a stream, optionally a byte range. */
  open(bucket: string, key: string, options?: OpenOptions): Promise<Readable>;

  /**
   * Writes an object from a stream of exactly `size` bytes; single-shot below the provider's multipart
   * threshold, parallel parts above it. If the source errors or the signal aborts, the upload is aborted and no
   * object (and no multipart upload) is left behind; an existing object of that key stays as it was.
   */
  put(bucket: string, key: string, source: Readable, options: PutOptions): Promise<PutResult>;

  /**
   * Removes one object; a missing one counts as removed. With `options.ifMatch`, only the version a caller checked
   * (the ETag or GCS generation of its stat) is removed, in the same request where the service allows it (S3
   * If-Match, Azure If-Match, GCS ifGenerationMatch; local folders compare just before the unlink, best effort):
   * anything else there is left alone and the call throws ConflictError. Azure also refuses a conditional delete of
   * a blob already gone that way, so a caller looks again after a ConflictError (jobs/retention-runner.ts removeChecked).
   * MinIO and fake-gcs-server accept the condition but do not enforce it.
   */
  remove(bucket: string, key: string, signal?: AbortSignal, options?: RemoveOptions): Promise<void>;
  /**
   * After a folder's files were deleted or moved away: removes the folders below `prefix` (ending in '/') that hold
   * nothing any more, deepest first, then `prefix`'s own folder if emptied; with `removeLink`, one that is a symlink
   * is removed as a link (a delete), its target untouched. Nothing is removed through a link out of `options.within`.
   * Answers how many went. Only a local disk has folders of its own; on a service a folder is its objects.
   */
  removeEmptyFolders?(bucket: string, prefix: string, options: RemoveManyOptions & { removeLink?: boolean }, signal?: AbortSignal): Promise<number>;
  /** Removes many keys in batches (S3 DeleteObjects, Azure batch, …); a missing key counts as removed. */
  removeMany(bucket: string, keys: readonly string[], signal?: AbortSignal, options?: RemoveManyOptions): Promise<RemoveManyResult>;

  /** Server-side copy inside this account. */
  copy?(src: ObjectRef, dst: ObjectRef, options?: CopyOptions): Promise<PutResult>;

  /**
   * Changes metadata in place (may be a self-copy underneath); returns the new metadata. With `options.ifMatch`, a
   * storage-class change acts only on the version a caller checked, in the same request where the service allows
   * it (S3: the self-copy's CopySourceIfMatch; GCS: the self-rewrite's ifGenerationMatch), else ConflictError.
   * Azure's Set Blob Tier takes no ETag condition (only x-ms-if-tags): there the caller's own check is all there is.
   * MinIO enforces CopySourceIfMatch; fake-gcs-server ignores ifGenerationMatch on a rewrite.
   */
  setMetadata(bucket: string, key: string, patch: MetadataPatch, signal?: AbortSignal, options?: SetMetadataOptions): Promise<ObjectMetadata>;

  /**
   * Removes what writes of a process that was killed left beside these keys (a local folder's temp files in each
   * key's folder; writes in flight in this process are kept); returns how many were removed.
   */
  removeLeftovers?(bucket: string, keys: readonly string[], signal?: AbortSignal): Promise<number>;

  /** Computes a hash by reading the object, for backends that store none (local folders). */
  hash?(bucket: string, key: string, kind: HashKind, signal?: AbortSignal): Promise<string>;

  /** Unfinished multipart / block uploads (left by a crash), where the backend keeps them. */
  listPendingUploads?(bucket: string, signal?: AbortSignal): Promise<PendingUpload[]>;
  abortPendingUpload?(bucket: string, upload: PendingUpload, signal?: AbortSignal): Promise<void>;

  /**
   * Writes an object whose bytes the destination fetches itself from `sourceUrl`, a time-limited read URL of
   * another account (a cloud-side pull: Azure Put Blob From URL, or Put Block From URL and Put Block List). No
   * byte passes through this computer. Nothing is committed unless every byte arrived, so a failure leaves no
   * object and an existing one as it was. `sourceUrl` is a credential: it never appears in an error or a log.
   * The result's `checksums.md5` is given only when the destination checked the fetched bytes against
   * `options.sourceMd5` and stored them because they matched.
   */
  putFromUrl?(bucket: string, key: string, sourceUrl: string, options: PutFromUrlOptions): Promise<PutResult>;

  /**
   * Checks a resume state from an earlier put of this key (PutOptions.resume) against the service: the prefix of
   * parts really stored that match the state, as a point to resume from. Undefined when nothing can be resumed
   * (the upload was aborted or expired, a part is missing or differs); whatever was left of it is then aborted.
   * Only providers whose multipart puts report checkpoints have it.
   */
  prepareResume?(bucket: string, key: string, state: ResumeState, size: number, signal?: AbortSignal): Promise<ResumePoint | undefined>;
  /**
   * Aborts the unfinished upload a resume state names (best effort: one already gone is fine). Answers a sentence
   * for the file's report when some of it had to stay on the service (Azure: blocks staged on an existing blob).
   */
  discardResume?(bucket: string, key: string, state: ResumeState, signal?: AbortSignal): Promise<string | undefined | void>;

  /** A time-limited read URL. */
  presign?(bucket: string, key: string, expiresSeconds: number): Promise<string>;
  /**
   * When the credentials that sign URLs stop working: temporary credentials (a role, SSO, a credential_process).
   * A URL cannot outlive them, so `presign` makes none that claims to; undefined for long-lived keys.
   */
  signingExpiry?(signal?: AbortSignal): Promise<Date | undefined>;

  /**
   * Object versions and recovery, on providers whose `features.versions` is true (present exactly then). Whether a
   * bucket keeps versions is the bucket's own setting (`getSettings`).
   */
  versioning?: ObjectVersioning;

  /** Releases sockets and timers. */
  close?(): Promise<void>;
}

/** One page of versions under a prefix: every version of a key is on the same page, newest first. */
export interface VersionPage {
  versions: ObjectVersion[];
  cursor?: string;
}

/**
 * Versions of objects (S3 versions and delete markers, GCS generations, Azure blob versions, snapshots and
 * soft-deleted blobs). Nothing here bypasses an object lock or a retention policy: the service's refusal reaches
 * the caller as an AccessDeniedError or ConflictError.
 */
export interface ObjectVersioning {
  /** Every version of one key, newest first; an empty list when there is none. */
  list(bucket: string, key: string, signal?: AbortSignal): Promise<ObjectVersion[]>;
  /** A page of the versions of every key under `prefix` (a flat listing), for "Show deleted", scans and retention. */
  listAll(bucket: string, options: { prefix?: string; cursor?: string }, signal?: AbortSignal): Promise<VersionPage>;
  /** The bytes of one version (not a delete marker). */
  open(bucket: string, key: string, versionId: string, signal?: AbortSignal): Promise<Readable>;
  /** Makes a version current by a server-side copy of it onto its key; every other version stays. */
  restore(bucket: string, key: string, versionId: string, signal?: AbortSignal): Promise<void>;
  /** Deletes exactly that version (or delete marker, or snapshot); never any other. */
  remove(bucket: string, key: string, versionId: string, signal?: AbortSignal): Promise<void>;
  /** Brings back a key whose current version is deleted; NotFoundError when there is nothing to bring back. */
  undelete(bucket: string, key: string, signal?: AbortSignal): Promise<void>;
  getSettings(bucket: string, signal?: AbortSignal): Promise<BucketVersioning>;
  /**
   * Whether the bucket can hold anything beside its current objects (noncurrent versions, delete markers, snapshots,
   * soft-deleted objects). False only when the service says so for certain, so that a scan can skip listing versions.
   */
  keepsVersions(bucket: string, signal?: AbortSignal): Promise<boolean>;
  /** Changes what this account may change (see BucketVersioning.canSet*); UnsupportedError for the rest. */
  setSettings(bucket: string, patch: VersioningPatch, signal?: AbortSignal): Promise<BucketVersioning>;
}

export interface VersioningPatch {
  versioning?: 'enabled' | 'suspended';
  /** Days, or null to turn soft delete off. */
  softDeleteDays?: number | null;
}

export interface ListOptions {
  prefix?: string;
  /** '/' for a folder view; undefined for a flat, recursive listing. */
  delimiter?: '/';
  cursor?: string;
  /** Hint; providers may return fewer. Default 1000. */
  pageSize?: number;
  /**
   * A prefix of `prefix`, ending in '/' (or '' for the bucket), naming the folder the user chose: a local folder
   * lists nothing it would reach through a symlink that leads out of that folder (elsewhere in the account's folder
   * included). Services without symlinks have nothing to check.
   */
  within?: string;
}

export interface OpenOptions {
  /** First byte to read (default 0). */
  offset?: number;
  /** Bytes to read from offset (default: to the end). */
  length?: number;
  signal?: AbortSignal;
  /**
   * Read only if the object's ETag is still this one; otherwise a RetryableError saying it changed (only where
   * `features.conditionalRead`). The version read is then the one named, whatever is written meanwhile.
   */
  ifMatch?: string;
  /**
   * Called once, before open() resolves, with the object's metadata from the read's own response (where
   * `features.conditionalRead`). Its `compositeChecksum` is set only when the returned stream checks the bytes against it.
   */
  onMetadata?: (meta: ObjectMetadata) => void;
  /**
   * Read a whole object (no offset or length) in parallel ranged requests, pinned to the version the read's first
   * answer names (where `features.parallelRead`; ignored elsewhere and for objects of fewer than four parts).
   */
  parallel?: ParallelRead;
}

/** How a read may go in parallel ranged requests (OpenOptions.parallel). */
export interface ParallelRead {
  /** Bytes per ranged request. */
  partBytes: number;
  /** Parts that may be requested or held at once now, the one being given out included (asked before each request). */
  limit(): number;
  /** Told as each ranged request is sent (the request counts). */
  onRequest?(): void;
  /** Told as each ranged request's bytes have all arrived: how long it took, its bytes, and how many were in flight, itself included. */
  onRange?(ms: number, bytes: number, inFlight: number): void;
}

/** The stored headers of an object that a write carries over (the same five on every provider). */
export interface ObjectHeaders {
  contentType?: string;
  cacheControl?: string;
  contentDisposition?: string;
  contentEncoding?: string;
  contentLanguage?: string;
}

/** What every write of a whole object takes, whoever sends the bytes (PutOptions, PutFromUrlOptions). */
export interface WriteOptions extends ObjectHeaders {
  size: number;
  storageClass?: string;
  userMetadata?: UserMetadata;
  signal?: AbortSignal;
}

export interface PutOptions extends WriteOptions {
  /**
   * A prefix of the key, ending in '/', naming the folder the user chose to write into. A local folder refuses the
   * write when a symlink below that folder on the way to the key leads out of it (elsewhere in the account's folder
   * included); services without symlinks have nothing to check.
   */
  within?: string;
  /**
   * Write only if nothing holds the key when the write commits (a "keep both" copy's free name): otherwise a
   * ConflictError, and what is there stays. A local disk enforces it (the temp file is hard-linked into place, which
   * never replaces); the cloud providers do not send a condition yet and write as usual.
   */
  ifAbsent?: boolean;
  /** Called with the count of source bytes consumed so far. */
  onProgress?: (bytes: number) => void;
  /**
   * Called once every byte has been read from the source and before the destination commits (the last bytes of
   * an S3 PutObject or its CompleteMultipartUpload, Azure Put Blob or Put Block List, the GCS upload or final
   * compose, the local rename). Throwing aborts the upload, so an existing object of that key stays as it was:
   * the relay checks here that the bytes read match the source's stored hash.
   */
  verifyBeforeCommit?: () => Promise<void>;
  /**
   * The MD5 (hex) of every byte of `source`, valid once the provider has read it to the end: the caller already
   * hashes the stream (the relay), so a provider that needs a whole-object MD5 (Azure's Content-MD5) takes it
   * from here instead of hashing every byte a second time. Per-part checksums are still the provider's own.
   * 'none': the caller checks the bytes by the source's own stored CRC instead; no whole-object MD5 is computed to
   * be stored (Azure then stores none on a block blob, as AzCopy without --put-md5; its blocks are still checked).
   */
  sourceMd5?: (() => string) | 'none';
  /**
   * Resumable parts (providers with prepareResume, multipart path only). `onCheckpoint` is called each time the
   * prefix of durably stored parts grows, with a small JSON state to keep; with `from` (a prepareResume answer)
   * the put continues that upload: `source` then gives only the bytes from `from.offset` on, while `size` is
   * still the whole object's. On failure or abort the upload is left on the service for a later resume: the
   * caller discards it (discardResume) when it gives up.
   */
  resume?: {
    from?: ResumePoint;
    onCheckpoint: (state: ResumeState) => void;
  };
  /** Parts of a multipart upload in flight at once: at most the provider's own concurrency, fewer while this says so. */
  parts?: PartWindow;
}

/** How many parts of an upload may be in flight now, and what each part's request took (PutOptions.parts). */
export interface PartWindow {
  limit(): number;
  /** Told as each part's request succeeds: how long it took and how many were in flight, itself included. */
  onPart?(ms: number, inFlight: number): void;
}

/** A provider's opaque, JSON-serialisable record of an unfinished parallel upload (its `kind` names the provider). */
export type ResumeState = { readonly kind: string } & Readonly<Record<string, unknown>>;

export interface ResumePoint {
  /** Bytes already stored, from the start of the object (whole parts). */
  offset: number;
  /** What put() continues from (may carry what the service answered, e.g. the parts' ETags). */
  state: ResumeState;
  /** CRC (hex) of those stored bytes, of the kind the provider's parts carry (features.resumeCrc). */
  crc?: { kind: CrcKind; hex: string };
}

export interface PutFromUrlOptions extends WriteOptions {
  /** MD5 (hex) of the source's bytes when it stores one: the destination checks what it fetched against it. */
  sourceMd5?: string;
}

export interface PutResult {
  etag?: string;
  version?: string;
  /** Checksums the provider reported for the stored object. */
  checksums: Checksums;
}

export interface ObjectRef {
  bucket: string;
  key: string;
}

export interface CopyOptions {
  signal?: AbortSignal;
  /** Replace metadata instead of copying the source's. */
  metadata?: MetadataPatch;
  /** The folder (a prefix of the destination key) the write must stay in: see PutOptions.within. */
  within?: string;
  /** Write only if nothing holds the destination key: see PutOptions.ifAbsent. */
  ifAbsent?: boolean;
}

export interface PendingUpload {
  key: string;
  /** S3 UploadId, GCS resumable session URI, or '' for Azure uncommitted blocks. */
  uploadId: string;
  initiated?: string;
}

export interface RemoveOptions {
  /** The version to remove, as stat() reported it: `etag` (S3, Azure, local) or `version` (the GCS generation). */
  ifMatch?: Pick<ObjectMetadata, 'etag' | 'version'>;
  /**
   * A prefix of the key, ending in '/' (or '' for the bucket), naming the folder the user chose to remove from: a
   * local folder refuses to remove an entry whose folder it reaches through a symlink leading out of that folder.
   */
  within?: string;
}

/** What removeMany takes for all its keys. */
export type RemoveManyOptions = Pick<RemoveOptions, 'within'>;

export interface SetMetadataOptions {
  /** The version to change, as stat() reported it: `etag` (S3) or `version` (the GCS generation). */
  ifMatch?: Pick<ObjectMetadata, 'etag' | 'version'>;
}

export interface RemoveManyResult {
  removed: number;
  failed: Array<{ key: string; message: string }>;
}

/** Multipart sizing shared by the cloud providers; tests drive the boundaries through these. */
export interface MultipartSettings {
  /** Objects of this size or larger go up in parts. */
  thresholdBytes: number;
  partSizeBytes: number;
  /** Parts in flight at once for one object. */
  concurrency: number;
}

export const DEFAULT_MULTIPART: MultipartSettings = {
  thresholdBytes: 16 * 1024 * 1024,
  partSizeBytes: 5 * 1024 * 1024,
  concurrency: 4,
};

/** The provider's abilities as the renderer sees them: its storage features and which optional calls it has. */
export function describeFeatures(provider: Provider): ProviderFeatures {
  return { ...StorageFeaturesSchema.parse(provider.features), serverSideCopy: provider.copy !== undefined, presign: provider.presign !== undefined };
}

/** The object's metadata, or undefined where there is none (the provider's NotFoundError). */
export async function statIfAny(provider: Provider, bucket: string, key: string, signal?: AbortSignal): Promise<ObjectMetadata | undefined> {
  try {
    return await provider.stat(bucket, key, signal);
  } catch (e) {
    if (e instanceof NotFoundError) return undefined;
    throw e;
  }
}
