import type { CostEstimate } from '../../../shared/contract/costs.estimate';
import { CancelledError, InvalidInputError, NotFoundError } from '../../../shared/errors';
import type { Location } from '../../../shared/location';
import type { ObjectEntry } from '../../../shared/model';
import type { MigrationRequest, PlanDestinationSummary, PlanGroup, PlanItem } from '../../../shared/contract/migrations.channels';
import type { Provider } from '../providers/provider';
import { compareObjects, Side, type Verdict } from './compare';
import { escapeGlob, globFilter } from './glob';
import { asPrefix, compareKeys, flatListing, scopedListing, UnsortedListingError } from './keys';
import { canPull } from '../jobs/cloud-pull';
import { mapMetadata, metadataAtRisk } from '../jobs/metadata-map';
import { DestinationNamer, type NameDecision } from './names';
import type { ListWriter } from './plan-store';

/** Past this many objects on one side, an unsorted listing is refused rather than held in memory. */
export const IN_MEMORY_LIMIT = 500_000;
/** Names that need mapping (local folders) are held in memory; past this, the plan stops with a clear message. */
export const MAPPED_NAMES_LIMIT = 100_000;
const BATCH = 256;
const STAT_CONCURRENCY = 8;
const DAY_MS = 86_400_000;

export interface PlannerDeps {
  resolve(uri: string): { provider: Provider; location: Location };
  /** Prices the copy of `bytes` in `files` objects from one account to another; null when it cannot. */
  estimate?(input: { source: Location; destination: Location; files: number; bytes: number; sizes?: number[]; path: 'server-side' | 'relay' | 'cloud-pull' }): Promise<CostEstimate | null>;
}

export interface PlanInput {
  request: MigrationRequest;
  writer: ListWriter;
  signal: AbortSignal;
  onProgress?: (compared: number) => void;
  /** Clears one destination's lists before a retry in memory (an unsorted listing). */
  clearDestination?: (dest: number) => Promise<void>;
  /** The reference time for age filters (tests). */
  now?: number;
  /** Only these paths relative to the source and destination prefixes (MigrationSummary.paths); absent: everything. */
  paths?: readonly string[];
}

export interface PlanOutcome {
  destinations: PlanDestinationSummary[];
  source: { objects: number; bytes: number; filteredOut: number };
  reads: { listPages: number; heads: number };
  notes: string[];
}

/** The list file of one group at one destination. */
export function listName(group: PlanGroup, dest: number): `${PlanGroup}-${number}` {
  return `${group}-${dest}`;
}

function emptySummary(uri: string, path: PlanDestinationSummary['path']): PlanDestinationSummary {
  const z = (): { count: number; bytes: number } => ({ count: 0, bytes: 0 });
  return { uri, new: z(), changed: z(), unchanged: z(), extra: z(), nameIssues: 0, metadataIssues: 0, notCopyable: 0, destinationObjects: 0, checksumKinds: {}, estimate: null, path };
}

type Emit = Array<[PlanGroup, PlanItem]>;

/**
 * Builds a migration plan with reads only (list, stat, and a local file's hash): both sides' flat listings are
 * paged in key order and merge-joined, so memory holds a page per side and a batch of comparisons whatever the
 * bucket size. Every object lands in one group (new, changed with its reason, unchanged, extra) per destination,
 * plus the names the destination cannot hold and the metadata it will rename or drop.
 */
