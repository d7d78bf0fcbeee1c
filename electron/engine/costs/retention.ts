import { createReadStream } from 'node:fs';
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { RetentionAction, RetentionCaution, RetentionSampleEntry } from '../../../shared/contract/retention.channels';
import type { ProviderKind } from '../../../shared/location';
import type { PriceCatalog, RegionPricing, StorageClassPricing } from '../../../shared/contract/costs.catalog';
import type { CostLine } from '../../../shared/contract/costs.estimate';
import { CancelledError, UnsupportedError } from '../../../shared/errors';
import type { ObjectVersioning, Provider } from '../providers/provider';
import { earlyDeletion, gb, line, requests, retrieval, sumLines } from './estimator';
import { findClass, findClassOrDefault, findRegion } from './lookup';
import { DEFAULT_CLASS_KEY, LargestHeap, SMALL_OBJECT_BYTES } from './scan';
import { keepingCost, type PricingPlace } from './what-if';

const DAY_MS = 86_400_000;
/** Matches per file of the saved list: a page is read, turned into job files and let go. */
export const MATCHES_PER_PAGE = 5000;

/** One saved match: what the run needs to act on it and check it first, and to price it afterwards. */
export interface RetentionMatch {
  key: string;
  size: number;
  etag?: string;
  storageClass?: string;
  modified: string;
  /** What needs care before the action (RetentionCautionSchema). */
  cautions?: RetentionCaution[];
  /** The noncurrent version to delete (action delete-noncurrent); `modified` is then when it stopped being current. */
  version?: string;
}

/** S3 classes whose objects must be restored before they can be read or copied (GLACIER_IR reads at once). */
const S3_RESTORE_FIRST = new Set(['GLACIER', 'DEEP_ARCHIVE']);

/**
 * Whether a class change can act on an object of this class at once: an archived S3 object must be restored first
 * (the change is a copy); an Azure blob in Archive takes the new tier directly but rehydrates for hours. GCS ARCHIVE
 * is read at once, so nothing applies there (its 365-day minimum shows as early deletion).
 */
export function archiveCaution(kind: ProviderKind, action: RetentionAction, storageClass: string | undefined): RetentionCaution | undefined {
  if (action.kind !== 'set-class' || !storageClass) return undefined;
  if (kind === 's3' && S3_RESTORE_FIRST.has(storageClass.toUpperCase())) return 'needs-restore';
  if (kind === 'azure' && storageClass.toLowerCase() === 'archive') return 'rehydration';
  return undefined;
}

/**
 * The preview's matches on disk, as JSON lines in numbered pages (`matches-00000.jsonl`, …), so that a preview of
 * millions of objects holds one page in memory, and the run acts on exactly what the preview counted.
 */
export class MatchList {
  private page: string[] = [];
  private pages = 0;

  constructor(readonly dir: string) {}

  async reset(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true });
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
  }

  async add(m: RetentionMatch): Promise<void> {
    this.page.push(JSON.stringify(m));
    if (this.page.length >= MATCHES_PER_PAGE) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.page.length === 0) return;
    await writeFile(path.join(this.dir, `matches-${String(this.pages).padStart(5, '0')}.jsonl`), `${this.page.join('\n')}\n`, { mode: 0o600 });
    this.pages += 1;
    this.page = [];
  }

  /** Every match in the order found, one page at a time. */
  async *read(): AsyncGenerator<RetentionMatch> {
    const files = (await readdir(this.dir).catch(() => [] as string[])).filter((f) => /^matches-\d+\.jsonl$/.test(f)).sort();
    for (const f of files) {
      const lines = createInterface({ input: createReadStream(path.join(this.dir, f), 'utf8'), crlfDelay: Infinity });
      for await (const l of lines) if (l) yield JSON.parse(l) as RetentionMatch;
    }
  }
}

interface ClassTally {
  count: number;
  bytes: number;
  smallObjects: number;
  smallBytes: number;
}

