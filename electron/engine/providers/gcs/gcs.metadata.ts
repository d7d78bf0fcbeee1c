import type { FileMetadata } from '@google-cloud/storage';
import type { Checksums, MetadataPatch, ObjectEntry, ObjectMetadata, UserMetadata } from '../../../../shared/model';
import { baseName } from '../../../../shared/location';
import { base64ToHex } from '../common/values';
import type { PutOptions, PutResult } from '../provider';

export function checksumsOf(m: FileMetadata): Checksums {
  const md5 = base64ToHex(m.md5Hash);
  const crc32c = base64ToHex(m.crc32c);
  return { ...(md5 ? { md5 } : {}), ...(crc32c ? { crc32c } : {}) };
}

/** What a write answered (an upload, a compose, a rewrite): the new object's ETag, generation and checksums. */
export function putResultOf(m: FileMetadata): PutResult {
  return {
    ...(m.etag ? { etag: m.etag } : {}),
    ...(m.generation !== undefined ? { version: String(m.generation) } : {}),
    checksums: checksumsOf(m),
  };
}

function userMetadataOf(m: FileMetadata): UserMetadata {
  const out: UserMetadata = {};
  for (const [k, v] of Object.entries(m.metadata ?? {})) if (v !== null && v !== undefined) out[k] = String(v);
  return out;
}

function sizeOf(m: FileMetadata): number {
  const n = Number(m.size ?? 0);
  return Number.isFinite(n) ? n : 0;
}

function opt<K extends string>(name: K, value: string | number | undefined | null): Partial<Record<K, string>> {
  return value === undefined || value === null || value === '' ? {} : ({ [name]: String(value) } as Record<K, string>);
}

export function toObjectMetadata(key: string, m: FileMetadata): ObjectMetadata {
  return {
    key,
    size: sizeOf(m),
    ...opt('modified', m.updated),
    ...opt('etag', m.etag),
    ...opt('version', m.generation),
    ...opt('contentType', m.contentType),
    ...opt('cacheControl', m.cacheControl),
    ...opt('contentDisposition', m.contentDisposition),
    ...opt('contentEncoding', m.contentEncoding),
    ...opt('contentLanguage', m.contentLanguage),
    ...opt('storageClass', m.storageClass),
    checksums: checksumsOf(m),
    userMetadata: userMetadataOf(m),
  };
}

export function toEntry(key: string, m: FileMetadata): ObjectEntry {
  return {
    key,
    name: baseName(key),
    isPrefix: false,
    size: sizeOf(m),
    ...opt('modified', m.updated),
    ...opt('etag', m.etag),
    ...opt('storageClass', m.storageClass),
    ...opt('contentType', m.contentType),
  };
}

export function prefixEntry(prefix: string): ObjectEntry {
  return { key: prefix, name: baseName(prefix), isPrefix: true, size: 0 };
}

const RESOURCE_FIELDS = ['contentType', 'cacheControl', 'contentDisposition', 'contentEncoding', 'contentLanguage', 'storageClass'] as const;

/** The writable part of an object resource (JSON API names); fits both the SDK's FileMetadata and CopyOptions. */
// A type alias, not an interface, so that it has the implicit index signature FileMetadata asks for.
export type ObjectResource = {
  contentType?: string;
  cacheControl?: string;
  contentDisposition?: string;
  contentEncoding?: string;
  contentLanguage?: string;
  storageClass?: string;
  metadata?: Record<string, string | null>;
};

/** The object resource a new object gets from the put options (JSON API field names). */
export function resourceFromPut(o: PutOptions): ObjectResource {
  return {
    ...opt('contentType', o.contentType),
    ...opt('cacheControl', o.cacheControl),
    ...opt('contentDisposition', o.contentDisposition),
    ...opt('contentEncoding', o.contentEncoding),
    ...opt('contentLanguage', o.contentLanguage),
    ...opt('storageClass', o.storageClass),
    ...(o.userMetadata && Object.keys(o.userMetadata).length ? { metadata: { ...o.userMetadata } } : {}),
  };
}

/**
 * A full object resource: the current one with the patch applied. Used where GCS replaces rather than merges (a
 * rewrite with a body), so that nothing the patch leaves alone is lost.
 */
export function mergedResource(current: FileMetadata, patch: MetadataPatch): ObjectResource {
  const out: ObjectResource = {};
  for (const k of RESOURCE_FIELDS) {
    const v = patch[k] !== undefined ? patch[k] : current[k];
    if (v) out[k] = v;
  }
  out.metadata = patch.userMetadata ? { ...patch.userMetadata } : { ...userMetadataOf(current) };
  return out;
}

/**
 * A PATCH body. GCS merges the `metadata` map on PATCH, so keys that the new map drops are sent as null to remove
 * them: the user's map replaces the old one, as the model promises.
 */
export function patchBody(current: FileMetadata, patch: MetadataPatch): ObjectResource {
  const body: ObjectResource = {};
  for (const k of ['contentType', 'cacheControl', 'contentDisposition', 'contentEncoding', 'contentLanguage'] as const) {
    const v = patch[k];
    if (v !== undefined) body[k] = v;
  }
  if (patch.userMetadata) {
    const metadata: Record<string, string | null> = {};
    for (const k of Object.keys(current.metadata ?? {})) metadata[k] = null;
    Object.assign(metadata, patch.userMetadata);
    body.metadata = metadata;
  }
  return body;
}
