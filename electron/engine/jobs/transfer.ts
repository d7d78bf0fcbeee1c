import { pipeline, Readable } from 'node:stream';
import { ChecksumMismatchError, ConflictError, RetryableError } from '../../../shared/errors';
import { formatSize } from '../../../shared/format';
import type { TransferPath, OverwriteMode } from '../../../shared/contract/jobs.channels';
import type { Checksums, ObjectMetadata, UserMetadata } from '../../../shared/model';
import { crcCombineHex } from '../providers/crc32c';
import { createLogger } from '../log';
import { statIfAny, type Provider, type PutOptions, type PutResult, type ResumePoint } from '../providers/provider';
import { canPull, cloudPull, objectHeaders, pullFallbackNotice } from './cloud-pull';
import type { ResumeRecord } from './types';
import { mapMetadata } from './metadata-map';
import { countingStream, type AttemptCounter } from './progress';
import { DEFAULT_STALL_MS, watchStall } from './stall';
import { verifyFromPut } from './put-answer';
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
  /** A read that sends nothing for this long while the relay waits for bytes fails the attempt (DEFAULT_STALL_MS). */
  stallMs?: number;
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
  /** From the job's one listing of the destination: what was there (null: nothing). Saves a HEAD per file. */
  listedDestination?: ObjectMetadata | null;
  /** Size and ETag from the source listing: a first attempt reads conditionally on that ETag instead of HEADs. */
  listedSource?: { size: number; etag?: string };
  /** Set by the first attempt: a retry asks both sides again with their own requests, trusting no listing. */
  attempted?: boolean;
  /** Why the destination could not pull this file (cloud-pull): this and later attempts use the relay and say so. */
  pullFailed?: string;
  /**
   * An unfinished upload of this file (from the journal, or left by a failed attempt) that the relay continues
   * when the source is still the same object and the destination still holds the recorded parts.
   */
  resume?: ResumeRecord;
  /**
   * Unfinished uploads of this file that were dropped because they could not be continued. They are dropped once
   * more after the new upload is stored: a request of the run that made them (a process killed mid-request) can
   * still reach the service after the first drop, and would leave a part (GCS temp object, S3 upload) behind.
   */
  superseded?: ResumeRecord[];
  /** Told each time the destination checkpoints the upload (the caller journals it). */
  onCheckpoint?: (record: ResumeRecord) => void;
}

const log = createLogger('jobs');