export interface RetentionPricing {
  currentMonthlyUsd: number;
  newMonthlyUsd: number;
  monthlySavingUsd: number;
  oneTime: CostLine[];
  oneTimeUsd: number;
  notes: string[];
}

/**
 * Prices a set of objects before and after the action: the monthly storage they cost now (by class, small objects
 * billed at their class minimum), what they cost after (nothing for a delete; the target class for a change), and
 * what the action costs once (class-change requests, retrieval out of a cold class, early deletion for objects
 * younger than their class's minimum storage duration).
 */
export class RetentionTally {
  readonly byClass = new Map<string, ClassTally>();
  private readonly early = new Map<string, { cls: StorageClassPricing; gbMonths: number; count: number }>();
  private readonly classes = new Map<string, StorageClassPricing>();
  private readonly notes: string[] = [];
  private readonly region: RegionPricing;
  count = 0;
  bytes = 0;

  constructor(
    private readonly catalog: PriceCatalog,
    private readonly place: PricingPlace,
    private readonly action: RetentionAction,
  ) {
    this.region = findRegion(catalog, place.provider, place.region);
  }

  classOf(storageClass: string | undefined): StorageClassPricing {
    const key = storageClass || DEFAULT_CLASS_KEY;
    let c = this.classes.get(key);
    if (!c) {
      c = findClassOrDefault(this.region, storageClass || undefined, this.notes);
      this.classes.set(key, c);
    }
    return c;
  }

  /** True when an object of this class is already where a class change would put it (by name or catalog alias). */
  inTargetClass(storageClass: string | undefined): boolean {
    if (this.action.kind !== 'set-class') return false;
    const want = this.action.storageClass.toLowerCase();
    const have = (storageClass || this.region.defaultClass).toLowerCase();
    if (have === want) return true;
    try {
      return findClass(this.region, have).id === findClass(this.region, want).id;
    } catch {
      return false;
    }
  }

  /** Counts and prices one match; answers true when it is younger than its class's minimum storage duration. */
  add(m: RetentionMatch, now: number): boolean {
    this.count += 1;
    this.bytes += m.size;
    const key = m.storageClass || DEFAULT_CLASS_KEY;
    const t = this.byClass.get(key) ?? { count: 0, bytes: 0, smallObjects: 0, smallBytes: 0 };
    t.count += 1;
    t.bytes += m.size;
    if (m.size < SMALL_OBJECT_BYTES) {
      t.smallObjects += 1;
      t.smallBytes += m.size;
    }
    this.byClass.set(key, t);
    const cls = this.classOf(m.storageClass);
    const ageDays = Math.max(0, (now - Date.parse(m.modified)) / DAY_MS);
    const early = earlyDeletion(m.size, ageDays, cls);
    if (early) {
      const e = this.early.get(cls.id) ?? { cls, gbMonths: 0, count: 0 };
      e.gbMonths += early.quantity;
      e.count += 1;
      this.early.set(cls.id, e);
    }
    return early !== null;
  }

