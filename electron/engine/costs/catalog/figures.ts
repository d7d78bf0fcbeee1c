import type { Figure, StorageClassPricing, Tier } from '../../../../shared/contract/costs.catalog';

/**
 * Helpers that keep the data files short: every figure they make carries the page it came from and the date it
 * was read, so the catalog can never hold an unsourced number.
 */
export interface Sourced {
  fig(value: number, note?: string): Figure;
  /** One flat tier (most storage prices). */
  flat(usdPerGb: number, note?: string): Tier[];
  /** Volume tiers as [upToGb | null, usdPerGb] pairs. */
  tiers(rows: Array<[number | null, number]>): Tier[];
}

export function sourced(source: string, asOf: string): Sourced {
  const fig = (value: number, note?: string): Figure => (note === undefined ? { value, source, asOf } : { value, source, asOf, note });
  return {
    fig,
    flat: (usdPerGb, note) => [{ upToGb: null, usdPerGb: fig(usdPerGb, note) }],
    tiers: (rows) => rows.map(([upToGb, usd]) => ({ upToGb, usdPerGb: fig(usd) })),
  };
}

/** A TB in a volume tier is 1,024 GB (see shared/contract/costs.catalog.ts). */
export const TB = 1024;

/** Class prices from per-1,000 request figures; `list` defaults to the write price (S3 and GCS bill LIST so). */
export function storageClass(
  s: Sourced,
  c: {
    id: string;
    name: string;
    aliases?: string[];
    storage: number | Array<[number | null, number]>;
    write: number;
    read: number;
    list?: number;
    retrieval?: number;
    minDays?: number;
    minObjectBytes?: number;
    notes?: string[];
  },
): StorageClassPricing {
  const out: StorageClassPricing = {
    id: c.id,
    name: c.name,
    storageUsdPerGbMonth: typeof c.storage === 'number' ? s.flat(c.storage) : s.tiers(c.storage),
    writeUsdPer1000: s.fig(c.write),
    readUsdPer1000: s.fig(c.read),
    listUsdPer1000: s.fig(c.list ?? c.write),
  };
  if (c.aliases) out.aliases = c.aliases;
  if (c.retrieval !== undefined) out.retrievalUsdPerGb = s.fig(c.retrieval);
  if (c.minDays !== undefined) out.minStorageDays = s.fig(c.minDays);
  if (c.minObjectBytes !== undefined) out.minBillableObjectBytes = s.fig(c.minObjectBytes);
  if (c.notes) out.notes = c.notes;
  return out;
}
