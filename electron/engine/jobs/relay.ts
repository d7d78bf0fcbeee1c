import { pipeline, type Readable } from 'node:stream';
import { ChecksumMismatchError, ConflictError, RetryableError } from '../../../shared/errors';
import type { VerifiedBy } from '../../../shared/contract/jobs.channels';
import type { Checksums, ObjectMetadata } from '../../../shared/model';
import { crcCombineHex } from '../providers/crc32c';
import { createLogger } from '../log';
import type { ParallelRead, PartWindow, PutOptions, PutResult, ResumePoint } from '../providers/provider';
import { AdaptiveLimit } from './adaptive-limit';
import type { AttemptMemory, RangedRead } from './admission';
import { objectHeaders } from './cloud-pull';
import { countingStream, type AttemptCounter } from './progress';
import { DEFAULT_STALL_MS, watchStall } from './stall';
import { portableMetadata, type Copied, type Endpoint, type TransferOptions } from './transfer';
import type { ResumeRecord } from './types';
import { checkBytesRead, sourceChanged, StreamHasher } from './verify';

const log = createLogger('jobs');

/**
 * The unfinished upload of one file's destination: the one a relay can continue (from the journal, or left by a
 * failed attempt) and those given up because they could not be continued. The given-up ones are dropped once more
 * after the new upload is stored: a request of the run that made them (a process killed mid-request) can still
 * reach the service after the first drop, and would leave a part (GCS temp object, S3 upload) behind.
 */
export class ResumableUpload {
  private readonly superseded: ResumeRecord[] = [];

  constructor(
    private readonly dst: Endpoint,
    /** The upload a relay continues when the source is still the same object and the destination holds its parts. */
    public current: ResumeRecord | undefined,
    /** Told each time the destination checkpoints the upload (the caller journals it). */
    private readonly onCheckpoint?: (record: ResumeRecord) => void,
  ) {}

  /** Whether the destination can take an upload that a later attempt or run continues. */
  get supported(): boolean {
    return this.dst.provider.prepareResume !== undefined;
  }

  /**
   * Where the unfinished upload can continue from, if anywhere: the source must be the object it was started
   * from (else the old upload is aborted) and the destination must still hold the recorded parts (the provider
   * checks, and aborts what it cannot use). Undefined means a fresh upload.
   */
  async point(asked: ObjectMetadata, signal: AbortSignal): Promise<ResumePoint | undefined> {
    const prev = this.current;
    const { provider, bucket, key } = this.dst;
    if (!prev || !provider.prepareResume || prev.state.kind !== provider.kind) return undefined;
    if (!sameSource(prev.source, asked)) {
      log.info(`${key}: the source changed since its upload started; starting over`);
      this.superseded.push(prev);
      await this.discard();
      return undefined;
    }
    const point = await provider.prepareResume(bucket, key, prev.state, asked.size, signal);
    if (!point) {
      // The provider dropped what it could not use.
      this.superseded.push(prev);
      this.current = undefined;
    }
    return point;
  }

  checkpoint(record: ResumeRecord): void {
    this.current = record;
    this.onCheckpoint?.(record);
  }

  /** The upload was stored: nothing is left to continue, and the given-up ones are dropped once more. */
  async stored(): Promise<void> {
    this.current = undefined;
    for (let old = this.superseded.shift(); old; old = this.superseded.shift()) await discardUpload(this.dst, old);
  }

  /**
   * Aborts the unfinished upload (best effort) and forgets it. Answers the provider's sentence for the file's
   * report when some of it had to stay on the service.
   */
  async discard(): Promise<string | undefined> {
    const prev = this.current;
    this.current = undefined;
    return prev ? discardUpload(this.dst, prev) : undefined;
  }
}

async function discardUpload(dst: Endpoint, upload: ResumeRecord): Promise<string | undefined> {
  if (!dst.provider.discardResume || upload.state.kind !== dst.provider.kind) return undefined;
  try {
    return (await dst.provider.discardResume(dst.bucket, dst.key, upload.state)) ?? undefined;
  } catch (e) {
    log.info(`could not abort the unfinished upload of ${dst.key}: ${e instanceof Error ? e.message : String(e)}`);
    return undefined;
  }
}

