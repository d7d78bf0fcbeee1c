import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { Transform, type TransformCallback } from 'node:stream';
import { BandwidthSyntaxError, nextChange, parseBandwidth, ratesAt, type Rates, type TimetableEntry } from '../../../shared/bandwidth';
import { InvalidInputError } from '../../../shared/errors';
import type { ProviderKind } from '../../../shared/location';
import { writeFileAtomic } from '../atomic-write';
import { createLogger } from '../log';
import { realClock, TokenBucket, type Clock } from './token-bucket';

const log = createLogger('bandwidth');

/** A chunk passes the buckets in pieces this large, so that a large chunk does not wait a whole burst at once. */
const PIECE = 16 * 1024;
/** The timetable is looked at again at least this often (a changed system clock, a missed timer). */
const RECHECK_TABLE_MS = 60_000;

export interface BandwidthOptions {
  dataDir: string;
  /** Wall-clock time for the timetable (tests move it). */
  wallClock?: () => Date;
  /** The buckets' clock (tests may use a fake one). */
  clock?: Clock;
}

interface Pair {
  up: TokenBucket;
  down: TokenBucket;
}

/**
 * The bandwidth limits of every transfer: the app's setting (one rate, UP:DOWN or a timetable in rclone's syntax,
 * kept in dataDir/bandwidth.json) and each job's own limit. A byte the relay moves passes the buckets of its
 * direction, the app's and its job's, so the lower of the two holds:
 *
 * - bytes read from a cloud are download, bytes written to a cloud are upload;
 * - a cloud-to-cloud relay reads and writes every byte, so it passes both directions' buckets;
 * - a copy between two local folders also passes both (it is limited by the lower of the two rates).
 */
export class Bandwidth {
  private text = '';
  private table: TimetableEntry[] = parseBandwidth('');
  private readonly global: Pair;
  private readonly jobs = new Map<string, Pair>();
  private timer: NodeJS.Timeout | undefined;
  private readonly file: string;
  private readonly wallClock: () => Date;
  private readonly clock: Clock;
  private readonly listeners = new Set<() => void>();

  constructor(options: BandwidthOptions) {
    this.file = path.join(options.dataDir, 'bandwidth.json');
    this.wallClock = options.wallClock ?? (() => new Date());
    this.clock = options.clock ?? realClock;
    this.global = { up: new TokenBucket(null, this.clock), down: new TokenBucket(null, this.clock) };
  }

  /** Reads the saved setting; an unreadable or invalid one is logged and left off. */
  async load(): Promise<void> {
    try {
      const saved = JSON.parse(await readFile(this.file, 'utf8')) as { limit?: unknown };
      if (typeof saved.limit === 'string') this.apply(saved.limit);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') log.warn('the saved bandwidth limit could not be read; no limit holds', e);
    }
    this.refresh();
  }

  /** The setting as the user wrote it and the rates that hold now. */
  get setting(): { limit: string; now: Rates; nextChange?: string } {
    const next = nextChange(this.table, this.wallClock());
    return { limit: this.text, now: { up: this.global.up.rate, down: this.global.down.rate }, ...(next ? { nextChange: next.toISOString() } : {}) };
  }

  /** Validates, saves and applies a new setting (running transfers take it at once). */
  async set(limit: string): Promise<void> {
    this.apply(limit);
    await writeFileAtomic(this.file, JSON.stringify({ limit: this.text }, null, 2));
    this.refresh();
  }

  private apply(limit: string): void {
    try {
      this.table = parseBandwidth(limit);
    } catch (e) {
      if (e instanceof BandwidthSyntaxError) throw new InvalidInputError(e.message);
      throw e;
    }
    this.text = limit.trim();
  }

  /** Sets the rates the timetable gives for now and arms the timer for its next change. */
  refresh(): void {
    const now = this.wallClock();
    const rates = ratesAt(this.table, now);
    if (this.global.up.rate !== rates.up || this.global.down.rate !== rates.down) {
      this.global.up.rate = rates.up;
      this.global.down.rate = rates.down;
      for (const l of this.listeners) l();
    }
    clearTimeout(this.timer);
    const next = nextChange(this.table, now);
    if (!next) return;
    const ms = Math.min(Math.max(next.getTime() - now.getTime(), 1000), RECHECK_TABLE_MS);
    this.timer = setTimeout(() => this.refresh(), ms);
    this.timer.unref();
  }

  /** Told when the rates in force change (for the UI). */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** A job's own limit (null: none in that direction). */
  setJobLimit(jobId: string, rates: Partial<Rates>): void {
    const pair = this.jobPair(jobId);
    if (rates.up !== undefined) pair.up.rate = rates.up;
    if (rates.down !== undefined) pair.down.rate = rates.down;
  }

  jobLimit(jobId: string): Rates | undefined {
    const pair = this.jobs.get(jobId);
    return pair ? { up: pair.up.rate, down: pair.down.rate } : undefined;
  }

  /** Whether a copy between two local folders of this job is limited now (it passes both directions' buckets). */
  localLimited(jobId: string, limit?: Partial<Rates>): boolean {
    const job = this.jobs.get(jobId);
    const rates = [this.global.up.rate, this.global.down.rate, ...(job ? [job.up.rate, job.down.rate] : [limit?.up ?? null, limit?.down ?? null])];
    return rates.some((r) => r !== null);
  }

  forgetJob(jobId: string): void {
    this.jobs.delete(jobId);
  }

  private jobPair(jobId: string): Pair {
    let pair = this.jobs.get(jobId);
    if (!pair) {
      pair = { up: new TokenBucket(null, this.clock), down: new TokenBucket(null, this.clock) };
      this.jobs.set(jobId, pair);
    }
    return pair;
  }

  /**
   * A pass-through stream that holds the bytes of one transfer of `jobId` from a `from` provider to a `to` one to
   * the limits of their directions. It looks the rates up per piece, so a change applies to it at once. `limit`
   * is the job's own limit as its options give it.
   */
  stream(jobId: string, from: ProviderKind, to: ProviderKind, signal?: AbortSignal, limit?: Partial<Rates>): Transform {
    // The job's own limit from its options, unless jobs:setLimit changed it since.
    if (limit !== undefined && !this.jobs.has(jobId)) this.setJobLimit(jobId, limit);
    const bothLocal = from === 'local' && to === 'local';
    const down = from !== 'local' || bothLocal;
    const up = to !== 'local' || bothLocal;
    const buckets = (): TokenBucket[] => {
      const job = this.jobs.get(jobId);
      return [...(up ? [this.global.up, ...(job ? [job.up] : [])] : []), ...(down ? [this.global.down, ...(job ? [job.down] : [])] : [])];
    };
    return new Transform({
      transform(chunk: Buffer, _encoding, done: TransformCallback) {
        // No limit in force: the chunk passes as it is, at once.
        if (buckets().every((bucket) => bucket.rate === null)) {
          done(null, chunk);
          return;
        }
        void (async () => {
          for (let at = 0; at < chunk.length; at += PIECE) {
            const piece = chunk.subarray(at, at + PIECE);
            for (const b of buckets()) await b.take(piece.length, signal);
            this.push(piece);
          }
        })().then(
          () => done(),
          (e: unknown) => done(e instanceof Error ? e : new Error(String(e))),
        );
      },
    });
  }

  close(): void {
    clearTimeout(this.timer);
    this.listeners.clear();
  }
}