export async function planMigration(deps: PlannerDeps, input: PlanInput): Promise<PlanOutcome> {
  const { request, signal } = input;
  const src = deps.resolve(request.source);
  if (!src.location.bucket) throw new InvalidInputError(`${request.source} is an account: choose a bucket or a folder in one`);
  const srcPrefix = asPrefix(src.location.key);
  const outcome: PlanOutcome = { destinations: [], source: { objects: 0, bytes: 0, filteredOut: 0 }, reads: { listPages: 0, heads: 0 }, notes: [] };
  const counter = { listPages: 0, heads: 0 };
  const f = request.filters;
  // The quarantine folder (inside each destination prefix) holds what earlier mirrors moved aside: it is
  // neither compared nor deleted, on either side.
  const q = request.deletions.quarantinePrefix;
  const nameOk = globFilter(f.include, q === undefined ? f.exclude : [...(f.exclude ?? []), `/${escapeGlob(asPrefix(q))}**`]);
  const now = input.now ?? Date.now();
  const passes = (e: ObjectEntry, rel: string): boolean => {
    if (!nameOk(rel)) return false;
    if (f.minSize !== undefined && e.size < f.minSize) return false;
    if (f.maxSize !== undefined && e.size > f.maxSize) return false;
    if (f.minAgeDays !== undefined || f.maxAgeDays !== undefined) {
      const t = e.modified ? Date.parse(e.modified) : NaN;
      if (!Number.isFinite(t)) return false;
      const age = (now - t) / DAY_MS;
      if (f.minAgeDays !== undefined && age < f.minAgeDays) return false;
      if (f.maxAgeDays !== undefined && age > f.maxAgeDays) return false;
    }
    return true;
  };
  let compared = 0;
  const tick = (): void => {
    compared++;
    if (compared % 100 === 0) input.onProgress?.(compared);
  };

  for (const [d, uri] of request.destinations.entries()) {
    const dst = deps.resolve(uri);
    if (!dst.location.bucket) throw new InvalidInputError(`${uri} is an account: choose a bucket or a folder to migrate into`);
    if (dst.location.account === src.location.account && dst.location.bucket === src.location.bucket) {
      const a = asPrefix(dst.location.key);
      if (a.startsWith(srcPrefix) || srcPrefix.startsWith(a)) throw new InvalidInputError(`${uri} overlaps the source ${request.source}: choose a destination outside it`);
    }
    const serverSide = request.options.allowServerSide && dst.location.account === src.location.account && typeof src.provider.copy === 'function';
    // The job's own choice (jobs/transfer.ts choosePath): server-side, else a cloud-side pull when allowed and possible, else the relay.
    const pull = !serverSide && request.options.allowCloudPull && canPull({ provider: src.provider, bucket: '', key: '' }, { provider: dst.provider, bucket: '', key: '' });
    const ctx: DestCtx = { d, uri, src, dst, srcPrefix, dstPrefix: asPrefix(dst.location.key), passes, tick, counter, request, writer: input.writer, signal, path: serverSide ? 'server-side' : pull ? 'cloud-pull' : 'relay', sizes: [], countSource: d === 0 ? outcome.source : undefined, paths: input.paths };
    let summary: PlanDestinationSummary;
    try {
      summary = await planDestination(ctx, false);
    } catch (e) {
      if (!(e instanceof UnsortedListingError)) throw e;
      // Merge-join needs key order; a store that does not list in it is joined in memory, within a clear limit.
      outcome.notes.push(`A listing was not in key order (${e.message}); ${uri} was compared in memory (limit ${IN_MEMORY_LIMIT.toLocaleString('en-US')} objects a side).`);
      await input.writer.flush();
      await input.clearDestination?.(d);
      if (d === 0) outcome.source = { objects: 0, bytes: 0, filteredOut: 0 };
      ctx.countSource = d === 0 ? outcome.source : undefined;
      ctx.sizes = [];
      summary = await planDestination(ctx, true);
    }
    const files = summary.new.count + summary.changed.count;
    const bytes = summary.new.bytes + summary.changed.bytes;
    summary.estimate = deps.estimate
      ? await deps.estimate({ source: src.location, destination: dst.location, files, bytes, ...(ctx.sizes.length <= 100_000 ? { sizes: ctx.sizes } : {}), path: summary.path }).catch(() => null)
      : null;
    const bySize = summary.checksumKinds.size ?? 0;
    if (request.compare === 'size+checksum' && bySize > 0) {
      outcome.notes.push(`${bySize} objects at ${uri} were compared by size only: no checksum both sides give (each one's reason says which were missing).`);
    }
    if (summary.estimate === null) outcome.notes.push(`No cost estimate for ${uri}: the price catalog has no entry for one of the accounts.`);
    outcome.destinations.push(summary);
    if (dst.provider.kind === 'local' && ctx.markers) outcome.notes.push(`${ctx.markers} folder markers are not copied to the local folder ${uri} (folders are made as files arrive).`);
  }
  if (request.options.storageClass !== undefined && outcome.destinations.some((d) => d.path === 'server-side')) {
    outcome.notes.push(`A server-side copy keeps the source's storage class; ${request.options.storageClass} applies to objects copied through this computer.`);
  }
  if (request.options.allowCloudPull && outcome.destinations.some((d) => d.path === 'cloud-pull')) {
    outcome.notes.push('Cloud-side pull: Azure fetches each object from a short-lived signed link of the source; an object it cannot fetch is copied through this computer, and its report says so.');
  } else if (request.options.allowCloudPull && outcome.destinations.some((d) => d.path === 'relay')) {
    outcome.notes.push('Cloud-side pull needs an Azure destination and a source that can sign read links (S3, GCS with a private key, Azure with a shared key): these objects go through this computer (relay).');
  }
  await input.writer.flush();
  input.onProgress?.(compared);
  outcome.reads = { ...counter };
  return outcome;
}

