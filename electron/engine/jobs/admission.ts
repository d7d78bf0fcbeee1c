import { DEFAULT_MULTIPART, type Features, type MultipartSettings } from '../providers/provider';
import { rangedParts } from '../providers/ranged-read';
import { AdaptiveLimit } from './adaptive-limit';
import { Semaphore, type Hold } from './semaphore';

const MiB = 1024 * 1024;

/** How many files may be in flight, and how much memory they may hold (JobManagerOptions). */
export interface AdmissionSettings {
  /** Files in flight across all jobs, whatever their size. */
  maxFiles: number;
  /**
   * Files below the multipart threshold in flight, at most: latency-bound, so many at once. How many really are is
   * found while files complete (an adaptive limit: more while the latency holds, fewer when it rises or a service
   * throttles); this is its cap.
   */
  maxSmallFiles: number;
  /** Files at or above the multipart threshold in flight. */
  maxLargeFiles: number;
  /**
   * Part buffers the large files in flight may hold together: each reserves (concurrency + 1) x partSize, or
   * (concurrency + rangedReadParts) x partSize where its source is read in parallel ranges.
   */
  largeBufferBytes: number;
  /** Bodies the small files in flight may hold together (a single-shot put may hold the whole body). */
  smallBufferBytes: number;
  /** Files in flight against one account (source or destination). */
  maxPerAccount: number;
  /**
   * Parts of a large file's read held or requested at once where the source reads in parallel ranges
   * (Features.parallelRead): the most its adaptive limit may reach, reserved from largeBufferBytes on top of the
   * upload's parts.
   */
  rangedReadParts: number;
  /** The providers' multipart sizing: where "large" starts and what one large file buffers. */
  multipart: MultipartSettings;
}

/** How a large file's source read may go in parallel ranges (relay.ts builds its adaptive limit from this). */
export interface RangedRead {
  partBytes: number;
  maxParts: number;
  /** The ranges the object is read in: one GET each. */
  parts: number;
}

/**
 * Whether and how a file of this size is read in parallel ranges under these settings, from a source that reads
 * them (Features.parallelRead). Admission and the cost estimate (one GET per range) both decide by this.
 */
export function rangedReadPlan(size: number, settings: Pick<AdmissionSettings, 'multipart' | 'rangedReadParts'>, parallelRead: boolean): RangedRead | undefined {
  const m = settings.multipart;
  if (!parallelRead || settings.rangedReadParts < 2) return undefined;
  const parts = rangedParts(size, { partBytes: m.partSizeBytes, thresholdBytes: m.thresholdBytes });
  return parts === undefined ? undefined : { partBytes: m.partSizeBytes, maxParts: settings.rangedReadParts, parts };
}

export const DEFAULT_ADMISSION: AdmissionSettings = {
  maxFiles: 72,
  maxSmallFiles: 64,
  maxLargeFiles: 8,
  largeBufferBytes: 80 * MiB,
  smallBufferBytes: 32 * MiB,
  maxPerAccount: 72,
  rangedReadParts: 4,
  multipart: DEFAULT_MULTIPART,
};

export type SizeClass = 'small' | 'large';

/** Small files in flight at the start, before any has completed; the adaptive limit moves from here. */
const INITIAL_SMALL_FILES = 16;
/** A small file's time is compared per this many bytes, so that larger ones do not read as a slower link. */
const SAMPLE_UNIT_BYTES = 1024 * 1024;

export interface AdmitRequest {
  size: number;
  /**
   * False when nothing is held in memory for this file (a server-side copy, or a stream written to a local
   * disk): it then takes a slot of its class but no bytes of the budget.
   */
  buffers: boolean;
  /** The source is read in parallel ranges (rangedRead): their parts are held in memory too. */
  rangedRead?: boolean;
  /** The destination's most parts per upload (Features.maxUploadParts): past it, its parts grow with the object. */
  maxUploadParts?: number | undefined;
  accounts: readonly string[];
}

/** A file let into flight (Admission.admit). */
export interface Admitted {
  /** Gives back everything the file holds. */
  release(): void;
  /** The memory of a large file relayed through this computer. */
  memory?: AttemptMemory;
}

