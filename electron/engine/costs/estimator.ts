import {
  BYTES_PER_GB,
  DAYS_PER_MONTH,
  type EgressPricing,
  type Figure,
  type PriceCatalog,
  type ProviderPricing,
  type RegionPricing,
  type StorageClassPricing,
  type Tier,
} from '../../../shared/contract/costs.catalog';
import type {
  CostEstimate,
  CostLine,
  CostLineKind,
  TransferEstimateRequest,
  TransferPathKind,
} from '../../../shared/contract/costs.estimate';
import { InvalidInputError } from '../../../shared/errors';
import { DEFAULT_PULL } from '../providers/factory';
import { DEFAULT_MULTIPART } from '../providers/provider';
import { DEFAULT_ADMISSION, rangedReadPlan } from '../jobs/admission';
import { findClassOrDefault, findProvider, findRegion } from './lookup';

/**
 * Pure cost arithmetic. Every function returns line items (quantity x unit price = total, with the price's
 * source and date) so the UI can show how a figure was reached, not just the figure. GB = 2^30 bytes.
 */

/** S3, GCS XML and Azure all cap an upload at 10,000 parts (Azure: 50,000 blocks; the lower cap is safe). */
export const MAX_PARTS = 10_000;
export const LIST_PAGE_KEYS = 1000;
/** A server-side copy is one CopyObject up to 5 GiB, then 512 MiB UploadPartCopy parts (s3.copy.ts defaults). */
export const SERVER_SIDE_COPY = { thresholdBytes: 5 * 2 ** 30, partSizeBytes: 512 * 2 ** 20 };
/**
 * A cloud-side pull into Azure, counted as a source without a stored MD5 is pulled: one Put Blob From URL up to
 * `uncheckedSingleShotMaxBytes`, then Put Block From URL ranges (an upper bound: a source that stores an MD5 is one
 * request up to 5,000 MiB, azure.pull.ts).
 */
export const CLOUD_PULL = { thresholdBytes: DEFAULT_PULL.uncheckedSingleShotMaxBytes + 1, partSizeBytes: DEFAULT_PULL.blockBytes };

function formatMiB(bytes: number): string {
  return `${Math.round(bytes / 2 ** 20).toLocaleString('en-US')} MiB`;
}

export function gb(bytes: number): number {
  return bytes / BYTES_PER_GB;
}

export function line(kind: CostLineKind, label: string, quantity: number, unit: CostLine['unit'], price: Figure): CostLine {
  return { kind, label, quantity, unit, unitPriceUsd: price.value, totalUsd: quantity * price.value, source: price.source, asOf: price.asOf };
}

export function sumLines(lines: readonly CostLine[]): number {
  return lines.reduce((t, l) => t + l.totalUsd, 0);
}

/** The GB of `quantityGb` that fall into each tier when `alreadyGb` of the month's volume is used already. */
export function splitTiers(quantityGb: number, tiers: readonly Tier[], alreadyGb = 0): Array<{ tier: Tier; gb: number; fromGb: number }> {
  const out: Array<{ tier: Tier; gb: number; fromGb: number }> = [];
  let pos = alreadyGb;
  let left = quantityGb;
  let floor = 0;
  for (const tier of tiers) {
    const ceiling = tier.upToGb ?? Infinity;
    if (left > 0 && pos < ceiling) {
      const take = Math.min(left, ceiling - Math.max(pos, floor));
      if (take > 0) {
        out.push({ tier, gb: take, fromGb: Math.max(pos, floor) });
        pos += take;
        left -= take;
      }
    }
    floor = ceiling;
  }
  return out;
}

function tierLabel(fromGb: number, tier: Tier): string {
  const fmt = (g: number): string => (g >= 1024 ? `${+(g / 1024).toFixed(2)} TB` : `${+g.toFixed(2)} GB`);
  return tier.upToGb === null ? `over ${fmt(fromGb)}` : `${fmt(fromGb)}-${fmt(tier.upToGb)}`;
}