  price(): RetentionPricing {
    const notes = [...this.notes];
    const byClass = Object.fromEntries(this.byClass);
    const current = keepingCost(this.catalog, this.place, { byClass });
    const oneTime: CostLine[] = [];
    let newMonthlyUsd = 0;
    if (this.action.kind === 'set-class' && this.count > 0) {
      const target = this.classOf(this.action.storageClass);
      const moved: ClassTally = { count: 0, bytes: 0, smallObjects: 0, smallBytes: 0 };
      for (const t of this.byClass.values()) {
        moved.count += t.count;
        moved.bytes += t.bytes;
        moved.smallObjects += t.smallObjects;
        moved.smallBytes += t.smallBytes;
      }
      newMonthlyUsd = keepingCost(this.catalog, this.place, { byClass: { [this.action.storageClass]: moved } }).monthlyUsd;
      oneTime.push(requests('transition', `Change of class to ${target.name}`, this.count, target.writeUsdPer1000));
      for (const [key, t] of this.byClass) {
        const r = retrieval(t.bytes, this.classOf(key === DEFAULT_CLASS_KEY ? undefined : key));
        if (r) oneTime.push(r);
      }
      if (target.minStorageDays) notes.push(`${target.name} bills at least ${target.minStorageDays.value} days: objects deleted or moved out sooner pay the rest.`);
      if (target.retrievalUsdPerGb) notes.push(`Reading from ${target.name} later costs $${target.retrievalUsdPerGb.value}/GB in retrieval.`);
      if (target.minBillableObjectBytes && moved.smallObjects > 0) {
        notes.push(`${moved.smallObjects.toLocaleString('en-US')} objects are under ${target.minBillableObjectBytes.value / 1024} KiB: ${target.name} bills each as that size (included).`);
      }
    }
    for (const e of this.early.values()) {
      const price = e.cls.storageUsdPerGbMonth[0]?.usdPerGb;
      if (!price) continue;
      oneTime.push(line('early-deletion', `Early deletion from ${e.cls.name}: ${e.count.toLocaleString('en-US')} objects younger than ${e.cls.minStorageDays?.value ?? 0} days`, e.gbMonths, 'GB-month', price));
      notes.push(`${e.count.toLocaleString('en-US')} objects are younger than the ${e.cls.minStorageDays?.value ?? 0}-day minimum of ${e.cls.name}: ${this.action.kind === 'set-class' ? 'moving' : 'deleting'} them now is billed the remaining days.`);
    }
    if (this.action.kind === 'delete') notes.push('In a bucket that keeps versions, a deleted object leaves its old version billed until it is expired or removed.');
    notes.push(...current.notes.filter((n) => !n.startsWith('Storage only')));
    notes.push(`Storage at list prices for these objects alone (${gb(this.bytes).toFixed(3)} GB); requests and egress are not included.`);
    const oneTimeUsd = sumLines(oneTime);
    return {
      currentMonthlyUsd: current.monthlyUsd,
      newMonthlyUsd,
      monthlySavingUsd: current.monthlyUsd - newMonthlyUsd,
      oneTime,
      oneTimeUsd,
      notes: [...new Set(notes)],
    };
  }
}

export interface RetentionScanOptions {
  olderThanDays: number;
  action: RetentionAction;
  catalog: PriceCatalog;
  place: PricingPlace;
  /** Where the matches go (reset first). */
  matches: MatchList;
  signal?: AbortSignal;
  onProgress?: (p: { listed: number; matched: number; matchedBytes: number; pages: number }) => void;
  progressIntervalMs?: number;
  pageSize?: number;
  /** How many of the largest matches to keep for display (default 100). */
  sampleSize?: number;
  now?: Date;
}

export interface RetentionScanResult extends RetentionPricing {
  cutoff: string;
  listed: number;
  matched: number;
  matchedBytes: number;
  alreadyInClass: number;
  undated: number;
  byClass: Record<string, { count: number; bytes: number }>;
  cautions: Record<RetentionCaution, { count: number; bytes: number }>;
  sample: RetentionSampleEntry[];
  cautionSample: RetentionSampleEntry[];
}

/**
 * What both previews keep while they walk a listing: the priced tally, the largest matches for display (all, and
 * those needing care), the cautions counted, and progress. Memory is the tally, the two sample heaps and one page
 * of matches in the match list.
 */
class PreviewCollector {
  readonly tally: RetentionTally;
  readonly cutoff: number;
  readonly now: number;
  listed = 0;
  pages = 0;
  undated = 0;
  private readonly sample: LargestHeap<RetentionSampleEntry>;
  private readonly cautionSample: LargestHeap<RetentionSampleEntry>;
  private readonly cautions: RetentionScanResult['cautions'] = { 'needs-restore': { count: 0, bytes: 0 }, rehydration: { count: 0, bytes: 0 }, 'early-deletion': { count: 0, bytes: 0 } };
  private lastReport = 0;