/** Same object as when its upload started: size, then version, ETag or modification time, whichever both know. */
function sameSource(recorded: ResumeRecord['source'], now: ObjectMetadata): boolean {
  const was: ObjectMetadata = { key: '', checksums: {}, userMetadata: {}, ...recorded };
  return !sourceChanged(was, now) && (recorded.etag !== undefined || recorded.version !== undefined || recorded.modified !== undefined);
}

export interface RelayRequest {
  src: Endpoint;
  dst: Endpoint;
  options: TransferOptions;
  counter: AttemptCounter;
  signal: AbortSignal;
  upload: ResumableUpload;
  /**
   * The source's metadata, asked before the read (a HEAD). Absent: the read is conditional on `ifMatch` (the
   * listed ETag) and the GET's own answer stands for the source's metadata, so the bytes read are checked against
   * the hash of exactly the version that was read.
   */
  asked?: ObjectMetadata;
  ifMatch?: string;
  /** Read the source in parallel ranges (a whole read only; a resumed one reads its tail as one stream). */
  rangedRead?: RangedRead;
  /** The most parts of a multipart upload in flight; an adaptive limit below it follows how they fare. */
  uploadParts?: number;
  /**
   * The bytes the file's admission holds (a large file): they decide this attempt's ranged read and parts in
   * flight instead of `rangedRead` and `uploadParts`, and are given back as the read ends and parts are stored.
   */
  memory?: AttemptMemory;
}

/** Upload parts in flight: starts at the most the memory reserved allows, fewer while parts slow down or are throttled. */
function partWindow(most: number, onStored?: () => void): PartWindow {
  const limit = new AdaptiveLimit({ initial: most, min: 1, max: most });
  return {
    limit: () => limit.limit,
    onPart: (ms, inFlight) => {
      limit.sample(ms, inFlight);
      onStored?.();
    },
  };
}

/**
 * Gives a file's bytes back as its upload drains: once every byte has been read (the body ended), the attempt holds
 * at most its parts not stored yet (each part's buffer is back before the part counts as stored), and one fewer
 * with each part stored after. Counted for a fresh upload of `size` in the reservation's part size.
 */
function drain(memory: AttemptMemory, size: number): { stored: () => void; ended: () => void } {
  const parts = Math.ceil(size / Math.max(1, memory.partBytes));
  let stored = 0;
  let ended = false;
  const tell = (): void => {
    if (ended) memory.holdAtMost(Math.max(0, parts - stored) * memory.partBytes);
  };
  return {
    stored: () => {
      stored++;
      tell();
    },
    ended: () => {
      ended = true;
      tell();
    },
  };
}

/**
 * A parallel read whose parts in flight adapt to what each part's request takes (adaptive-limit.ts). It starts at
 * the most its reservation allows, as the upload's parts do: a link that caps each connection gains from every
 * range in flight from the first part on, and one that queues shows it in the first parts' latency.
 */
function parallelRead(r: RangedRead): ParallelRead {
  const limit = new AdaptiveLimit({ initial: r.maxParts, min: 1, max: r.maxParts });
  return {
    partBytes: r.partBytes,
    limit: () => limit.limit,
    // Per part's size, so that the last, shorter part is comparable with the others.
    onRange: (ms, bytes, inFlight) => limit.sample((ms * r.partBytes) / Math.max(1, bytes), inFlight),
  };
}

