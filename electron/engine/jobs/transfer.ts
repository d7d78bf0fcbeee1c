import { pipeline, Readable } from 'node:stream';
import { NotFoundError, RetryableError } from '../../../shared/errors';
import type { TransferPath, OverwriteMode } from '../../../shared/contract/jobs.channels';
import type { Checksums, ObjectMetadata, UserMetadata } from '../../../shared/model';
import type { Provider, PutOptions, PutResult } from '../providers/provider';
import { mapMetadata } from './metadata-map';
import { countingStream, type AttemptCounter } from './progress';
import { checkBytesRead, sourceChanged, StreamHasher, strongestCommon, verifyCopy } from './verify';

export interface Endpoint {
  provider: Provider;
  bucket: string;
  key: string;
  accountKey: string;
}

export interface TransferOptions {
  overwrite: OverwriteMode;
  verify: boolean;
  allowCloudPull: boolean;
  preserveMetadata?: boolean;
  storageClass?: string | undefined;
  allowServerSide?: boolean;
}

export interface TransferOutcome {
  status: 'done' | 'skipped';
  path: TransferPath;
  /** What verification compared: 'md5', 'crc32c', …, 'size', or 'none' when verification was off. */
  checksum?: string;
  notice?: string;
}

/** Filled in by an attempt so that the caller can clean up after the last one fails. */
export interface AttemptState {
  destinationExisted?: boolean;
}

export function choosePath(src: Endpoint, dst: Endpoint, allowServerSide = true): { path: TransferPath; serverSide: boolean } {
  const local = src.provider.kind === 'local' && dst.provider.kind === 'local';
  const serverSide = allowServerSide && src.accountKey === dst.accountKey && src.provider.features.serverSideCopy && typeof src.provider.copy === 'function';
  // Azure Put Block From URL (cloud-pull) needs a provider capability the interface does not expose yet: relay.
  return { path: local ? 'local' : serverSide ? 'server-side' : 'relay', serverSide };
}

async function statOrUndefined(e: Endpoint, signal: AbortSignal): Promise<ObjectMetadata | undefined> {
  try {
    return await e.provider.stat(e.bucket, e.key, signal);
  } catch (err) {
    if (err instanceof NotFoundError) return undefined;
    throw err;
  }
}

async function shouldSkip(mode: OverwriteMode, src: Endpoint, srcMeta: ObjectMetadata, dst: Endpoint, dstMeta: ObjectMetadata | undefined, signal: AbortSignal): Promise<string | undefined> {
  if (!dstMeta || mode === 'always') return undefined;
  if (mode === 'never') return 'exists at the destination';
  const s = srcMeta.modified ? Date.parse(srcMeta.modified) : NaN;
  const d = dstMeta.modified ? Date.parse(dstMeta.modified) : NaN;
  const destinationNewer = Number.isFinite(s) && Number.isFinite(d) && s <= d;
  if (mode === 'ifNewer') return destinationNewer ? 'destination is as new or newer' : undefined;
  if (srcMeta.size !== dstMeta.size) return undefined;
  const a = { ...srcMeta.checksums };
  const b = { ...dstMeta.checksums };
  // A local side stores no hash but can compute one: worth a local read to avoid a needless upload or download.
  if (strongestCommon(a, b) === undefined) {
    if (b.md5 !== undefined && src.provider.hash) a.md5 = await src.provider.hash(src.bucket, src.key, 'md5', signal);
    else if (a.md5 !== undefined && dst.provider.hash) b.md5 = await dst.provider.hash(dst.bucket, dst.key, 'md5', signal);
    else if (src.provider.hash && dst.provider.hash) {
      a.md5 = await src.provider.hash(src.bucket, src.key, 'md5', signal);
      b.md5 = await dst.provider.hash(dst.bucket, dst.key, 'md5', signal);
    }
  }
  const kind = strongestCommon(a, b);
  if (kind !== undefined) return a[kind]?.toLowerCase() === b[kind]?.toLowerCase() ? `same size and ${kind}` : undefined;
  // No hash to compare: same size and a destination written after the source last changed (rclone's size+time).
  return destinationNewer ? 'same size, destination newer' : undefined;
}

/**
 * Metadata the destination can hold, mapped as the migration planner reports it (metadata-map.ts, which the planner imports from here:
 * Azure names become identifiers, entries over a size limit are dropped largest first); every change is reported
 * per object, never silent.
 */
