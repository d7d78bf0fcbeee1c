import type { PriceCatalog, RegionPricing, StorageClassPricing } from '../../../shared/contract/costs.catalog';
import type { CostLine } from '../../../shared/contract/costs.estimate';
import type { KeepingCost, ScanTotals, WhatIfResult } from '../../../shared/contract/costs.scan';
import { earlyDeletion, requests, retrieval, storageMonthly, sumLines } from './estimator';
import { findClassOrDefault, findRegion } from './lookup';
import { DEFAULT_CLASS_KEY } from './scan';

export interface PricingPlace {
  provider: string;
  region: string;
}

function classFor(region: RegionPricing, key: string, notes: string[]): StorageClassPricing {
  return findClassOrDefault(region, key === DEFAULT_CLASS_KEY ? undefined : key, notes);
}

/** What keeping the scanned objects costs a month, by class (small objects billed at the class minimum). */
export function keepingCost(catalog: PriceCatalog, place: PricingPlace, totals: Pick<ScanTotals, 'byClass'>): KeepingCost {
  const notes: string[] = [];
  const region = findRegion(catalog, place.provider, place.region);
  const lines: CostLine[] = [];
  for (const [key, t] of Object.entries(totals.byClass)) {
    const cls = classFor(region, key, notes);
    lines.push(...storageMonthly(t.bytes, cls, { count: t.smallObjects, bytes: t.smallBytes }));
  }
  notes.push(`Storage only, at ${region.name} list prices; requests and egress depend on use.`);
  return { monthlyUsd: sumLines(lines), lines, notes };
}

export interface WhatIfInput {
  olderThanDays: number;
  targetClass: string;
  /** Only these classes move (default: every class but the target). */
  fromClasses?: string[];
}

/**
 * "If the objects older than N days moved to class X": the monthly cost before and after, and what the move
 * itself costs once (transition requests at the target's write price, retrieval out of a cold class, early
 * deletion for objects younger than their class's minimum), from the scan's per-class age histogram.
 */
export function whatIf(catalog: PriceCatalog, place: PricingPlace, totals: ScanTotals, input: WhatIfInput): WhatIfResult {
  const notes: string[] = [];
  const region = findRegion(catalog, place.provider, place.region);
  const target = classFor(region, input.targetClass, notes);
  const current = keepingCost(catalog, place, totals);
  const oneTime: CostLine[] = [];
  const after: ScanTotals['byClass'] = structuredClone(totals.byClass);
  const moved = { count: 0, bytes: 0, small: 0, smallBytes: 0 };
  const allowed = input.fromClasses?.map((c) => c.toLowerCase());

  for (const [key, rows] of Object.entries(totals.ageHistogram)) {
    const cls = classFor(region, key, notes);
    if (cls.id === target.id || (allowed && !allowed.includes(key.toLowerCase()) && !allowed.includes(cls.id.toLowerCase()))) continue;
    let count = 0;
    let bytes = 0;
    let small = 0;
    let smallBytes = 0;
    for (const [days, n, b, sn, sb] of rows) {
      if (days < input.olderThanDays) continue;
      count += n;
      bytes += b;
      small += sn;
      smallBytes += sb;
      const early = earlyDeletion(b, days, cls);
      if (early) oneTime.push({ ...early, label: `${early.label}, ${n.toLocaleString('en-US')} objects ${days} days old` });
    }
    if (count === 0) continue;
    moved.count += count;
    moved.bytes += bytes;
    moved.small += small;
    moved.smallBytes += smallBytes;
    const from = after[key];
    if (from) {
      from.count -= count;
      from.bytes -= bytes;
      from.smallObjects -= small;
      from.smallBytes -= smallBytes;
    }
    const r = retrieval(bytes, cls);
    if (r) oneTime.push(r);
  }
  if (moved.count > 0) {
    oneTime.unshift(requests('transition', `Change of class to ${target.name}`, moved.count, target.writeUsdPer1000));
    const to = after[target.id] ?? { count: 0, bytes: 0, smallObjects: 0, smallBytes: 0 };
    to.count += moved.count;
    to.bytes += moved.bytes;
    to.smallObjects += moved.small;
    to.smallBytes += moved.smallBytes;
    after[target.id] = to;
  }
  if (target.minBillableObjectBytes && moved.small > 0) {
    notes.push(`${moved.small.toLocaleString('en-US')} moved objects are under ${target.minBillableObjectBytes.value / 1024} KiB: ${target.name} bills each as that size (included above).`);
  }
  if (target.minStorageDays) notes.push(`${target.name} bills at least ${target.minStorageDays.value} days: objects deleted or moved sooner pay the rest.`);
  if (target.retrievalUsdPerGb) notes.push(`Reading from ${target.name} later costs $${target.retrievalUsdPerGb.value}/GB in retrieval.`);
  for (const n of target.notes ?? []) notes.push(n);
  const next = keepingCost(catalog, place, { byClass: after });
  const oneTimeTotal = sumLines(oneTime);
  return {
    currentMonthlyUsd: current.monthlyUsd,
    newMonthlyUsd: next.monthlyUsd,
    monthlySavingUsd: current.monthlyUsd - next.monthlyUsd,
    movedObjects: moved.count,
    movedBytes: moved.bytes,
    oneTime: { currency: 'USD', lines: oneTime, totalUsd: oneTimeTotal, notes: [] },
    notes: [...new Set(notes)],
  };
}