/**
 * How a large file's relay attempts use the bytes its admission holds. The whole reservation is held until the
 * read ends; from there the attempt holds at most its parts not stored yet, and gives the rest back as they are.
 * An attempt after that (a retry) takes back only what is free, without waiting, and runs in what it holds: one
 * stream, with fewer parts in flight when it holds less than a whole upload's window.
 */
export interface AttemptMemory {
  /** The upload's part size, in which the attempt counts what it still holds. */
  readonly partBytes: number;
  /**
   * The ranged read (when `inRanges` and the file holds the bytes for it) and the upload parts in flight that the
   * next attempt may use: what the file holds after taking back, without waiting, what is free.
   */
  forAttempt(inRanges: boolean): { rangedRead?: RangedRead; uploadParts: number };
  /** The attempt holds at most this many bytes from now on: the rest goes back (never below what a retry needs). */
  holdAtMost(bytes: number): void;
}

/**
 * Admission of files into flight, shared by all jobs. Small and large files have separate slots and separate
 * byte budgets, so the 2,000 small files of a copy flow while its big files upload instead of waiting behind
 * them, and the memory the relay holds stays bounded whatever the mix of sizes. Resources are always taken in
 * one order (class slots, class bytes, overall slots, accounts sorted), so no two files wait on each other.
 */
export class Admission {
  readonly settings: AdmissionSettings;
  private readonly files: Semaphore;
  private readonly slots: Record<SizeClass, Semaphore>;
  private readonly bytes: Record<SizeClass, Semaphore>;
  private readonly perAccount = new Map<string, Semaphore>();
  /** How many small files are let into flight now (under maxSmallFiles). */
  readonly smallLimit: AdaptiveLimit;
  /** Large files the running jobs have still to transfer (expectLarge), those in flight included. */
  private largeAhead = 0;

  constructor(settings: Partial<AdmissionSettings> = {}) {
    const s = { ...DEFAULT_ADMISSION, ...settings };
    // An explicit overall cap lower than the default (a test's maxFiles: 1) also caps each class and account.
    if (settings.maxPerAccount === undefined) s.maxPerAccount = s.maxFiles;
    this.settings = s;
    this.files = new Semaphore(Math.max(1, s.maxFiles));
    this.slots = { small: new Semaphore(Math.max(1, s.maxSmallFiles)), large: new Semaphore(Math.max(1, s.maxLargeFiles)) };
    this.bytes = { small: new Semaphore(Math.max(1, s.smallBufferBytes)), large: new Semaphore(Math.max(1, s.largeBufferBytes)) };
    const cap = Math.max(1, Math.min(s.maxSmallFiles, s.maxFiles));
    this.smallLimit = new AdaptiveLimit({ initial: Math.min(cap, INITIAL_SMALL_FILES), min: 1, max: cap });
    this.slots.small.resize(this.smallLimit.limit);
    this.smallLimit.onChange((limit) => this.slots.small.resize(limit));
  }

  /**
   * A file of this size that was copied in `ms` (from admission to its outcome, retries included): a sample for
   * the small files' adaptive limit. Large files have their own (their parts' reads).
   */
  completed(size: number, ms: number): void {
    if (this.classOf(size) !== 'small') return;
    this.smallLimit.sample(ms / Math.max(1, size / SAMPLE_UNIT_BYTES), this.slots.small.inUse);
  }

  /** A small file's attempt was throttled and the error reached the engine: fewer small files in flight. */
  throttled(size: number): void {
    if (this.classOf(size) === 'small') this.smallLimit.throttled();
  }

  classOf(size: number): SizeClass {
    return size >= this.settings.multipart.thresholdBytes ? 'large' : 'small';
  }

  /**
   * Bytes a file of this size holds in memory while it is relayed: the upload's parts (or body), and its read's
   * ranges. `maxUploadParts` is the destination's (Features.maxUploadParts).
   */
  reservation(size: number, buffers = true, rangedRead = false, maxUploadParts?: number): number {
    const m = this.settings.multipart;
    const ranges = rangedRead ? this.settings.rangedReadParts * m.partSizeBytes : 0;
    if (!buffers) return ranges;
    if (this.classOf(size) === 'small') return size + ranges;
    const part = this.uploadPartBytes(size, maxUploadParts);
    // With a ranged read into parts of the ranges' own size, the part being filled is a range the read has given
    // out (the upload takes the range's buffer as its part: common/parts.ts), so it is counted with the ranges
    // rather than again with the upload. Otherwise the part being filled is a buffer of its own.
    const filling = rangedRead && part === m.partSizeBytes ? 0 : 1;
    return ((this.uploadParts(size, maxUploadParts) ?? 1) + filling) * part + ranges;
  }