function portableMetadata(meta: UserMetadata, dst: Provider): { metadata: UserMetadata; notice?: string } {
  const m = mapMetadata(meta, dst.features, dst.kind !== 'local');
  const parts: string[] = [];
  if (m.renamed.length) parts.push(`Metadata renamed for the destination: ${m.renamed.map((r) => `${r.from} -> ${r.to}`).join(', ')}`);
  if (m.dropped.length) parts.push(`Metadata not copied (${m.reason ?? 'not accepted by the destination'}): ${m.dropped.join(', ')}`);
  return parts.length ? { metadata: m.metadata, notice: parts.join('. ') } : { metadata: m.metadata };
}

/**
 * One attempt at one file: the overwrite rule, the cheapest path that works, bytes counted as they pass, then
 * verification and a check that the source did not change under us. Throws on any failure; the caller retries.
 */
export async function transferFile(
  src: Endpoint,
  dst: Endpoint,
  options: TransferOptions,
  counter: AttemptCounter,
  signal: AbortSignal,
  state: AttemptState,
): Promise<TransferOutcome> {
  const before = await src.provider.stat(src.bucket, src.key, signal);
  const existing = options.overwrite === 'always' && state.destinationExisted !== undefined ? undefined : await statOrUndefined(dst, signal);
  state.destinationExisted ??= existing !== undefined;
  const { path, serverSide } = choosePath(src, dst, options.allowServerSide ?? true);
  const skip = await shouldSkip(options.overwrite, src, before, dst, existing, signal);
  if (skip !== undefined) {
    counter.complete(before.size);
    return { status: 'skipped', path, notice: `Skipped: ${skip}` };
  }

  if (dst.key.endsWith('/')) {
    // A folder marker: no bytes, nothing to hash; the destination only has to hold the empty "folder".
    await dst.provider.put(dst.bucket, dst.key, Readable.from([]), { size: 0, signal });
    counter.complete(0);
    return { status: 'done', path, checksum: 'size' };
  }

  let put: PutResult;
  let relay: Checksums | undefined;
  let notice: string | undefined;
  if (serverSide && src.provider.copy) {
    put = await src.provider.copy({ bucket: src.bucket, key: src.key }, { bucket: dst.bucket, key: dst.key }, { signal });
  } else {
    const { metadata, notice: metaNotice } = options.preserveMetadata === false ? { metadata: {}, notice: undefined } : portableMetadata(before.userMetadata, dst.provider);
    notice = metaNotice;
    const hasher = new StreamHasher(StreamHasher.extraFor(before.checksums));
    const source = await src.provider.open(src.bucket, src.key, { signal });
    // pipeline() destroys every stage when one fails, so a source that dies mid-way fails the put, which aborts
    // its multipart upload. Memory stays at a few stream buffers plus the provider's bounded parts.
    const body: Readable = pipeline(source, countingStream((n) => counter.add(n)), hasher.stream(), () => undefined);
    const putOptions: PutOptions = { size: before.size, signal, userMetadata: metadata };
    // Checked before the destination commits, not only after: a corrupted read must never replace a good object.
    if (options.verify) putOptions.verifyBeforeCommit = async () => checkBytesRead(before.checksums, hasher.sums());
    if (options.storageClass !== undefined) putOptions.storageClass = options.storageClass;
    if (before.contentType !== undefined) putOptions.contentType = before.contentType;
    if (before.cacheControl !== undefined) putOptions.cacheControl = before.cacheControl;
    if (before.contentDisposition !== undefined) putOptions.contentDisposition = before.contentDisposition;
    if (before.contentEncoding !== undefined) putOptions.contentEncoding = before.contentEncoding;
    if (before.contentLanguage !== undefined) putOptions.contentLanguage = before.contentLanguage;
    try {
      put = await dst.provider.put(dst.bucket, dst.key, body, putOptions);
    } finally {
      // A put that failed before reading everything must not leave the source's socket open.
      if (!source.destroyed) source.destroy();
    }
    relay = hasher.sums();
  }

  const after = await src.provider.stat(src.bucket, src.key, signal);
  if (sourceChanged(before, after)) {
    throw new RetryableError(`${src.key} changed at the source during the copy (new ETag or version); copying it again`);
  }
  const checksum = options.verify
    ? await verifyCopy({ signal, source: before, ...(relay === undefined ? {} : { relay }), dst: { provider: dst.provider, bucket: dst.bucket, key: dst.key }, src: { provider: src.provider, bucket: src.bucket, key: src.key }, put })
    : 'none';
  counter.complete(before.size);
  return notice === undefined ? { status: 'done', path, checksum } : { status: 'done', path, checksum, notice };
}