export function choosePath(src: Endpoint, dst: Endpoint, allowServerSide = true, allowCloudPull = false): { path: TransferPath; serverSide: boolean } {
  const local = src.provider.kind === 'local' && dst.provider.kind === 'local';
  const serverSide = allowServerSide && src.accountKey === dst.accountKey && typeof src.provider.copy === 'function';
  // Next cheapest: the destination fetches from a signed read URL of the source (cloud-pull.ts), when allowed.
  const pull = !local && !serverSide && allowCloudPull && canPull(src, dst);
  return { path: local ? 'local' : serverSide ? 'server-side' : pull ? 'cloud-pull' : 'relay', serverSide };
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
  const first = state.attempted !== true;
  state.attempted = true;
  const chosen = choosePath(src, dst, options.allowServerSide ?? true, options.allowCloudPull && state.pullFailed === undefined);
  const { serverSide } = chosen;
  let path = chosen.path;
  // The destination as listed when the job started, unless the overwrite rule needs its stored hash.
  const listed = first ? state.listedDestination : undefined;
  const known = listed !== undefined && (listed === null || options.overwrite !== 'ifDifferent');
  const existing = known ? (listed ?? undefined) : options.overwrite === 'always' && state.destinationExisted !== undefined ? undefined : await statIfAny(dst.provider, dst.bucket, dst.key, signal);
  state.destinationExisted ??= existing !== undefined;
  // A relay of an "always" copy needs nothing of the source before reading it: the GET's own answer (read only
  // if the ETag is still the listed one) gives the headers, the hashes to check the bytes against, and pins
  // the version read, which replaces both the HEAD before and the HEAD after. Any other case asks the source.
  const listedEtag = state.listedSource?.etag;
  // A resume compares the source with the one recorded before reading, so it asks the source first.
  const conditional =
    first && !serverSide && path !== 'cloud-pull' && options.overwrite === 'always' && listedEtag !== undefined && !dst.key.endsWith('/') && src.provider.features.conditionalRead && state.resume === undefined;
  const asked = conditional ? undefined : await src.provider.stat(src.bucket, src.key, signal);
  if (asked) {
    const skip = await shouldSkip(options.overwrite, src, asked, dst, existing, signal);
    if (skip !== undefined) {
      counter.complete(asked.size);
      return { status: 'skipped', path, notice: `Skipped: ${skip}` };
    }
  }

  if (dst.key.endsWith('/')) {
    // A folder marker: no bytes, nothing to hash; the destination only has to hold the empty "folder".
    await dst.provider.put(dst.bucket, dst.key, Readable.from([]), { size: 0, signal });
    counter.complete(0);
    return { status: 'done', path, checksum: 'size' };
  }

  // An empty object costs nothing to relay and is no use to sign a link for.
  if (path === 'cloud-pull' && asked?.size === 0) path = 'relay';
  let put: PutResult;
  let relay: Checksums | undefined;
  let notice: string | undefined;
  let before: ObjectMetadata;
  let resumedFrom: number | undefined;
  let readCheck: string | undefined;
  if (asked === undefined) {
    ({ before, put, relay, notice, resumedFrom, readCheck } = await relayCopy(src, dst, options, counter, signal, undefined, listedEtag, state));
  } else if (serverSide && src.provider.copy) {
    before = asked;
    put = await src.provider.copy({ bucket: src.bucket, key: src.key }, { bucket: dst.bucket, key: dst.key }, { signal });
  } else if (path === 'cloud-pull') {
    before = asked;
    const pulled = await pullOrRelay(src, dst, options, counter, signal, asked, state);
    ({ put, relay, notice, path, resumedFrom, readCheck } = pulled);
  } else {
    before = asked;
    ({ put, relay, notice, resumedFrom, readCheck } = await relayCopy(src, dst, options, counter, signal, asked, undefined, state));
  }

  if (asked !== undefined) {
    const after = await src.provider.stat(src.bucket, src.key, signal);
    if (sourceChanged(before, after)) {
      throw new RetryableError(`${src.key} changed at the source during the copy (new ETag or version); copying it again`);
    }
  }
  // The bytes read against the source's stored hash (also checked before the commit; no request either way).
  if (options.verify && relay !== undefined) checkBytesRead(before.checksums, relay);
  const fromPut = options.verify && relay !== undefined ? verifyFromPut(dst.provider, put, relay, before.checksums, dst.key) : undefined;
  let checksum = !options.verify
    ? 'none'
    : (fromPut ??
      (await verifyCopy({ signal, source: before, ...(relay === undefined ? {} : { relay }), ...(readCheck === undefined ? {} : { readCheck }), dst: { provider: dst.provider, bucket: dst.bucket, key: dst.key }, src: { provider: src.provider, bucket: src.bucket, key: src.key }, put })));
  if (resumedFrom !== undefined) {
    // A resumed upload's relay hashes cover the whole object only as a CRC (CRC32 on S3 and Azure, CRC32C on GCS)
    // combined from the parts stored before the restart and the bytes read now: said so in the report.
    if (checksum === 'crc32c-relay' || checksum === 'crc32-relay') checksum = checksum.replace('-relay', '-parts');
    const resumed = `Resumed an unfinished upload: ${formatSize(resumedFrom)} were already stored`;
    notice = notice === undefined ? resumed : `${resumed}. ${notice}`;
  }
  counter.complete(before.size);
  // A file the destination could not pull says so, whichever attempt relayed it in the end.
  if (path === 'relay' && state.pullFailed !== undefined) notice = notice === undefined ? state.pullFailed : `${state.pullFailed}. ${notice}`;
  return notice === undefined ? { status: 'done', path, checksum } : { status: 'done', path, checksum, notice };
}

/**
 * The cloud-side pull (cloud-pull.ts); when the destination cannot pull (refused link, unreachable source, not
 * implemented), the relay copies the file in the same attempt and the file's notice says why.
 */
async function pullOrRelay(
  src: Endpoint,
  dst: Endpoint,
  options: TransferOptions,
  counter: AttemptCounter,
  signal: AbortSignal,
  asked: ObjectMetadata,
  state: AttemptState,
): Promise<{ put: PutResult; relay?: Checksums; notice?: string; path: TransferPath; resumedFrom?: number; readCheck?: string }> {
  const { metadata, notice } = options.preserveMetadata === false ? { metadata: {}, notice: undefined } : portableMetadata(asked.userMetadata, dst.provider);
  try {
    const put = await cloudPull(src, dst, asked, metadata, options.storageClass, signal);
    return notice === undefined ? { put, path: 'cloud-pull' } : { put, notice, path: 'cloud-pull' };
  } catch (e) {
    if (signal.aborted) throw e;
    state.pullFailed = pullFallbackNotice(e);
    const r = await relayCopy(src, dst, options, counter, signal, asked, undefined, state);
    return { ...r, path: 'relay' };
  }
}

