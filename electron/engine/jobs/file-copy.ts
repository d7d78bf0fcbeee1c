import { Readable } from 'node:stream';
import { ConflictError, RetryableError } from '../../../shared/errors';
import type { OverwriteMode, VerifiedBy } from '../../../shared/contract/jobs.channels';
import { formatSize } from '../../../shared/format';
import { baseName } from '../../../shared/location';
import type { ObjectMetadata } from '../../../shared/model';
import { statIfAny } from '../providers/provider';
import { cloudPull, pullFallbackNotice } from './cloud-pull';
import type { AttemptCounter } from './progress';
import { verifyFromPut } from './put-answer';
import { relay, ResumableUpload } from './relay';
import { CantCopyError, choosePath, keepBothName, portableMetadata, shouldSkip, type Copied, type Endpoint, type TransferOptions, type TransferOutcome } from './transfer';
import type { AttemptMemory, RangedRead } from './admission';
import type { ResumeRecord } from './types';
import { checkBytesRead, sourceChanged, verifyCopy } from './verify';

/** Names taken by "keep both" copies still being written in this process (account, bucket, key). */
const claimed = new Set<string>();
/** A "keep both" copy tries at most this many numbered names. */
const MAX_KEEP_BOTH = 10_000;

/** The ways the bytes of one file can go, cheapest first. */
type Way = 'server-side' | 'cloud-pull' | 'relay';

export interface FileCopyInit {
  /** Size and ETag from the source listing: a first attempt reads conditionally on that ETag instead of a HEAD. */
  listedSource: { size: number; etag?: string };
  /** From the job's one listing of the destination: what was there (null: nothing). Saves a HEAD per file. */
  listedDestination?: ObjectMetadata | null;
  /**
   * The same listing for another key of the destination's bucket (a "keep both" name): null when it was not
   * there, undefined when the listing does not cover that key (then the destination is asked).
   */
  listedAt?: (key: string) => ObjectMetadata | null | undefined;
  /** An unfinished upload of this file to continue (from the journal). */
  resume?: ResumeRecord;
  /** Told each time the destination checkpoints the upload (the caller journals it). */
  onCheckpoint?: (record: ResumeRecord) => void;
  /** Keys other files of the job are to write in the destination's bucket: a "keep both" name avoids them. */
  reserved?: (key: string) => boolean;
  /** The relay reads the source in parallel ranges of this size, up to this many at once (Admission.rangedRead). */
  rangedRead?: RangedRead;
  /** The most parts of the upload in flight (Admission.uploadParts): fewer while they slow down or are throttled. */
  uploadParts?: number;
}

/**
 * One file's copy (rclone's `copy` in fs/operations/copy.go): the source, the destination and the options, and
 * what the attempts learn on the way. Each attempt applies the overwrite rule, then takes the cheapest way that
 * works (serverSide, cloudPull, the relay), a way that cannot take the file answering CantCopyError so that the
 * next one is tried; then it checks that the source did not change under it, and verifies.
 */
export class FileCopy {
  /** Whether the destination held an object before the first attempt: a copy that fails verification is removed only if not. */
  destinationExisted: boolean | undefined;
  private src: Endpoint;
  private target: Endpoint;
  /** The destination the job planned, before any "keep both" name. */
  private readonly planned: Endpoint;
  private listedSource: { size: number; etag?: string };
  private readonly listedDestination: ObjectMetadata | null | undefined;
  private upload: ResumableUpload;
  private readonly init: FileCopyInit;
  /** The overwrite rule: the job's for this file; 'always' once the name written is this copy's own (nothing was there, or a "keep both" name). */
  private mode: OverwriteMode;
  /** Why the copy went to another name ("keep both"), for the file's report. */
  private keptBoth: string | undefined;
  private attempted = false;
  /** Why the destination could not pull this file: this and later attempts use the relay and say so. */
  private pullFailed: string | undefined;
  /** The bytes the file's admission holds for the relay (Admitted.memory). */
  private memory: AttemptMemory | undefined;

