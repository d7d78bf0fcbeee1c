import { Readable } from 'node:stream';
import { RetryableError } from '../../../shared/errors';
import type { VerifiedBy } from '../../../shared/contract/jobs.channels';
import { formatSize } from '../../../shared/format';
import type { ObjectMetadata } from '../../../shared/model';
import { statIfAny } from '../providers/provider';
import { cloudPull, pullFallbackNotice } from './cloud-pull';
import type { AttemptCounter } from './progress';
import { verifyFromPut } from './put-answer';
import { relay, ResumableUpload } from './relay';
import { CantCopyError, choosePath, portableMetadata, shouldSkip, type Copied, type Endpoint, type TransferOptions, type TransferOutcome } from './transfer';
import type { ResumeRecord } from './types';
import { checkBytesRead, sourceChanged, verifyCopy } from './verify';

/** The ways the bytes of one file can go, cheapest first. */
type Way = 'server-side' | 'cloud-pull' | 'relay';

export interface FileCopyInit {
  /** Size and ETag from the source listing: a first attempt reads conditionally on that ETag instead of a HEAD. */
  listedSource: { size: number; etag?: string };
  /** From the job's one listing of the destination: what was there (null: nothing). Saves a HEAD per file. */
  listedDestination?: ObjectMetadata | null;
  /** An unfinished upload of this file to continue (from the journal). */
  resume?: ResumeRecord;
  /** Told each time the destination checkpoints the upload (the caller journals it). */
  onCheckpoint?: (record: ResumeRecord) => void;
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
  private listedSource: { size: number; etag?: string };
  private readonly listedDestination: ObjectMetadata | null | undefined;
  private readonly upload: ResumableUpload;
  private attempted = false;
  /** Why the destination could not pull this file: this and later attempts use the relay and say so. */
  private pullFailed: string | undefined;

  constructor(
    src: Endpoint,
    readonly dst: Endpoint,
    private readonly options: TransferOptions,
    init: FileCopyInit,
  ) {
    this.src = src;
    this.listedSource = init.listedSource;
    this.listedDestination = init.listedDestination;
    this.upload = new ResumableUpload(dst, init.resume, init.onCheckpoint);
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

  /**
   * Aborts the unfinished upload (best effort) and forgets it. Answers the provider's sentence for the file's
   * report when some of it had to stay on the service.
   */
  discardResume(): Promise<string | undefined> {
    return this.upload.discard();
  }

  /** One attempt. Throws on any failure; the caller retries. */
  async attempt(counter: AttemptCounter, signal: AbortSignal): Promise<TransferOutcome> {
    const { src, dst, options } = this;
    const first = !this.attempted;
    this.attempted = true;
    const chosen = choosePath(src, dst, options.allowServerSide ?? true, options.allowCloudPull && this.pullFailed === undefined);
    const existing = await this.destinationNow(first, signal);
    this.destinationExisted ??= existing !== undefined;
    // A relay of an "always" copy needs nothing of the source before reading it: the GET's own answer (read only
    // if the ETag is still the listed one) gives the headers, the hashes to check the bytes against, and pins
    // the version read, which replaces both the HEAD before and the HEAD after. Any other case asks the source.
    // A resume compares the source with the one recorded before reading, so it asks the source first.
    const listedEtag = this.listedSource.etag;
    const conditional =
      first && !chosen.serverSide && chosen.path !== 'cloud-pull' && options.overwrite === 'always' && listedEtag !== undefined && !dst.key.endsWith('/') && src.provider.features.conditionalRead === true && this.upload.current === undefined;
    const asked = conditional ? undefined : await src.provider.stat(src.bucket, src.key, signal);
    if (asked) {
      const skip = await shouldSkip(options.overwrite, src, asked, dst, existing, signal);
      if (skip !== undefined) {
        counter.complete(asked.size);
        return { status: 'skipped', path: chosen.path, notices: [`Skipped: ${skip}`] };
      }
    }
    if (dst.key.endsWith('/')) {
      // A folder marker: no bytes, nothing to hash; the destination only has to hold the empty "folder".
      await dst.provider.put(dst.bucket, dst.key, Readable.from([]), { size: 0, signal });
      counter.complete(0);
      return { status: 'done', path: chosen.path, checksum: 'size', notices: [] };
    }

    // Without a HEAD only the relay can go (its conditional read answers for the source).
    const ways: Way[] = asked === undefined ? ['relay'] : chosen.serverSide ? ['server-side', 'relay'] : chosen.path === 'cloud-pull' ? ['cloud-pull', 'relay'] : ['relay'];
    const { copied, way } = await this.firstWayThatCan(ways, asked, counter, signal);
    const path = chosen.path === 'local' ? 'local' : way;

    if (asked !== undefined) {
      const after = await src.provider.stat(src.bucket, src.key, signal);
      if (sourceChanged(asked, after)) {
        throw new RetryableError(`${src.key} changed at the source during the copy (new ETag or version); copying it again`);
      }
    }
    const checksum = await this.verify(copied, signal);
    const notices = [
      // A file the destination could not pull says so, whichever attempt relayed it in the end.
      ...(path === 'relay' && this.pullFailed !== undefined ? [this.pullFailed] : []),
      ...(copied.resumedFrom === undefined ? [] : [`Resumed an unfinished upload: ${formatSize(copied.resumedFrom)} were already stored`]),
      ...copied.notices,
    ];
    counter.complete(copied.source.size);
    return { status: 'done', path, checksum, notices };
  }

  /** The destination as listed when the job started (a first attempt), unless the overwrite rule needs its stored hash. */
  private async destinationNow(first: boolean, signal: AbortSignal): Promise<ObjectMetadata | undefined> {
    const { dst, options } = this;
    const listed = first ? this.listedDestination : undefined;
    if (listed !== undefined && (listed === null || options.overwrite !== 'ifDifferent')) return listed ?? undefined;
    if (options.overwrite === 'always' && this.destinationExisted !== undefined) return undefined;
    return statIfAny(dst.provider, dst.bucket, dst.key, signal);
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
    return relay({ src: this.src, dst: this.dst, options: this.options, counter, signal, upload: this.upload, ...read });
  }

  /** A copy inside one account: the service copies, no byte crosses this computer. */
  private async serverSide(asked: ObjectMetadata | undefined, signal: AbortSignal): Promise<Copied> {
    const { src, dst } = this;
    if (!src.provider.copy || asked === undefined) throw new CantCopyError();
    const put = await src.provider.copy({ bucket: src.bucket, key: src.key }, { bucket: dst.bucket, key: dst.key }, { signal });
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
      return { source: asked, put, notices };
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