  /**
   * The part size of a large file's upload: the providers' part size, or larger where the destination allows fewer
   * parts than the object would need (its parts then grow to size / maxUploadParts, as s3.resume.ts and
   * azure.upload.ts size them).
   */
  uploadPartBytes(size: number, maxUploadParts?: number): number {
    const m = this.settings.multipart;
    return maxUploadParts === undefined ? m.partSizeBytes : Math.max(m.partSizeBytes, Math.ceil(size / Math.max(1, maxUploadParts)));
  }

  /**
   * The most parts of a large file's upload in flight (what its reservation holds), or undefined for a small file.
   * Parts grown past the providers' part size are fewer in flight, as many as the large files' budget holds beside
   * the one being filled (at least one): a 1 TiB object to S3 has parts of 105 MiB.
   */
  uploadParts(size: number, maxUploadParts?: number): number | undefined {
    if (this.classOf(size) !== 'large') return undefined;
    const most = Math.max(1, this.settings.multipart.concurrency);
    const part = this.uploadPartBytes(size, maxUploadParts);
    if (part === this.settings.multipart.partSizeBytes) return most;
    return Math.max(1, Math.min(most, Math.floor(this.settings.largeBufferBytes / part) - 1));
  }

  /** Whether and how a file of this size from a source with these features is read in parallel ranges. */
  rangedRead(size: number, source: Pick<Features, 'parallelRead'>): RangedRead | undefined {
    return rangedReadPlan(size, this.settings, source.parallelRead === true);
  }

  /**
   * A job is about to transfer this many large files: while they last, each is read and uploaded in a window sized
   * so that as many as may be in flight share the budget (rangedWindow). `settled` as each one ends, `done` when
   * the job stops transferring (the rest are no longer expected).
   */
  expectLarge(count: number): { settled: () => void; done: () => void } {
    let left = Math.max(0, count);
    this.largeAhead += left;
    return {
      settled: () => {
        if (left === 0) return;
        left--;
        this.largeAhead--;
      },
      done: () => {
        this.largeAhead -= left;
        left = 0;
      },
    };
  }

  /**
   * The ranges read and parts uploaded at once by a large file read in parallel ranges into parts of the ranges' own
   * size (a range's buffer is the part it becomes, so each range and part in flight is one part of memory): as many
   * as let the large files expected now run together within the budget, so that several start at once and the time
   * a file spends waiting for its first range or sending its last parts overlaps the others', instead of two files
   * at a time each holding the widest window. At least 2 (a range read while the one before uploads), at most
   * rangedReadParts and the upload's concurrency. Undefined where the file is not read so.
   */
  rangedWindow(size: number, maxUploadParts?: number): { ranges: number; parts: number; bytes: number } | undefined {
    const s = this.settings;
    const part = s.multipart.partSizeBytes;
    if (this.uploadPartBytes(size, maxUploadParts) !== part || this.rangedRead(size, { parallelRead: true }) === undefined) return undefined;
    const files = Math.max(1, Math.min(s.maxLargeFiles, s.maxFiles, this.largeAhead));
    const share = Math.max(2, Math.floor(s.largeBufferBytes / (files * 2 * part)));
    const ranges = Math.min(s.rangedReadParts, share);
    const parts = Math.max(1, Math.min(s.multipart.concurrency, share));
    return { ranges, parts, bytes: (ranges + parts) * part };
  }

  /** Workers worth starting for a class: more would only wait. */
  workers(cls: SizeClass): number {
    return Math.min(this.settings.maxFiles, cls === 'small' ? this.settings.maxSmallFiles : this.settings.maxLargeFiles);
  }