  constructor(
    src: Endpoint,
    dst: Endpoint,
    private readonly options: TransferOptions,
    init: FileCopyInit,
  ) {
    this.src = src;
    this.target = dst;
    this.planned = dst;
    this.init = init;
    this.mode = options.overwrite;
    this.listedSource = init.listedSource;
    this.listedDestination = init.listedDestination;
    this.upload = new ResumableUpload(dst, init.resume, init.onCheckpoint);
  }

  /** Where the copy is written: the planned destination, or the free name a "keep both" copy chose. */
  get dst(): Endpoint {
    return this.target;
  }

  /** The location read from (the source, or the alternate location read after it failed). */
  get source(): Endpoint {
    return this.src;
  }

  /** The unfinished upload a later attempt or run can continue, if any. */
  get resume(): ResumeRecord | undefined {
    return this.upload.current;
  }

  /** Reads from another location of the same object from now on; the listed ETag was the first location's. */
  readFrom(src: Endpoint): void {
    this.src = src;
    this.listedSource = { size: this.listedSource.size };
  }

  /** Whether the copy holds bytes in memory: a relay into a cloud (parts, or a small body); a local disk takes a stream. */
  holdsBuffers(mayFailOver: boolean): boolean {
    const { serverSide } = choosePath(this.src, this.dst, this.options.allowServerSide ?? true);
    // An alternate location may need the relay even when the first one could copy server-side.
    return (!serverSide || mayFailOver) && this.dst.provider.kind !== 'local';
  }

  /** Whether the relay may read the source in parallel ranges (held in memory, whatever the destination). */
  readsInRanges(mayFailOver: boolean): boolean {
    const { serverSide } = choosePath(this.src, this.dst, this.options.allowServerSide ?? true);
    return (!serverSide || mayFailOver) && this.init.rangedRead !== undefined;
  }

  /** The relay's attempts run in these bytes of the admission's, and give them back as the upload drains. */
  holdIn(memory: AttemptMemory | undefined): void {
    this.memory = memory;
  }

  /**
   * Aborts the unfinished upload (best effort) and forgets it. Answers the provider's sentence for the file's
   * report when some of it had to stay on the service.
   */
  discardResume(): Promise<string | undefined> {
    return this.upload.discard();
  }

