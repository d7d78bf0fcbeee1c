import { toErrorInfo } from '../../../shared/errors';
import type { ObjectMetadata, UserMetadata } from '../../../shared/model';
import type { ObjectHeaders, Provider, PutFromUrlOptions, PutResult } from '../providers/provider';
import { classify } from './retry';

/**
 * The cloud-side pull: the destination fetches the object itself from a short-lived signed read URL
 * of the source, so no byte crosses this computer. Used only when the user allowed it (JobOptions.allowCloudPull),
 * the destination can pull (Provider.putFromUrl: Azure today) and the source can sign a read URL (S3, GCS with a
 * private key, Azure with a shared key). The URL is a credential: it is made here, handed to the destination
 * provider, and never logged, journaled, reported or put in an error.
 */
interface Side {
  provider: Provider;
  bucket: string;
  key: string;
}

export function canPull(src: Side, dst: Side): boolean {
  return src.provider.kind !== 'local' && typeof src.provider.presign === 'function' && typeof dst.provider.putFromUrl === 'function';
}

/** Assumed slowest pull rate when sizing the link's lifetime: a link outliving the pull is worse than none. */
const MIN_PULL_BYTES_PER_SECOND = 4 * 1024 * 1024;
const LINK_MARGIN_SECONDS = 15 * 60;
/** The longest S3 and GCS accept for a signed URL. */
const MAX_LINK_SECONDS = 7 * 24 * 3600;

/** Long enough for the destination to fetch `size` bytes at a slow rate, plus a margin; never more than 7 days. */
export function linkLifetimeSeconds(size: number): number {
  return Math.min(MAX_LINK_SECONDS, LINK_MARGIN_SECONDS + Math.ceil(size / MIN_PULL_BYTES_PER_SECOND));
}

/** The stored headers of an object, to be carried to its copy. */
export function objectHeaders(meta: ObjectMetadata): ObjectHeaders {
  const out: ObjectHeaders = {};
  if (meta.contentType !== undefined) out.contentType = meta.contentType;
  if (meta.cacheControl !== undefined) out.cacheControl = meta.cacheControl;
  if (meta.contentDisposition !== undefined) out.contentDisposition = meta.contentDisposition;
  if (meta.contentEncoding !== undefined) out.contentEncoding = meta.contentEncoding;
  if (meta.contentLanguage !== undefined) out.contentLanguage = meta.contentLanguage;
  return out;
}

/** Signs a read URL of the source and has the destination pull `source` (its metadata as asked) through it. */
export async function cloudPull(src: Side, dst: Side, source: ObjectMetadata, userMetadata: UserMetadata, storageClass: string | undefined, signal: AbortSignal): Promise<PutResult> {
  const presign = src.provider.presign;
  const putFromUrl = dst.provider.putFromUrl;
  if (!presign || !putFromUrl) throw new Error('cloudPull without the capability (canPull)');
  const url = await presign.call(src.provider, src.bucket, src.key, linkLifetimeSeconds(source.size));
  const options: PutFromUrlOptions = { size: source.size, signal, userMetadata, ...objectHeaders(source) };
  if (source.checksums.md5 !== undefined) options.sourceMd5 = source.checksums.md5;
  if (storageClass !== undefined) options.storageClass = storageClass;
  return putFromUrl.call(dst.provider, dst.bucket, dst.key, url, options);
}

/** The file's notice when the pull failed and the relay copied it instead (the reason, never the link). */
export function pullFallbackNotice(e: unknown): string {
  // Provider errors name objects, not URLs; anything URL-like is dropped all the same.
  const why = toErrorInfo(classify(e)).message.replace(/https?:\/\/\S+/gi, '<link>');
  return `The destination could not pull it directly (${why}); copied through this computer instead`;
}
