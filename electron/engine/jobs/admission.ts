import { DEFAULT_MULTIPART, type MultipartSettings } from '../providers/provider';
import { Semaphore } from './semaphore';

const MiB = 1024 * 1024;

/** How many files may be in flight, and how much memory they may hold (JobManagerOptions). */
export interface AdmissionSettings {
  /** Files in flight across all jobs, whatever their size. */
  maxFiles: number;
  /** Files below the multipart threshold in flight: latency-bound, so many at once. */
  maxSmallFiles: number;
  /** Files at or above the multipart threshold in flight. */
  maxLargeFiles: number;
  /** Part buffers the large files in flight may hold together: each reserves (concurrency + 1) x partSize. */
  largeBufferBytes: number;
  /** Bodies the small files in flight may hold together (a single-shot put may hold the whole body). */
  smallBufferBytes: number;
  /** Files in flight against one account (source or destination). */
  maxPerAccount: number;
  /** The providers' multipart sizing: where "large" starts and what one large file buffers. */
  multipart: MultipartSettings;
}

export const DEFAULT_ADMISSION: AdmissionSettings = {
  maxFiles: 40,
  maxSmallFiles: 24,
  maxLargeFiles: 8,
  largeBufferBytes: 80 * MiB,
  smallBufferBytes: 32 * MiB,
  maxPerAccount: 40,
  multipart: DEFAULT_MULTIPART,
};

export type SizeClass = 'small' | 'large';

export interface AdmitRequest {
  size: number;
  /**
   * False when nothing is held in memory for this file (a server-side copy, or a stream written to a local
   * disk): it then takes a slot of its class but no bytes of the budget.
   */
  buffers: boolean;
  accounts: readonly string[];
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

  constructor(settings: Partial<AdmissionSettings> = {}) {
    const s = { ...DEFAULT_ADMISSION, ...settings };
    // An explicit overall cap lower than the default (a test's maxFiles: 1) also caps each class and account.
    if (settings.maxPerAccount === undefined) s.maxPerAccount = s.maxFiles;
    this.settings = s;
    this.files = new Semaphore(Math.max(1, s.maxFiles));
    this.slots = { small: new Semaphore(Math.max(1, s.maxSmallFiles)), large: new Semaphore(Math.max(1, s.maxLargeFiles)) };
    this.bytes = { small: new Semaphore(Math.max(1, s.smallBufferBytes)), large: new Semaphore(Math.max(1, s.largeBufferBytes)) };
  }

  classOf(size: number): SizeClass {
    return size >= this.settings.multipart.thresholdBytes ? 'large' : 'small';
  }

  /** Bytes a file of this size holds in memory while it is relayed. */
  reservation(size: number): number {
    const m = this.settings.multipart;
    return this.classOf(size) === 'large' ? (Math.max(1, m.concurrency) + 1) * m.partSizeBytes : size;
  }

  /** Workers worth starting for a class: more would only wait. */
  workers(cls: SizeClass): number {
    return Math.min(this.settings.maxFiles, cls === 'small' ? this.settings.maxSmallFiles : this.settings.maxLargeFiles);
  }

  async admit(request: AdmitRequest, signal: AbortSignal): Promise<() => void> {
    const cls = this.classOf(request.size);
    const releases: Array<() => void> = [];
    try {
      releases.push(await this.slots[cls].acquire(signal));
      if (request.buffers) releases.push(await this.bytes[cls].acquire(signal, this.reservation(request.size)));
      releases.push(await this.files.acquire(signal));
      for (const key of [...new Set(request.accounts)].sort()) releases.push(await this.account(key).acquire(signal));
    } catch (e) {
      releases.reverse().forEach((r) => r());
      throw e;
    }
    return () => releases.reverse().forEach((r) => r());
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