  /** One attempt. Throws on any failure; the caller retries. */
  async attempt(counter: AttemptCounter, signal: AbortSignal): Promise<TransferOutcome> {
    const { src, options } = this;
    const first = !this.attempted;
    this.attempted = true;
    // A "keep both" name is in the same bucket of the same account: the way is the same.
    const chosen = choosePath(src, this.dst, options.allowServerSide ?? true, options.allowCloudPull && this.pullFailed === undefined);
    let existing = await this.destinationNow(first, signal);
    this.destinationExisted ??= existing !== undefined;
    // Nothing was there when the copy began: what a failed attempt left at that name is this copy's own.
    if (this.destinationExisted === false) this.mode = 'always';
    if (existing !== undefined && this.mode === 'never' && options.destinationIsExact === true) {
      // A rename onto a name that exists would replace that object and then remove the source: only on the user's word.
      throw new ConflictError(`${baseName(this.dst.key)} already exists: nothing was renamed or replaced. Choose Replace or Keep both to go ahead.`);
    }
    if (existing !== undefined && this.mode === 'never') {
      // Nothing of the source decides this: no request to it.
      counter.complete(this.listedSource.size);
      return { status: 'skipped', path: chosen.path, notices: ['Skipped: exists at the destination'] };
    }
    if (existing !== undefined && this.mode === 'keepBoth') {
      if (this.dst.key.endsWith('/')) {
        counter.complete(0);
        return { status: 'skipped', path: chosen.path, notices: ['Skipped: the folder exists at the destination'] };
      }
      await this.keepBoth(signal);
      existing = undefined;
    }
    const { dst } = this;
    // A relay of a copy that replaces or finds nothing needs nothing of the source before reading it: the GET's own answer (read only
    // if the ETag is still the listed one) gives the headers, the hashes to check the bytes against, and pins
    // the version read, which replaces both the HEAD before and the HEAD after. Any other case asks the source.
    // A resume compares the source with the one recorded before reading, so it asks the source first.
    const listedEtag = this.listedSource.etag;
    const conditional =
      first && !chosen.serverSide && chosen.path !== 'cloud-pull' && (this.mode === 'always' || existing === undefined) && listedEtag !== undefined && !dst.key.endsWith('/') && src.provider.features.conditionalRead === true && this.upload.current === undefined;
    const asked = conditional ? undefined : await src.provider.stat(src.bucket, src.key, signal);
    if (asked) {
      const skip = await shouldSkip(this.mode, src, asked, dst, existing, signal);
      if (skip !== undefined) {
        counter.complete(asked.size);
        return { status: 'skipped', path: chosen.path, notices: [`Skipped: ${skip}`] };
      }
    }
    if (dst.key.endsWith('/')) {
      // A folder marker: no bytes, nothing to hash; the destination only has to hold the empty "folder".
      await dst.provider.put(dst.bucket, dst.key, Readable.from([]), { size: 0, signal, ...within(dst) });
      counter.complete(0);
      return { status: 'done', path: chosen.path, checksum: 'size', notices: this.keptBoth === undefined ? [] : [this.keptBoth] };
    }

    // Without a HEAD only the relay can go (its conditional read answers for the source).
    const ways: Way[] = asked === undefined ? ['relay'] : chosen.serverSide ? ['server-side', 'relay'] : chosen.path === 'cloud-pull' ? ['cloud-pull', 'relay'] : ['relay'];
    const { copied, way } = await this.firstWayThatCan(ways, asked, counter, signal).catch((e: unknown) => {
      throw this.keptBoth !== undefined && e instanceof ConflictError ? this.takenMeanwhile(e) : e;
    });
    const path = chosen.path === 'local' ? 'local' : way;

    // A pull the destination checked against the source's MD5 took exactly the bytes asked about: a source changed
    // meanwhile would have failed that check, so it is not asked again.
    if (asked !== undefined && copied.pullCheckedMd5 !== true) {
      const after = await src.provider.stat(src.bucket, src.key, signal);
      if (sourceChanged(asked, after)) {
        throw new RetryableError(`${src.key} changed at the source during the copy (new ETag or version); copying it again`);
      }
    }
    const checksum = await this.verify(copied, signal);
    if (this.keptBoth !== undefined) claimed.delete(claimKey(dst));
    const notices = [
      ...(this.keptBoth === undefined ? [] : [this.keptBoth]),
      // A file the destination could not pull says so, whichever attempt relayed it in the end.
      ...(path === 'relay' && this.pullFailed !== undefined ? [this.pullFailed] : []),
      ...(copied.resumedFrom === undefined ? [] : [`Resumed an unfinished upload: ${formatSize(copied.resumedFrom)} were already stored`]),
      ...copied.notices,
    ];
    counter.complete(copied.source.size);
    const { etag, version } = copied.source;
    return { status: 'done', path, checksum, notices, copied: { ...(etag === undefined ? {} : { etag }), ...(version === undefined ? {} : { version }) } };
  }

  /** The destination as listed when the job started (a first attempt), unless the overwrite rule needs its stored hash. */
  private async destinationNow(first: boolean, signal: AbortSignal): Promise<ObjectMetadata | undefined> {
    const { dst } = this;
    const listed = first ? this.listedDestination : undefined;
    if (listed !== undefined && (listed === null || this.mode !== 'ifDifferent')) return listed ?? undefined;
    if (this.mode === 'always' && this.destinationExisted !== undefined) return undefined;
    return statIfAny(dst.provider, dst.bucket, dst.key, signal);
  }

