import type { BlobGetPropertiesResponse, BlobHTTPHeaders, BlobItem } from '@azure/storage-blob';
import { InvalidInputError } from '../../../../shared/errors';
import type { MetadataPatch, ObjectEntry, ObjectMetadata, UserMetadata } from '../../../../shared/model';
import { baseName } from '../../../../shared/location';
import { unquoteEtag } from '../common/values';
import type { ObjectHeaders } from '../provider';

export const AZURE_TIERS = ['Hot', 'Cool', 'Cold', 'Archive'] as const;
export type AzureTier = (typeof AZURE_TIERS)[number];
export const MAX_USER_METADATA_BYTES = 8192;

/** Azure metadata names travel as `x-ms-meta-<name>` headers and must be C# identifiers (ASCII here). */
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Header values: printable ASCII; leading or trailing spaces would be trimmed by HTTP, so they are refused. */
const VALUE = /^(?:[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?)?$/;

/** Refuses (never drops or rewrites) metadata Azure cannot hold, naming the bad key. */
export function validateUserMetadata(metadata: UserMetadata | undefined, where: string): void {
  if (!metadata) return;
  const seen = new Map<string, string>();
  let bytes = 0;
  for (const [name, value] of Object.entries(metadata)) {
    if (!IDENTIFIER.test(name)) {
      throw new InvalidInputError(
        `${where}: the metadata name "${name}" is not allowed on Azure (use letters, digits and underscores, not starting with a digit).`,
      );
    }
    const lower = name.toLowerCase();
    const other = seen.get(lower);
    if (other !== undefined) throw new InvalidInputError(`${where}: the metadata names "${other}" and "${name}" differ only in case, which Azure treats as one name.`);
    seen.set(lower, name);
    if (!VALUE.test(value)) {
      throw new InvalidInputError(
        `${where}: the value of metadata "${name}" holds characters Azure cannot store (non-ASCII, control characters, or leading/trailing spaces).`,
      );
    }
    bytes += Buffer.byteLength(name) + Buffer.byteLength(value);
  }
  if (bytes > MAX_USER_METADATA_BYTES) {
    throw new InvalidInputError(`${where}: user metadata is ${bytes} bytes; Azure allows at most ${MAX_USER_METADATA_BYTES}.`);
  }
}

export function normalizeTier(storageClass: string | undefined, where: string): AzureTier | undefined {
  if (storageClass === undefined || storageClass === '') return undefined;
  const tier = AZURE_TIERS.find((t) => t.toLowerCase() === storageClass.toLowerCase());
  if (!tier) throw new InvalidInputError(`${where}: "${storageClass}" is not an Azure access tier (use ${AZURE_TIERS.join(', ')}).`);
  return tier;
}

export function md5Hex(md5: Uint8Array | undefined): string | undefined {
  return md5 && md5.length > 0 ? Buffer.from(md5).toString('hex') : undefined;
}

export function entryFromBlobItem(item: BlobItem): ObjectEntry {
  const p = item.properties;
  return {
    key: item.name,
    name: baseName(item.name),
    isPrefix: false,
    size: p.contentLength ?? 0,
    modified: p.lastModified?.toISOString(),
    etag: unquoteEtag(p.etag),
    storageClass: p.accessTier,
    contentType: p.contentType,
  };
}

/** Azure's archive status while a blob leaves Archive: rehydrate-pending-to-hot / -cool / -cold. */
function pendingTier(archiveStatus: string | undefined): { pendingStorageClass?: string } {
  const to = /^rehydrate-pending-to-(\w+)$/i.exec(archiveStatus ?? '')?.[1];
  const tier = to === undefined ? undefined : AZURE_TIERS.find((t) => t.toLowerCase() === to.toLowerCase());
  return tier === undefined ? {} : { pendingStorageClass: tier };
}

export function metadataFromProperties(key: string, p: BlobGetPropertiesResponse): ObjectMetadata {
  return {
    key,
    size: p.contentLength ?? 0,
    modified: p.lastModified?.toISOString(),
    etag: unquoteEtag(p.etag),
    version: p.versionId,
    contentType: p.contentType,
    cacheControl: p.cacheControl,
    contentDisposition: p.contentDisposition,
    contentEncoding: p.contentEncoding,
    contentLanguage: p.contentLanguage,
    storageClass: p.accessTier,
    ...pendingTier(p.archiveStatus),
    checksums: md5Hex(p.contentMD5) ? { md5: md5Hex(p.contentMD5) } : {},
    userMetadata: { ...(p.metadata ?? {}) },
  };
}

/** The headers a write carries over, in the SDK's names. */
export function blobHeaders(h: ObjectHeaders): BlobHTTPHeaders {
  return {
    blobContentType: h.contentType,
    blobCacheControl: h.cacheControl,
    blobContentDisposition: h.contentDisposition,
    blobContentEncoding: h.contentEncoding,
    blobContentLanguage: h.contentLanguage,
  };
}

/**
 * A blob's current headers with a patch applied: Set Blob Properties clears every header it is not given (Content-MD5
 * too), so the ones the patch leaves alone are sent back as they are.
 */
export function patchedHeaders(p: BlobGetPropertiesResponse, patch: MetadataPatch): BlobHTTPHeaders {
  return {
    blobContentType: patch.contentType ?? p.contentType,
    blobCacheControl: patch.cacheControl ?? p.cacheControl,
    blobContentDisposition: patch.contentDisposition ?? p.contentDisposition,
    blobContentEncoding: patch.contentEncoding ?? p.contentEncoding,
    blobContentLanguage: patch.contentLanguage ?? p.contentLanguage,
    blobContentMD5: p.contentMD5,
  };
}

/** The values of `fromHead` under the names as spelled in `stored` (matched without case). */
export function restoreNameCase(fromHead: Record<string, string>, stored: Record<string, string>): Record<string, string> {
  const spelled = new Map(Object.keys(stored).map((name) => [name.toLowerCase(), name]));
  return Object.fromEntries(Object.entries(fromHead).map(([name, value]) => [spelled.get(name.toLowerCase()) ?? name, value]));
}

/** True when a patch changes any of the five headers. */
export function hasHeaders(patch: MetadataPatch): boolean {
  return [patch.contentType, patch.cacheControl, patch.contentDisposition, patch.contentEncoding, patch.contentLanguage].some((v) => v !== undefined);
}