  /**
   * Waits until the file may go (slots, its class's bytes, accounts) and holds them until released. A large file
   * relayed through memory also gets its `memory`: the bytes it holds shrink as its read ends and its last parts
   * drain, so that the next file is let in while they upload (AttemptMemory).
   */
  async admit(request: AdmitRequest, signal: AbortSignal): Promise<Admitted> {
    const cls = this.classOf(request.size);
    const releases: Array<() => void> = [];
    let memory: AttemptMemory | undefined;
    try {
      // A throttle answered since the last sample lowers the small files' limit before the next one goes out.
      if (cls === 'small') this.slots.small.resize(this.smallLimit.limit);
      releases.push(await this.slots[cls].acquire(signal));
      const ranged = request.rangedRead === true;
      const window = cls === 'large' && request.buffers && ranged ? this.rangedWindow(request.size, request.maxUploadParts) : undefined;
      const bytes = window?.bytes ?? this.reservation(request.size, request.buffers, ranged, request.maxUploadParts);
      if (bytes > 0) {
        const hold = await this.bytes[cls].hold(signal, bytes);
        releases.push(() => hold.release());
        if (cls === 'large' && request.buffers) memory = this.memoryOf(hold, request.size, ranged, window, request.maxUploadParts);
      }
      releases.push(await this.files.acquire(signal));
      for (const key of [...new Set(request.accounts)].sort()) releases.push(await this.account(key).acquire(signal));
    } catch (e) {
      releases.reverse().forEach((r) => r());
      throw e;
    }
    return { release: () => releases.reverse().forEach((r) => r()), ...(memory === undefined ? {} : { memory }) };
  }

  /**
   * The bytes of a large relayed file, as its attempts use them. Deadlock cannot come of the shrinking: a file
   * never gives back the least its relay runs with (one part being filled and one in flight), so a retry after it
   * shrank runs in what it still holds, taking back only bytes that are free and that no waiting file asked for;
   * the only wait for bytes is admission's, in order, by files that hold none of the class.
   */
  private memoryOf(hold: Hold, size: number, ranged: boolean, window: { ranges: number; parts: number } | undefined, maxUploadParts: number | undefined): AttemptMemory {
    const partBytes = this.uploadPartBytes(size, maxUploadParts);
    const most = window?.parts ?? this.uploadParts(size, maxUploadParts) ?? 1;
    const full = hold.held();
    const streamed = Math.min(full, this.reservation(size, true, false, maxUploadParts));
    const least = Math.min(streamed, 2 * partBytes);
    const read = ranged ? this.rangedRead(size, { parallelRead: true }) : undefined;
    const plan = read === undefined ? undefined : { ...read, ...(window === undefined ? {} : { maxParts: window.ranges }) };
    return {
      partBytes,
      forAttempt: (inRanges) => {
        const inParallel = inRanges && plan !== undefined;
        const want = inParallel ? full : streamed;
        if (hold.held() > want) hold.shrinkTo(want);
        const held = hold.tryGrowTo(want);
        if (inParallel && held >= full) return { rangedRead: plan, uploadParts: most };
        // One stream: as many parts in flight as the bytes held allow beside the one being filled.
        const upload = this.uploadParts(size, maxUploadParts) ?? 1;
        return { uploadParts: Math.max(1, Math.min(upload, Math.floor(held / partBytes) - 1)) };
      },
      holdAtMost: (bytes) => hold.shrinkTo(Math.max(least, bytes)),
    };
  }

  /** Slots only, no class (a batch delete): the overall cap and the accounts. */
  async admitBatch(accounts: readonly string[], signal: AbortSignal): Promise<() => void> {
    const releases: Array<() => void> = [];
    try {
      releases.push(await this.files.acquire(signal));
      for (const key of [...new Set(accounts)].sort()) releases.push(await this.account(key).acquire(signal));
    } catch (e) {
      releases.reverse().forEach((r) => r());
      throw e;
    }
    return () => releases.reverse().forEach((r) => r());
  }

  /** What is held right now (tests). */
  usage(): { files: number; small: number; large: number; smallBytes: number; largeBytes: number } {
    return { files: this.files.inUse, small: this.slots.small.inUse, large: this.slots.large.inUse, smallBytes: this.bytes.small.inUse, largeBytes: this.bytes.large.inUse };
  }

  private account(key: string): Semaphore {
    let s = this.perAccount.get(key);
    if (!s) this.perAccount.set(key, (s = new Semaphore(Math.max(1, this.settings.maxPerAccount))));
    return s;
  }
}