/**
 * Monthly storage of `bytes` in one class. Objects under the class's minimum billable size are billed as that
 * size: pass how many there are and their bytes (`small`) when known (a scan knows; an estimate may not).
 */
export function storageMonthly(bytes: number, cls: StorageClassPricing, small?: { count: number; bytes: number }): CostLine[] {
  let billable = bytes;
  const min = cls.minBillableObjectBytes?.value;
  if (min !== undefined && small && small.count > 0) billable = bytes - small.bytes + small.count * min;
  return splitTiers(gb(billable), cls.storageUsdPerGbMonth).map(({ tier, gb: g, fromGb }) =>
    line('storage', `${cls.name} storage${cls.storageUsdPerGbMonth.length > 1 ? ` (${tierLabel(fromGb, tier)})` : ''}`, g, 'GB-month', tier.usdPerGb),
  );
}

/** Internet egress of `bytes`: the month's free GB first, then the volume tiers from the first billable GB. */
export function egressInternet(bytes: number, egress: EgressPricing, alreadyThisMonthBytes = 0): CostLine[] {
  const wantGb = gb(bytes);
  const alreadyGb = gb(alreadyThisMonthBytes);
  const freeGb = egress.internetFreeGbPerMonth.value;
  const freeLeft = Math.max(0, freeGb - alreadyGb);
  const freeUsed = Math.min(wantGb, freeLeft);
  const lines: CostLine[] = [];
  if (freeUsed > 0) lines.push(line('egress', 'Internet egress, free tier', freeUsed, 'GB', { ...egress.internetFreeGbPerMonth, value: 0 }));
  const billedBefore = Math.max(0, alreadyGb - freeGb);
  for (const { tier, gb: g, fromGb } of splitTiers(wantGb - freeUsed, egress.internet, billedBefore)) {
    lines.push(line('egress', `Internet egress (${tierLabel(fromGb, tier)} this month)`, g, 'GB', tier.usdPerGb));
  }
  return lines;
}

export function requests(kind: CostLineKind, label: string, count: number, per1000: Figure): CostLine {
  return line(kind, `${label}: ${count.toLocaleString('en-US')} requests`, count / 1000, '1,000 requests', per1000);
}

/** Write requests for one object: one PUT, or initiate + parts + complete (part size grows past 10,000 parts). */
export function writeRequestsFor(size: number, provider: ProviderPricing, partSize: number, threshold: number): { requests: number; parts: number } {
  if (size < threshold || size === 0) return { requests: 1, parts: 1 };
  const effectivePart = Math.max(partSize, Math.ceil(size / MAX_PARTS));
  const parts = Math.ceil(size / effectivePart);
  return { requests: provider.multipart.initiateRequests + parts + provider.multipart.completeRequests, parts };
}

/** Requests to list `files` keys in pages of 1,000 (a flat listing; at least one request). */
export function listRequestsFor(files: number): number {
  return Math.max(1, Math.ceil(files / LIST_PAGE_KEYS));
}

export function retrieval(bytes: number, cls: StorageClassPricing): CostLine | null {
  if (!cls.retrievalUsdPerGb || cls.retrievalUsdPerGb.value === 0 || bytes === 0) return null;
  return line('retrieval', `Retrieval from ${cls.name}`, gb(bytes), 'GB', cls.retrievalUsdPerGb);
}

/**
 * Deleting (or moving) objects `ageDays` old from a class with a minimum duration bills the remaining days at
 * the class's first-tier storage price, pro-rated over a 30-day month.
 */
export function earlyDeletion(bytes: number, ageDays: number, cls: StorageClassPricing): CostLine | null {
  const min = cls.minStorageDays?.value;
  const price = cls.storageUsdPerGbMonth[0]?.usdPerGb;
  if (min === undefined || !price || ageDays >= min || bytes === 0) return null;
  const remainingDays = min - ageDays;
  return line('early-deletion', `Early deletion from ${cls.name} (${+remainingDays.toFixed(1)} of ${min} days left)`, gb(bytes) * (remainingDays / DAYS_PER_MONTH), 'GB-month', price);
}