  /**
   * "Keep both": the copy goes to the next free numbered name in the same folder (`a (1).txt`), one that no object
   * holds now (asked), no other file of the job is to write, and no other "keep both" copy here is writing. That
   * name is this copy's own from then on: a retry writes it again.
   */
  private async keepBoth(signal: AbortSignal): Promise<void> {
    const { dst } = this;
    for (let n = 1; n <= MAX_KEEP_BOTH; n++) {
      const key = keepBothName(dst.key, n);
      const candidate = { ...dst, key };
      if (this.init.reserved?.(key) === true || claimed.has(claimKey(candidate))) continue;
      // A name the job's listing of the destination saw taken, or not there, needs no request of its own.
      const listed = this.init.listedAt?.(key);
      if (listed !== undefined ? listed !== null : (await statIfAny(dst.provider, dst.bucket, key, signal)) !== undefined) continue;
      if (claimed.has(claimKey(candidate))) continue;
      claimed.add(claimKey(candidate));
      // Nothing held the name when asked; the write itself is made only if that is still so (ifAbsent).
      this.target = { ...candidate, ifAbsent: true };
      // An unfinished upload kept from an earlier run went to this same first free name.
      this.upload = new ResumableUpload(candidate, this.upload.current, this.init.onCheckpoint);
      this.mode = 'always';
      this.destinationExisted = false;
      this.keptBoth = `Kept both: ${baseName(dst.key)} exists, so this copy was written as ${baseName(key)}`;
      return;
    }
    throw new ConflictError(`${baseName(dst.key)} exists and so do ${MAX_KEEP_BOTH} numbered copies of it: not copied`);
  }

  /**
   * Another writer took the "keep both" name between the lookup and the write (ifAbsent refused it): that name is
   * theirs. The copy goes back to its planned name, so the next attempt looks for the next free one.
   */
  private takenMeanwhile(e: ConflictError): RetryableError {
    claimed.delete(claimKey(this.target));
    this.target = this.planned;
    this.upload = new ResumableUpload(this.planned, undefined, this.init.onCheckpoint);
    this.mode = 'keepBoth';
    this.destinationExisted = true;
    this.keptBoth = undefined;
    return new RetryableError(`${e.message}; trying the next free name`, { cause: e });
  }

  /** Each way in turn until one copies the file; a way that cannot answers CantCopyError, and its reason is kept. */
  private async firstWayThatCan(ways: readonly Way[], asked: ObjectMetadata | undefined, counter: AttemptCounter, signal: AbortSignal): Promise<{ copied: Copied; way: Way }> {
    for (const way of ways) {
      try {
        return { copied: await this.copyBy(way, asked, counter, signal), way };
      } catch (e) {
        if (!(e instanceof CantCopyError)) throw e;
        if (e.notice !== undefined) this.pullFailed = e.notice;
      }
    }
    // The relay, always last, never answers CantCopyError.
    throw new Error(`no way left to copy ${this.src.key}`);
  }

  private copyBy(way: Way, asked: ObjectMetadata | undefined, counter: AttemptCounter, signal: AbortSignal): Promise<Copied> {
    if (way === 'server-side') return this.serverSide(asked, signal);
    if (way === 'cloud-pull') return this.cloudPull(asked, signal);
    const etag = this.listedSource.etag;
    const read = asked !== undefined ? { asked } : etag === undefined ? {} : { ifMatch: etag };
    const { rangedRead, uploadParts } = this.init;
    const { memory } = this;
    return relay({ src: this.src, dst: this.dst, options: this.options, counter, signal, upload: this.upload, ...read, ...(rangedRead === undefined ? {} : { rangedRead }), ...(uploadParts === undefined ? {} : { uploadParts }), ...(memory === undefined ? {} : { memory }) });
  }