interface DestCtx {
  d: number;
  uri: string;
  src: { provider: Provider; location: Location };
  dst: { provider: Provider; location: Location };
  srcPrefix: string;
  dstPrefix: string;
  passes(e: ObjectEntry, rel: string): boolean;
  tick(): void;
  counter: { listPages: number; heads: number };
  request: MigrationRequest;
  writer: ListWriter;
  signal: AbortSignal;
  path: PlanDestinationSummary['path'];
  sizes: number[];
  countSource: { objects: number; bytes: number; filteredOut: number } | undefined;
  markers?: number;
  paths: readonly string[] | undefined;
}

async function* sorted(entries: AsyncIterable<ObjectEntry>, what: string): AsyncGenerator<ObjectEntry> {
  const all: ObjectEntry[] = [];
  for await (const e of entries) {
    if (all.length >= IN_MEMORY_LIMIT) throw new InvalidInputError(`${what} holds more than ${IN_MEMORY_LIMIT.toLocaleString('en-US')} objects and does not list them in key order: migrate it in smaller prefixes`);
    all.push(e);
  }
  all.sort((a, b) => compareKeys(a.key, b.key));
  yield* all;
}

async function planDestination(c: DestCtx, inMemory: boolean): Promise<PlanDestinationSummary> {
  const summary = emptySummary(c.uri, c.path);
  const { src, dst, signal } = c;
  const listing = (side: 'src' | 'dst'): AsyncGenerator<ObjectEntry> => {
    const p = side === 'src' ? src : dst;
    const prefix = side === 'src' ? c.srcPrefix : c.dstPrefix;
    const raw = c.paths ? scopedListing(p.provider, p.location.bucket, prefix, c.paths, signal, c.counter) : flatListing(p.provider, p.location.bucket, prefix, signal, c.counter, !inMemory);
    return inMemory ? sorted(raw, side === 'src' ? c.request.source : c.uri) : raw;
  };
  const isLocal = dst.provider.kind === 'local';
  const namer = new DestinationNamer(dst.provider.features, c.dstPrefix, isLocal);
  const keepsMetadata = dst.provider.kind !== 'local';
  const checkMetadata = c.request.options.preserveMetadata && metadataAtRisk(src.provider.features, dst.provider.features, keepsMetadata);
  const skipMarker = (rel: string): boolean => isLocal && rel.endsWith('/');

  // Local folders rename some keys, and a renamed key no longer sorts where its source did: those (rare) names
  // are decided first, in one extra listing of the source, and matched by lookup during the merge.
  const decisions = new Map<string, NameDecision>();
  const renamedTargets = new Map<string, ObjectEntry>();
  if (isLocal) {
    for await (const e of listing('src')) {
      const rel = e.key.slice(c.srcPrefix.length);
      if (skipMarker(rel) || !c.passes(e, rel)) continue;
      const dec = namer.map(rel);
      if (dec.ok && dec.destKey === rel && !dec.warning) continue;
      if (decisions.size >= MAPPED_NAMES_LIMIT) throw new InvalidInputError(`More than ${MAPPED_NAMES_LIMIT.toLocaleString('en-US')} names need mapping for ${c.uri}: migrate in smaller prefixes`);
      decisions.set(rel, dec);
      if (dec.ok && dec.destKey !== rel) renamedTargets.set(dec.destKey, e);
    }
  }
  const decide = (rel: string): NameDecision => (isLocal ? (decisions.get(rel) ?? { ok: true, destKey: rel }) : namer.map(rel));

  let batch: Array<Promise<Emit> | (() => Promise<Emit>)> = [];
  const write = async (emits: Emit): Promise<void> => {
    for (const [group, item] of emits) {
      if (group === 'new' || group === 'changed' || group === 'unchanged' || group === 'extra') {
        summary[group].count++;
        summary[group].bytes += item.size;
        // Exact sizes price multipart requests exactly; past the estimator's 100,000 the average is used.
        if ((group === 'new' || group === 'changed') && c.sizes.length <= 100_000) c.sizes.push(item.size);
      }
      if (group === 'names') summary.nameIssues++;
      if (group === 'metadata') summary.metadataIssues++;
      await c.writer.add(listName(group, c.d), item);
    }
  };
  const flush = async (): Promise<void> => {
    const tasks = batch;
    batch = [];
    const results: Emit[] = new Array<Emit>(tasks.length);
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < tasks.length) {
        const i = next++;
        const t = tasks[i];
        if (t) results[i] = await (typeof t === 'function' ? t() : t);
      }
    };
    await Promise.all(Array.from({ length: Math.min(STAT_CONCURRENCY, tasks.length) }, worker));
    for (const r of results) await write(r);
  };
  const push = async (task: () => Promise<Emit>): Promise<void> => {
    batch.push(task);
    if (batch.length >= BATCH) await flush();
  };

  const metadataItem = async (s: Side, base: PlanItem): Promise<Emit> => {
    if (!checkMetadata) return [];
    const meta = await s.stat(signal);
    const m = mapMetadata(meta.userMetadata, dst.provider.features, keepsMetadata);
    if (m.renamed.length === 0 && m.dropped.length === 0) return [];
    const item: PlanItem = { ...base, ...(m.renamed.length ? { renamedMetadata: m.renamed } : {}), ...(m.dropped.length ? { droppedMetadata: m.dropped } : {}) };
    if (m.reason !== undefined) item.message = m.reason;
    return [['metadata', item]];
  };

  const kinds = summary.checksumKinds;
  const onBoth = (s: ObjectEntry, t: ObjectEntry, rel: string, destKey: string): Promise<void> =>
    push(async () => {
      const a = new Side(src.provider, src.location.bucket, s, c.counter);
      const b = new Side(dst.provider, dst.location.bucket, t, c.counter);
      let v: Verdict;
      try {
        v = await compareObjects(a, b, c.request.compare, signal);
      } catch (e) {
        // Deleted between the listing and the HEAD: planned as a copy, which the run re-checks anyway.
        if (!(e instanceof NotFoundError)) throw e;
        v = { changed: true, kind: 'size', reason: 'changed while planning (an object vanished between listing and comparison)' };
      }
      kinds[v.kind] = (kinds[v.kind] ?? 0) + 1;
      const item: PlanItem = { dest: c.d, key: rel, destKey, size: s.size, destSize: t.size, ...(v.reason === undefined ? {} : { reason: v.reason }) };
      if (!v.changed) return [['unchanged', item]];
      return [['changed', item], ...(await metadataItem(a, { dest: c.d, key: rel, destKey, size: s.size }))];
    });
  const onNew = (s: ObjectEntry, rel: string, destKey: string): Promise<void> =>
    push(async () => {
      const item: PlanItem = { dest: c.d, key: rel, destKey, size: s.size };
      return [['new', item], ...(await metadataItem(new Side(src.provider, src.location.bucket, s, c.counter), item))];
    });

  /** Returns the destination key the source maps to, or undefined when it is not copied (reported). */
  const onSource = async (s: ObjectEntry, rel: string): Promise<string | undefined> => {
    if (skipMarker(rel)) {
      c.markers = (c.markers ?? 0) + 1;
      return undefined;
    }
    if (!c.passes(s, rel)) {
      if (c.countSource) c.countSource.filteredOut++;
      return undefined;
    }
    if (c.countSource) {
      c.countSource.objects++;
      c.countSource.bytes += s.size;
    }
    const dec = decide(rel);
    if (!dec.ok) {
      summary.notCopyable++;
      await push(async () => [['names', { dest: c.d, key: rel, size: s.size, issue: dec.issue, message: dec.message }]]);
      return undefined;
    }
    if (dec.renamed) await push(async () => [['names', { dest: c.d, key: rel, destKey: dec.destKey, size: s.size, issue: 'renamed', message: dec.renamed?.message ?? '' }]]);
    if (dec.warning) await push(async () => [['names', { dest: c.d, key: rel, destKey: dec.destKey, size: s.size, issue: 'nfc-nfd', message: dec.warning?.message ?? '' }]]);
    return dec.destKey;
  };

  const onDestOnly = async (t: ObjectEntry, rel: string): Promise<void> => {
    const renamedFrom = renamedTargets.get(rel);
    if (renamedFrom) {
      renamedTargets.delete(rel);
      await onBoth(renamedFrom, t, renamedFrom.key.slice(c.srcPrefix.length), rel);
      return;
    }
    if (!c.passes(t, rel) || skipMarker(rel)) return;
    await push(async () => [['extra', { dest: c.d, destKey: rel, size: t.size, ...(t.etag === undefined ? {} : { etag: t.etag }) }]]);
  };

  const srcIt = listing('src');
  const dstIt = listing('dst');
  let s = (await srcIt.next()).value;
  let t = (await dstIt.next()).value;
  while (s || t) {
    if (signal.aborted) throw new CancelledError('Planning was cancelled');
    const sRel = s ? s.key.slice(c.srcPrefix.length) : undefined;
    const tRel = t ? t.key.slice(c.dstPrefix.length) : undefined;
    const order = sRel === undefined ? 1 : tRel === undefined ? -1 : compareKeys(sRel, tRel);
    if (s && sRel !== undefined && order <= 0) {
      const destKey = await onSource(s, sRel);
      const matched = order === 0 && t && tRel !== undefined;
      if (destKey !== undefined) {
        if (destKey !== sRel) {
          // Stored under another name: compared when (if) that name turns up in the destination listing.
          if (matched) await onDestOnly(t as ObjectEntry, tRel as string);
        } else if (matched) await onBoth(s, t as ObjectEntry, sRel, destKey);
        else await onNew(s, sRel, destKey);
      }
      if (matched) {
        summary.destinationObjects++;
        t = (await dstIt.next()).value;
      }
      s = (await srcIt.next()).value;
    } else if (t && tRel !== undefined) {
      summary.destinationObjects++;
      await onDestOnly(t, tRel);
      t = (await dstIt.next()).value;
    }
    c.tick();
  }
  for (const [destKey, e] of renamedTargets) await onNew(e, e.key.slice(c.srcPrefix.length), destKey);
  await flush();
  return summary;
}