/** The streamed relay through this computer: read, count, hash, put. */
export async function relay(r: RelayRequest): Promise<Copied> {
  const { src, dst, options, counter, signal, upload, asked, ifMatch, memory } = r;
  let answered: ObjectMetadata | undefined;
  let source: Readable;
  const point = asked ? await upload.point(asked, signal) : undefined;
  const offset = point?.offset ?? 0;
  // A resumed read reads its tail as one stream.
  const fits = memory?.forAttempt(r.rangedRead !== undefined && offset === 0);
  const rangedRead = fits ? fits.rangedRead : r.rangedRead;
  const uploadParts = fits ? fits.uploadParts : r.uploadParts;
  let pinned: string | undefined;
  try {
    // The read's own answer is asked for in every case: it says whether the stream itself checks the bytes
    // against the source's stored composite checksum (S3 multipart objects).
    const onMetadata = (m: ObjectMetadata): void => {
      answered = m;
    };
    const parallel = rangedRead === undefined || offset > 0 ? {} : { parallel: parallelRead(rangedRead) };
    // A whole read after a HEAD is pinned to the ETag the HEAD saw, where the source can: a source replaced in
    // between is copied again, not read as the size and hashes the HEAD announced.
    pinned = asked ? (offset === 0 && asked.etag !== undefined && src.provider.features.conditionalRead ? asked.etag : undefined) : ifMatch;
    const pin = pinned === undefined ? {} : { ifMatch: pinned };
    source = await src.provider.open(src.bucket, src.key, asked ? { signal, ...(offset > 0 ? { offset } : { onMetadata, ...pin, ...parallel }) } : { signal, ...pin, onMetadata, ...parallel });
  } catch (e) {
    // The ETag is no longer the one listed or asked (412): the next attempt asks the source what it holds now.
    if (e instanceof ConflictError && pinned !== undefined) throw new RetryableError(`${src.key} changed at the source during the copy; copying it again`, { cause: e });
    throw e;
  }
  try {
    const before = asked ?? answered;
    if (!before) throw new RetryableError(`${src.key}: the source gave no metadata with its read; asking it again`);
    const { metadata, notices } = portableMetadata(before.userMetadata, dst.provider, options.preserveMetadata !== false);
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
    const readCheck: VerifiedBy | undefined = composite !== undefined ? `${composite.kind}-composite` : extra === undefined ? undefined : `${extra}-source`;
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
    // The bandwidth limits hold the bytes before they are counted, so progress shows the limited speed.
    const limited = options.throttle ? pipeline(watched, options.throttle(src.provider.kind, dst.provider.kind), () => undefined) : watched;
    const relaying = options.relaying;
    const body: Readable = pipeline(
      limited,
      countingStream((n) => {
        counter.add(n);
        relaying?.();
      }),
      hasher.stream(),
      () => undefined,
    );
    const putOptions: PutOptions = { size: before.size, signal, userMetadata: metadata, ...objectHeaders(before) };
    // Checked before the destination commits, not only after: a corrupted read must never replace a good object.
    if (options.verify) putOptions.verifyBeforeCommit = async () => checkBytesRead(before.checksums, sums());
    // One MD5 per byte: the relay's hasher sits before the put in the pipeline, so it has seen every byte the
    // provider read by the time the provider asks. A resumed upload has no whole-object MD5 to give.
    if (!point && md5) putOptions.sourceMd5 = () => hasher.sums().md5 ?? '';
    // Checked by the source's own stored CRC (or composite) instead: no whole-object MD5 is made to be stored.
    if (!point && !md5 && readChecked) putOptions.sourceMd5 = 'none';
    if (upload.supported) {
      const source = { size: before.size, ...(before.etag === undefined ? {} : { etag: before.etag }), ...(before.version === undefined ? {} : { version: before.version }), ...(before.modified === undefined ? {} : { modified: before.modified }) };
      putOptions.resume = { ...(point ? { from: point } : {}), onCheckpoint: (state) => upload.checkpoint({ source, state }) };
    }
    const drained = memory !== undefined && offset === 0 ? drain(memory, before.size) : undefined;
    if (drained) body.once('end', drained.ended);
    if (uploadParts !== undefined) putOptions.parts = partWindow(uploadParts, drained?.stored);
    if (options.storageClass !== undefined) putOptions.storageClass = options.storageClass;
    if (dst.within !== undefined) putOptions.within = dst.within;
    if (dst.ifAbsent === true) putOptions.ifAbsent = true;
    let put: PutResult;
    try {
      put = await dst.provider.put(dst.bucket, dst.key, body, putOptions);
    } catch (e) {
      // Parts read wrongly must not be built upon: the next attempt starts over.
      if (e instanceof ChecksumMismatchError) await upload.discard();
      throw e;
    }
    await upload.stored();
    return { source: before, put, relay: sums(), notices, ...(point ? { resumedFrom: offset } : {}), ...(readCheck === undefined ? {} : { readCheck }) };
  } finally {
    // A put that failed before reading everything must not leave the source's socket open.
    if (!source.destroyed) source.destroy();
  }
}
