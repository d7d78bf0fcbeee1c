import { AGE_HISTOGRAM_MAX_DAYS, type AgeBucket, type ScanTotals } from '../../../shared/contract/costs.scan';
import { CancelledError } from '../../../shared/errors';
import type { ObjectEntry } from '../../../shared/model';
import type { ObjectVersioning, Provider } from '../providers/provider';
import { categoryOf } from './file-types';

/** The class name used for objects whose listing reports none (local files, some S3-compatible stores). */
export const DEFAULT_CLASS_KEY = '(default)';
/** Objects under this size are billed as this size in S3 Standard-IA, One Zone-IA and Glacier IR. */
export const SMALL_OBJECT_BYTES = 128 * 1024;
const DAY_MS = 86_400_000;

export interface ScanProgressInfo {
  objects: number;
  bytes: number;
  pages: number;
  lastKey?: string;
}

export interface ScanOptions {
  signal?: AbortSignal;
  /** Throttled to one call per `progressIntervalMs`, plus one at the end. */
  onProgress?: (progress: ScanProgressInfo) => void;
  progressIntervalMs?: number;
  pageSize?: number;
  /** How many of the largest objects and prefixes to keep. */
  top?: number;
  /** Distinct prefixes tracked per depth; beyond it new prefixes are not counted (`prefixesTruncated`). */
  maxPrefixes?: number;
  /** "Now" for ages (tests pass a fixed date). */
  now?: Date;
  /** false: leave the versions kept beside the current objects out (default: counted where the provider keeps them). */
  versions?: boolean;
}

interface Tally {
  count: number;
  bytes: number;
}

interface AgeRow extends Tally {
  small: number;
  smallBytes: number;
}

/** A bounded min-heap on size: keeps the N largest objects seen so far in O(log N) per object. */
export class LargestHeap<T extends ObjectEntry = ObjectEntry> {
  private readonly items: T[] = [];
  constructor(private readonly limit: number) {}

  offer(e: T): void {
    const h = this.items;
    if (h.length < this.limit) {
      h.push(e);
      this.up(h.length - 1);
    } else if (this.limit > 0 && e.size > (h[0]?.size ?? 0)) {
      h[0] = e;
      this.down(0);
    }
  }

  sorted(): T[] {
    return [...this.items].sort((a, b) => b.size - a.size || a.key.localeCompare(b.key));
  }

  private swap(i: number, j: number): void {
    const t = this.items[i] as T;
    this.items[i] = this.items[j] as T;
    this.items[j] = t;
  }

  private size(i: number): number {
    return this.items[i]?.size ?? Infinity;
  }

  private up(i: number): void {
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (this.size(p) <= this.size(i)) return;
      this.swap(p, i);
      i = p;
    }
  }

  private down(i: number): void {
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < this.items.length && this.size(l) < this.size(m)) m = l;
      if (r < this.items.length && this.size(r) < this.size(m)) m = r;
      if (m === i) return;
      this.swap(i, m);
      i = m;
    }
  }
}

function add(map: Map<string, Tally>, key: string, bytes: number): void {
  const t = map.get(key);
  if (t) {
    t.count += 1;
    t.bytes += bytes;
  } else map.set(key, { count: 1, bytes });
}

function ageBucket(days: number | undefined): AgeBucket {
  if (days === undefined) return 'unknown';
  if (days < 30) return '<30d';
  if (days < 90) return '30-90d';
  if (days < 365) return '90-365d';
  return '>1y';
}

/**
 * Scans everything under `prefix` with a flat listing, one page at a time, folding each page into totals so that
 * memory stays bounded whatever the bucket holds: maps keyed by class, category, age day (at most 3,651 per
 * class) and prefix (at most `maxPrefixes` per depth), and a heap of the largest objects.
 */