/**
 * The streamed relay: read, count, hash, put. With `before` the source was asked first (a HEAD); without it the
 * read is conditional on the listed ETag and the GET's own answer stands for the source's metadata, so the bytes
 * read are checked against the hash of exactly the version that was read.
 */
async function relayCopy(
  src: Endpoint,
  dst: Endpoint,
  options: TransferOptions,
  counter: AttemptCounter,
  signal: AbortSignal,
  asked: ObjectMetadata | undefined,
  ifMatch: string | undefined,
  state: AttemptState,
): Promise<{ before: ObjectMetadata; put: PutResult; relay: Checksums; notice?: string; resumedFrom?: number; readCheck?: string }> {
  let answered: ObjectMetadata | undefined;
  let source: Readable;
  const point = asked ? await resumePoint(dst, asked, state, signal) : undefined;
  const offset = point?.offset ?? 0;
  try {
    // The read's own answer is asked for in every case: it says whether the stream itself checks the bytes
    // against the source's stored composite checksum (S3 multipart objects).
    const onMetadata = (m: ObjectMetadata): void => {
      answered = m;
    };
    source = await src.provider.open(src.bucket, src.key, asked ? { signal, ...(offset > 0 ? { offset } : { onMetadata }) } : { signal, ...(ifMatch === undefined ? {} : { ifMatch }), onMetadata });
  } catch (e) {
    // The ETag is no longer the listed one (412): the next attempt asks the source what it holds now.
    if (e instanceof ConflictError && ifMatch !== undefined) throw new RetryableError(`${src.key} changed at the source since it was listed; copying it again`, { cause: e });
    throw e;
  }
  try {
    const before = asked ?? answered;
    if (!before) throw new RetryableError(`${src.key}: the source gave no metadata with its read; asking it again`);
    const { metadata, notice } = options.preserveMetadata === false ? { metadata: {}, notice: undefined } : portableMetadata(before.userMetadata, dst.provider);
    const resumable = dst.provider.prepareResume !== undefined;
    // The relay hashes what it needs: the source's own kind (the bytes read are checked against it), the kind a
    // resumed upload's parts carry or the destination's put answers with (verification), and an MD5 only where
    // something uses it: the source stores one, or nothing else checks the bytes end to end (then it is the
    // destination's Content-MD5 and what verification compares).
    const composite = answered?.compositeChecksum;
    const extra = StreamHasher.extraFor(before.checksums);
    const crcKind = point ? (dst.provider.features.resumeCrc ?? 'crc32c') : dst.provider.features.putChecksum;
    const readChecked = extra !== undefined || composite !== undefined;
    const md5 = before.checksums.md5 !== undefined || (!readChecked && (dst.provider.features.putChecksum === undefined || dst.provider.features.putChecksum !== crcKind));
    const hasher = new StreamHasher(extra, crcKind, md5);
    // What checked the bytes read, for the report when the destination keeps no hash in common with the source.
    const readCheck = composite !== undefined ? `${composite.kind}-composite` : extra === undefined ? undefined : `${extra}-source`;
    // What the relay knows of the whole object's bytes: for a resumed upload only a CRC (the kind the parts carry),
    // the stored prefix's (from the service) combined with the tail's; never a hash of the tail alone standing for
    // the object.
    const sums = (): Checksums => {
      if (!point) return hasher.sums();
      const kind = point.crc?.kind;
      const tail = kind === undefined ? undefined : hasher.sums()[kind];
      return point.crc !== undefined && kind !== undefined && tail !== undefined ? { [kind]: crcCombineHex(kind, point.crc.hex, tail, before.size - offset) } : {};
    };
    if (offset > 0) counter.add(offset);
    // pipeline() destroys every stage when one fails, so a source that dies mid-way (or stalls) fails the put,
    // which aborts its multipart upload. Memory stays at a few stream buffers plus the provider's bounded parts.
    const watched = watchStall(source, options.stallMs ?? DEFAULT_STALL_MS, `${src.provider.kind === 'local' ? 'the file' : 'the source'} ${src.key}`);
    const body: Readable = pipeline(watched, countingStream((n) => counter.add(n)), hasher.stream(), () => undefined);
    const putOptions: PutOptions = { size: before.size, signal, userMetadata: metadata, ...objectHeaders(before) };
    // Checked before the destination commits, not only after: a corrupted read must never replace a good object.
    if (options.verify) putOptions.verifyBeforeCommit = async () => checkBytesRead(before.checksums, sums());
    // One MD5 per byte: the relay's hasher sits before the put in the pipeline, so it has seen every byte the
    // provider read by the time the provider asks. A resumed upload has no whole-object MD5 to give.
    if (!point && md5) putOptions.sourceMd5 = () => hasher.sums().md5 ?? '';
    // Checked by the source's own stored CRC (or composite) instead: no whole-object MD5 is made to be stored.
    if (!point && !md5 && readChecked) putOptions.sourceMd5 = 'none';
    if (resumable) {
      const source = { size: before.size, ...(before.etag === undefined ? {} : { etag: before.etag }), ...(before.version === undefined ? {} : { version: before.version }), ...(before.modified === undefined ? {} : { modified: before.modified }) };
      putOptions.resume = {
        ...(point ? { from: point } : {}),
        onCheckpoint: (s) => {
          state.resume = { source, state: s };
          state.onCheckpoint?.(state.resume);
        },
      };
    }
    if (options.storageClass !== undefined) putOptions.storageClass = options.storageClass;
    let put: PutResult;
    try {
      put = await dst.provider.put(dst.bucket, dst.key, body, putOptions);
    } catch (e) {
      // Parts read wrongly must not be built upon: the next attempt starts over.
      if (e instanceof ChecksumMismatchError) await discardResume(dst, state);
      throw e;
    }
    state.resume = undefined;
    for (let old = state.superseded?.shift(); old; old = state.superseded?.shift()) await discardResume(dst, { resume: old });
    const out = { before, put, relay: sums(), ...(point ? { resumedFrom: offset } : {}), ...(readCheck === undefined ? {} : { readCheck }) };
    return notice === undefined ? out : { ...out, notice };
  } finally {
    // A put that failed before reading everything must not leave the source's socket open.
    if (!source.destroyed) source.destroy();
  }
}