  constructor(private readonly options: RetentionScanOptions) {
    this.now = (options.now ?? new Date()).getTime();
    this.cutoff = this.now - options.olderThanDays * DAY_MS;
    this.tally = new RetentionTally(options.catalog, options.place, options.action);
    this.sample = new LargestHeap<RetentionSampleEntry>(options.sampleSize ?? 100);
    this.cautionSample = new LargestHeap<RetentionSampleEntry>(options.sampleSize ?? 100);
  }

  /** Tallies one match (its early-deletion caution comes from the tally), keeps it for display and writes it out. */
  async add(m: RetentionMatch, entry: RetentionSampleEntry, flags: RetentionCaution[]): Promise<void> {
    if (this.tally.add(m, this.now)) flags.push('early-deletion');
    for (const c of flags) {
      this.cautions[c].count += 1;
      this.cautions[c].bytes += m.size;
    }
    if (flags.length > 0) {
      m.cautions = flags;
      this.cautionSample.offer({ ...entry, cautions: flags });
      this.sample.offer({ ...entry, cautions: flags });
    } else {
      this.sample.offer(entry);
    }
    await this.options.matches.add(m);
  }

  report(force: boolean): void {
    const { onProgress } = this.options;
    if (!onProgress || (!force && Date.now() - this.lastReport < (this.options.progressIntervalMs ?? 250))) return;
    this.lastReport = Date.now();
    onProgress({ listed: this.listed, matched: this.tally.count, matchedBytes: this.tally.bytes, pages: this.pages });
  }

  /** Walks the pages `next` returns until it gives no cursor, checking for cancel between pages. */
  async walk(next: (cursor: string | undefined) => Promise<string | undefined>): Promise<void> {
    await this.options.matches.reset();
    let cursor: string | undefined;
    do {
      if (this.options.signal?.aborted) throw new CancelledError('Preview cancelled');
      cursor = await next(cursor);
      this.pages += 1;
      this.report(false);
    } while (cursor);
    await this.options.matches.flush();
    this.report(true);
  }

  /** The priced result; `notes` decides the sentences around the priced lines. */
  result(alreadyInClass: number, notes: (priced: RetentionPricing, cautions: RetentionScanResult['cautions']) => void): RetentionScanResult {
    const priced = this.tally.price();
    notes(priced, this.cautions);
    return {
      ...priced,
      cutoff: new Date(this.cutoff).toISOString(),
      listed: this.listed,
      matched: this.tally.count,
      matchedBytes: this.tally.bytes,
      alreadyInClass,
      undated: this.undated,
      byClass: Object.fromEntries([...this.tally.byClass].map(([k, t]) => [k, { count: t.count, bytes: t.bytes }])),
      cautions: this.cautions,
      sample: this.sample.sorted(),
      cautionSample: this.cautionSample.sorted(),
    };
  }
}

/**
 * Lists everything under `prefix` one page at a time, keeps the objects last modified before now - N days
 * (for a class change, those not already in the target class), writes them to the match list, and prices them.
 * Memory is one listing page, one page of matches, a per-class tally and the sample heap.
 */
export async function previewRetention(provider: Pick<Provider, 'list' | 'kind'> & Partial<Pick<Provider, 'versioning'>>, bucket: string, prefix: string, options: RetentionScanOptions): Promise<RetentionScanResult> {
  if (options.action.kind === 'delete-noncurrent') {
    if (!provider.versioning) throw new UnsupportedError('This store keeps no object versions');
    return previewNoncurrent(provider.versioning, bucket, prefix, options);
  }
  const run = new PreviewCollector(options);
  let alreadyInClass = 0;
  await run.walk(async (cursor) => {
    const page = await provider.list(bucket, { prefix, cursor, pageSize: options.pageSize ?? 1000 }, options.signal);
    for (const e of page.entries) {
      if (e.isPrefix || e.key.endsWith('/')) continue;
      run.listed += 1;
      const modified = e.modified ? Date.parse(e.modified) : NaN;
      if (Number.isNaN(modified)) {
        run.undated += 1;
        continue;
      }
      if (modified >= run.cutoff) continue;
      if (run.tally.inTargetClass(e.storageClass)) {
        alreadyInClass += 1;
        continue;
      }
      const m: RetentionMatch = { key: e.key, size: e.size, modified: new Date(modified).toISOString() };
      if (e.etag !== undefined) m.etag = e.etag;
      if (e.storageClass) m.storageClass = e.storageClass;
      const archived = archiveCaution(provider.kind, options.action, e.storageClass);
      await run.add(m, e, archived ? [archived] : []);
    }
    return page.cursor;
  });
  return run.result(alreadyInClass, (priced, cautions) => {
    if (run.undated > 0) priced.notes.push(`${run.undated.toLocaleString('en-US')} objects report no modification time and were left out.`);
    priced.notes.unshift(...cautionNotes(cautions, options.action));
    if (alreadyInClass > 0) priced.notes.push(`${alreadyInClass.toLocaleString('en-US')} older objects are already in that class and were left out.`);
  });
}