export async function scanPrefix(provider: Pick<Provider, 'list'> & Partial<Pick<Provider, 'versioning'>>, bucket: string, prefix: string, options: ScanOptions = {}): Promise<ScanTotals> {
  const { signal, onProgress } = options;
  const now = (options.now ?? new Date()).getTime();
  const top = options.top ?? 50;
  const maxPrefixes = options.maxPrefixes ?? 10_000;
  const interval = options.progressIntervalMs ?? 250;
  const byClass = new Map<string, Tally & { smallObjects: number; smallBytes: number }>();
  const byCategory = new Map<string, Tally>();
  const byAge = new Map<string, Tally>();
  const ages = new Map<string, Map<number, AgeRow>>();
  const prefixes = [new Map<string, Tally>(), new Map<string, Tally>()];
  const largest = new LargestHeap(top);
  let prefixesTruncated = false;
  let objects = 0;
  let bytes = 0;
  let pages = 0;
  let lastKey: string | undefined;
  let lastReport = 0;
  const report = (force: boolean): void => {
    if (!onProgress || (!force && Date.now() - lastReport < interval)) return;
    lastReport = Date.now();
    onProgress(lastKey === undefined ? { objects, bytes, pages } : { objects, bytes, pages, lastKey });
  };

  let cursor: string | undefined;
  do {
    if (signal?.aborted) throw new CancelledError('Scan cancelled');
    const page = await provider.list(bucket, { prefix, cursor, pageSize: options.pageSize ?? 1000 }, signal);
    pages += 1;
    for (const e of page.entries) {
      if (e.isPrefix) continue;
      objects += 1;
      bytes += e.size;
      lastKey = e.key;
      const cls = e.storageClass || DEFAULT_CLASS_KEY;
      const c = byClass.get(cls) ?? { count: 0, bytes: 0, smallObjects: 0, smallBytes: 0 };
      c.count += 1;
      c.bytes += e.size;
      if (e.size < SMALL_OBJECT_BYTES) {
        c.smallObjects += 1;
        c.smallBytes += e.size;
      }
      byClass.set(cls, c);
      add(byCategory, categoryOf(e.key), e.size);
      const modified = e.modified ? Date.parse(e.modified) : NaN;
      const days = Number.isNaN(modified) ? undefined : Math.min(AGE_HISTOGRAM_MAX_DAYS, Math.max(0, Math.floor((now - modified) / DAY_MS)));
      add(byAge, ageBucket(days), e.size);
      if (days !== undefined) {
        let h = ages.get(cls);
        if (!h) ages.set(cls, (h = new Map()));
        const row = h.get(days) ?? { count: 0, bytes: 0, small: 0, smallBytes: 0 };
        row.count += 1;
        row.bytes += e.size;
        if (e.size < SMALL_OBJECT_BYTES) {
          row.small += 1;
          row.smallBytes += e.size;
        }
        h.set(days, row);
      }
      largest.offer(e);
      const segments = e.key.slice(prefix.length).split('/');
      for (let depth = 1; depth <= 2 && depth < segments.length; depth++) {
        const p = `${prefix}${segments.slice(0, depth).join('/')}/`;
        const map = prefixes[depth - 1] as Map<string, Tally>;
        if (map.has(p) || map.size < maxPrefixes) add(map, p, e.size);
        else prefixesTruncated = true;
      }
    }
    cursor = page.cursor;
    report(false);
  } while (cursor);
  const versions = provider.versioning && options.versions !== false ? await scanVersions(provider.versioning, bucket, prefix, signal, () => report(false)) : undefined;
  if (versions) {
    bytes += versions.noncurrent.bytes;
    for (const [cls, t] of versions.byClass) {
      const c = byClass.get(cls) ?? { count: 0, bytes: 0, smallObjects: 0, smallBytes: 0 };
      c.count += t.count;
      c.bytes += t.bytes;
      c.smallObjects += t.smallObjects;
      c.smallBytes += t.smallBytes;
      byClass.set(cls, c);
    }
  }
  report(true);

  const topPrefixes = prefixes.flatMap((map, i) =>
    [...map].sort((a, b) => b[1].bytes - a[1].bytes || a[0].localeCompare(b[0])).slice(0, top).map(([p, t]) => ({ prefix: p, depth: i + 1, ...t })),
  );
  return {
    objects,
    bytes,
    byClass: Object.fromEntries(byClass),
    byCategory: Object.fromEntries(byCategory),
    byAge: Object.fromEntries(byAge),
    ageHistogram: Object.fromEntries([...ages].map(([cls, h]) => [cls, [...h].sort((a, b) => a[0] - b[0]).map(([d, t]) => [d, t.count, t.bytes, t.small, t.smallBytes] as [number, number, number, number, number])])),
    largest: largest.sorted().map((e) => ({ key: e.key, size: e.size, ...(e.storageClass ? { storageClass: e.storageClass } : {}), ...(e.modified ? { modified: e.modified } : {}) })),
    largestPrefixes: topPrefixes,
    prefixesTruncated,
    ...(versions ? { versions: { noncurrent: versions.noncurrent, deleteMarkers: versions.deleteMarkers } } : {}),
    scannedAt: new Date(now).toISOString(),
  };
}

interface VersionTally {
  noncurrent: Tally;
  deleteMarkers: number;
  byClass: Map<string, Tally & { smallObjects: number; smallBytes: number }>;
}

/**
 * The versions kept beside the current objects under `prefix` (a second, flat listing of versions): noncurrent
 * versions, snapshots and soft-deleted blobs by class, and delete markers (S3 bills a marker as its key's bytes:
 * counted, not sized).
 */
async function scanVersions(versioning: ObjectVersioning, bucket: string, prefix: string, signal: AbortSignal | undefined, onPage: () => void): Promise<VersionTally> {
  const tally: VersionTally = { noncurrent: { count: 0, bytes: 0 }, deleteMarkers: 0, byClass: new Map() };
  // A bucket the service says keeps nothing beside its current objects is not listed a second time; when it cannot
  // say (an error reading its settings), the versions are listed.
  if (!(await versioning.keepsVersions(bucket, signal).catch(() => true))) return tally;
  let cursor: string | undefined;
  do {
    if (signal?.aborted) throw new CancelledError('Scan cancelled');
    const page = await versioning.listAll(bucket, { prefix, cursor }, signal);
    for (const v of page.versions) {
      if (v.kind === 'delete-marker') {
        tally.deleteMarkers += 1;
        continue;
      }
      if (v.isCurrent) continue;
      tally.noncurrent.count += 1;
      tally.noncurrent.bytes += v.size;
      const cls = v.storageClass || DEFAULT_CLASS_KEY;
      const c = tally.byClass.get(cls) ?? { count: 0, bytes: 0, smallObjects: 0, smallBytes: 0 };
      c.count += 1;
      c.bytes += v.size;
      if (v.size < SMALL_OBJECT_BYTES) {
        c.smallObjects += 1;
        c.smallBytes += v.size;
      }
      tally.byClass.set(cls, c);
    }
    cursor = page.cursor;
    onPage();
  } while (cursor);
  return tally;
}