export interface PricedEnds {
  srcProvider: ProviderPricing;
  dstProvider: ProviderPricing;
  srcRegion: RegionPricing;
  dstRegion: RegionPricing;
}

/** Egress: who pays for `bytes` leaving the source by `path` (a note says why when nothing is charged). */
export function transferEgress(path: TransferPathKind, bytes: number, ends: PricedEnds, notes: string[], alreadyThisMonthBytes?: number): CostLine[] {
  const { srcProvider, dstProvider, srcRegion, dstRegion } = ends;
  const sameRegion = srcProvider.id === dstProvider.id && srcRegion.id === dstRegion.id;
  if (path === 'server-side') {
    if (sameRegion) {
      notes.push(`Server-side copy inside ${srcRegion.name}: no data transfer charge.`);
      return [];
    }
    const rate = srcRegion.egress.interRegionUsdPerGb;
    if (rate) return [line('egress', `Inter-region transfer ${srcRegion.id} to ${dstRegion.id}`, gb(bytes), 'GB', rate)];
    return egressInternet(bytes, srcRegion.egress, alreadyThisMonthBytes);
  }
  notes.push(
    path === 'relay'
      ? `Relay through this computer: ${srcProvider.name} bills its internet egress; uploads to ${dstProvider.name} are free.`
      : `Cloud-side pull: ${dstProvider.name} reads from a signed ${srcProvider.name} URL, which bills its internet egress.`,
  );
  return egressInternet(bytes, srcRegion.egress, alreadyThisMonthBytes);
}

/** Sizes as (size, count) pairs from whatever the request gave: exact list, histogram, or the average. */
function sizeGroups(req: TransferEstimateRequest): Array<{ size: number; count: number }> {
  if (req.sizes) return req.sizes.map((size) => ({ size, count: 1 }));
  if (req.histogram) return req.histogram.filter((b) => b.count > 0).map((b) => ({ size: b.bytes / b.count, count: b.count }));
  return req.files > 0 ? [{ size: req.bytes / req.files, count: req.files }] : [];
}