  /** A copy inside one account: the service copies, no byte crosses this computer. */
  private async serverSide(asked: ObjectMetadata | undefined, signal: AbortSignal): Promise<Copied> {
    const { src, dst } = this;
    if (!src.provider.copy || asked === undefined) throw new CantCopyError();
    const put = await src.provider.copy({ bucket: src.bucket, key: src.key }, { bucket: dst.bucket, key: dst.key }, { signal, ...within(dst) });
    return { source: asked, put, notices: [] };
  }

  /**
   * The destination pulls the object from a signed read link of the source (cloud-pull.ts). When it cannot (a
   * refused link, an unreachable source, not implemented), CantCopyError says why and the relay copies the file in
   * the same attempt. An empty object is no use to sign a link for: the relay copies it, without a word.
   */
  private async cloudPull(asked: ObjectMetadata | undefined, signal: AbortSignal): Promise<Copied> {
    if (asked === undefined || asked.size === 0) throw new CantCopyError();
    const { metadata, notices } = portableMetadata(asked.userMetadata, this.dst.provider, this.options.preserveMetadata !== false);
    try {
      const put = await cloudPull(this.src, this.dst, asked, metadata, this.options.storageClass, signal);
      const md5 = asked.checksums.md5?.toLowerCase();
      return { source: asked, put, notices, ...(md5 !== undefined && put.checksums.md5?.toLowerCase() === md5 ? { pullCheckedMd5: true } : {}) };
    } catch (e) {
      if (signal.aborted) throw e;
      throw new CantCopyError(pullFallbackNotice(e));
    }
  }

  /**
   * What arrived against what was sent: the bytes the relay read against the source's stored hash, then the put's
   * own answer where it carries a checksum of what the destination took in, else the stored object (verify.ts).
   * Returns what was compared ('none' when verification is off).
   */
  private async verify(copied: Copied, signal: AbortSignal): Promise<VerifiedBy> {
    if (!this.options.verify) return 'none';
    const checksum = await this.compare(copied, signal);
    if (copied.resumedFrom === undefined) return checksum;
    // A resumed upload's relay hashes cover the whole object only as a CRC (CRC32 on S3 and Azure, CRC32C on GCS)
    // combined from the parts stored before the restart and the bytes read now: said so in the report.
    return checksum === 'crc32c-relay' ? 'crc32c-parts' : checksum === 'crc32-relay' ? 'crc32-parts' : checksum;
  }

  private async compare(copied: Copied, signal: AbortSignal): Promise<VerifiedBy> {
    const { src, dst } = this;
    const { source, put, relay: read, readCheck } = copied;
    // The destination compared what it fetched with the source's MD5 before storing it: a HEAD would only read
    // back the size and the MD5 the pull was checked against.
    if (copied.pullCheckedMd5 === true) return 'md5';
    if (read !== undefined) {
      checkBytesRead(source.checksums, read);
      const fromPut = verifyFromPut(dst.provider, put, read, source.checksums, dst.key);
      if (fromPut !== undefined) return fromPut;
    }
    return verifyCopy({
      signal,
      source,
      ...(read === undefined ? {} : { relay: read }),
      ...(readCheck === undefined ? {} : { readCheck }),
      dst: { provider: dst.provider, bucket: dst.bucket, key: dst.key },
      src: { provider: src.provider, bucket: src.bucket, key: src.key },
      put,
    });
  }
}

/** The folder a write to `e` must stay in, and whether it may only create, as put and copy options take them. */
function within(e: Endpoint): { within?: string; ifAbsent?: boolean } {
  return { ...(e.within === undefined ? {} : { within: e.within }), ...(e.ifAbsent === true ? { ifAbsent: true } : {}) };
}

function claimKey(e: Endpoint): string {
  return `${e.accountKey}\0${e.bucket}\0${e.key}`;
}