const plural = (n: number, one: string, many: string): string => `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;

/** The sentences a preview leads with when some matches need care (the early-deletion fee itself is a priced line). */
function cautionNotes(c: RetentionScanResult['cautions'], action: RetentionAction): string[] {
  const notes: string[] = [];
  const restore = c['needs-restore'].count;
  if (restore > 0 && action.kind === 'set-class') {
    notes.push(`${plural(restore, 'object is', 'objects are')} archived (S3 Glacier Flexible Retrieval or Deep Archive): S3 cannot copy ${restore === 1 ? 'it' : 'them'} to ${action.storageClass} until restored (RestoreObject, hours), so the run fails on any not restored first.`);
  }
  const rehydrate = c.rehydration.count;
  if (rehydrate > 0 && action.kind === 'set-class') {
    notes.push(`${plural(rehydrate, 'blob is', 'blobs are')} in the Archive tier: setting ${action.storageClass} starts a rehydration that takes up to 15 hours (Standard priority); ${rehydrate === 1 ? 'it stays' : 'they stay'} unreadable and billed as Archive until it ends.`);
  }
  return notes;
}

/**
 * The preview of a delete of noncurrent versions: every version under `prefix` that stopped being current before
 * now - N days (the next newer version's date, or the service's own noncurrent time). Current objects, delete
 * markers and soft-deleted blobs never match. A version whose listing cannot say when it stopped being current (its
 * newer version on another page) is left out and counted as undated: its own write date could be far older than
 * the day it stopped being current.
 */
async function previewNoncurrent(versioning: ObjectVersioning, bucket: string, prefix: string, options: RetentionScanOptions): Promise<RetentionScanResult> {
  const run = new PreviewCollector(options);
  await run.walk(async (cursor) => {
    const page = await versioning.listAll(bucket, { prefix, cursor }, options.signal);
    for (const v of page.versions) {
      run.listed += 1;
      if (v.isCurrent || (v.kind !== 'version' && v.kind !== 'snapshot') || v.key.endsWith('/')) continue;
      const since = Date.parse(v.noncurrentSince ?? '');
      if (Number.isNaN(since)) {
        run.undated += 1;
        continue;
      }
      if (since >= run.cutoff) continue;
      const m: RetentionMatch = { key: v.key, size: v.size, modified: new Date(since).toISOString(), version: v.versionId };
      if (v.etag !== undefined) m.etag = v.etag;
      if (v.storageClass) m.storageClass = v.storageClass;
      const entry: RetentionSampleEntry = { key: v.key, name: v.key.slice(v.key.lastIndexOf('/') + 1), isPrefix: false, size: v.size, modified: m.modified, ...(v.storageClass ? { storageClass: v.storageClass } : {}) };
      await run.add(m, entry, []);
    }
    return page.cursor;
  });
  return run.result(0, (priced) => {
    if (run.undated > 0) priced.notes.push(`${run.undated.toLocaleString('en-US')} versions do not say since when they are noncurrent and were left out.`);
    priced.notes.push('Only noncurrent versions are deleted: the current objects stay as they are.');
  });
}