/** What a copy or move will cost before it runs: egress, requests on both sides, retrieval, early deletion. */
export function estimateTransfer(catalog: PriceCatalog, req: TransferEstimateRequest): CostEstimate {
  const notes: string[] = [];
  const srcProvider = findProvider(catalog, req.source.provider);
  const dstProvider = findProvider(catalog, req.destination.provider);
  const srcRegion = findRegion(catalog, req.source.provider, req.source.region);
  const dstRegion = findRegion(catalog, req.destination.provider, req.destination.region);
  const srcClass = findClassOrDefault(srcRegion, req.source.class, notes);
  const dstClass = findClassOrDefault(dstRegion, req.destination.class, notes);
  const sameProvider = srcProvider.id === dstProvider.id;
  if (req.path === 'server-side' && !sameProvider) {
    throw new InvalidInputError(`A server-side copy stays inside one provider: ${srcProvider.name} to ${dstProvider.name} goes through a relay or a cloud-side pull`);
  }
  const sizing = req.path === 'server-side' ? SERVER_SIDE_COPY : req.path === 'cloud-pull' ? CLOUD_PULL : { partSizeBytes: DEFAULT_MULTIPART.partSizeBytes, thresholdBytes: DEFAULT_MULTIPART.thresholdBytes };
  const partSize = req.partSizeBytes ?? sizing.partSizeBytes;
  const threshold = req.multipartThresholdBytes ?? sizing.thresholdBytes;
  const lines: CostLine[] = [];

  lines.push(...transferEgress(req.path, req.bytes, { srcProvider, dstProvider, srcRegion, dstRegion }, notes, req.egressAlreadyThisMonthBytes));

  // Requests: one flat listing of each side, reads at the source, writes at the destination.
  const groups = sizeGroups(req);
  let writes = 0;
  let parts = 0;
  // The relay reads a large object from a cloud in parallel ranges, one GET each (as the job decides it).
  const readSettings = { ...DEFAULT_ADMISSION, multipart: { ...DEFAULT_MULTIPART, partSizeBytes: partSize, thresholdBytes: threshold } };
  let rangedFiles = 0;
  let rangedGets = 0;
  for (const g of groups) {
    const w = writeRequestsFor(g.size, dstProvider, partSize, threshold);
    writes += w.requests * g.count;
    parts += w.parts * g.count;
    const ranged = req.path === 'relay' ? rangedReadPlan(g.size, readSettings, srcProvider.kind !== 'local') : undefined;
    if (ranged) {
      rangedFiles += g.count;
      rangedGets += ranged.parts * g.count;
    }
  }
  if (req.path === 'cloud-pull' && !req.partSizeBytes && groups.some((g) => g.size >= threshold)) {
    notes.push(`Files over ${formatMiB(CLOUD_PULL.thresholdBytes - 1)} are counted as pulled in ${formatMiB(partSize)} ranges, a write and a source GET each; one whose source stores an MD5 goes in one request up to 5,000 MiB and costs less.`);
  }
  writes = Math.round(writes);
  parts = Math.round(parts);
  rangedFiles = Math.round(rangedFiles);
  rangedGets = Math.round(rangedGets);
  if (req.files > 0) {
    lines.push(requests('source-requests', `List ${srcProvider.name} (${LIST_PAGE_KEYS.toLocaleString('en-US')} keys a page)`, listRequestsFor(req.files), srcClass.listUsdPer1000));
    if (req.path === 'relay') {
      lines.push(requests('source-requests', `GET from ${srcProvider.name}, one per file`, Math.max(0, req.files - rangedFiles), srcClass.readUsdPer1000));
      if (rangedGets > 0) lines.push(requests('source-requests', `Ranged GET from ${srcProvider.name}, one per part of the large files read in parallel ranges`, rangedGets, srcClass.readUsdPer1000));
    }
    if (req.path === 'cloud-pull') lines.push(requests('source-requests', `Ranged GET from ${srcProvider.name}, one per part`, parts, srcClass.readUsdPer1000));
    // The job decides "exists already?" from one flat listing of the destination prefix, as it lists the source,
    // not from a HEAD per file (jobs/expand.ts); `headsPerFile` prices a tool that asks per file.
    lines.push(requests('destination-requests', `List ${dstProvider.name} (overwrite check, ${LIST_PAGE_KEYS.toLocaleString('en-US')} keys a page)`, listRequestsFor(req.files), dstClass.listUsdPer1000));
    const heads = req.files * (req.headsPerFile ?? 0);
    if (heads > 0) lines.push(requests('destination-requests', `HEAD at ${dstProvider.name} (overwrite check)`, heads, dstClass.readUsdPer1000));
    const what = req.path === 'server-side' ? 'Copy' : 'Write';
    lines.push(requests('destination-requests', `${what} at ${dstProvider.name} (${dstClass.name}), multipart counted part by part`, writes, dstClass.writeUsdPer1000));
  }
  if (!req.sizes && groups.length > 0) notes.push('Multipart request counts use average object sizes; give exact sizes for an exact count.');

  const r = retrieval(req.bytes, srcClass);
  if (r) lines.push(r);
  if (req.move) {
    const e = earlyDeletion(req.bytes, req.move.sourceAgeDays, srcClass);
    if (e) lines.push(e);
  }
  for (const n of srcClass.notes ?? []) if (/restore|rehydrat/i.test(n)) notes.push(n);
  const kept = lines.filter((l) => l.quantity > 0);
  return { currency: 'USD', lines: kept, totalUsd: sumLines(kept), notes };
}