/** Same object as when its upload started: size, then version, ETag or modification time, whichever both know. */
function sameSource(recorded: ResumeRecord['source'], now: ObjectMetadata): boolean {
  const was: ObjectMetadata = { key: '', checksums: {}, userMetadata: {}, ...recorded };
  return !sourceChanged(was, now) && (recorded.etag !== undefined || recorded.version !== undefined || recorded.modified !== undefined);
}

/**
 * Where an unfinished upload of this file can continue from, if anywhere: the source must be the object it was
 * started from (else the old upload is aborted) and the destination must still hold the recorded parts (the
 * provider checks, and aborts what it cannot use). Undefined means a fresh upload.
 */
async function resumePoint(dst: Endpoint, asked: ObjectMetadata, state: AttemptState, signal: AbortSignal): Promise<ResumePoint | undefined> {
  const prev = state.resume;
  if (!prev || !dst.provider.prepareResume || prev.state.kind !== dst.provider.kind) return undefined;
  if (!sameSource(prev.source, asked)) {
    log.info(`${dst.key}: the source changed since its upload started; starting over`);
    (state.superseded ??= []).push(prev);
    await discardResume(dst, state);
    return undefined;
  }
  const point = await dst.provider.prepareResume(dst.bucket, dst.key, prev.state, asked.size, signal);
  if (!point) {
    // The provider dropped what it could not use.
    (state.superseded ??= []).push(prev);
    state.resume = undefined;
  }
  return point;
}

/**
 * Aborts the unfinished upload the state names (best effort) and forgets it. Answers the provider's sentence for
 * the file's report when some of it had to stay on the service.
 */
export async function discardResume(dst: Endpoint, state: AttemptState): Promise<string | undefined> {
  const prev = state.resume;
  state.resume = undefined;
  if (!prev || !dst.provider.discardResume || prev.state.kind !== dst.provider.kind) return undefined;
  try {
    return (await dst.provider.discardResume(dst.bucket, dst.key, prev.state)) ?? undefined;
  } catch (e) {
    log.info(`could not abort the unfinished upload of ${dst.key}: ${e instanceof Error ? e.message : String(e)}`);
    return undefined;
  }
}
