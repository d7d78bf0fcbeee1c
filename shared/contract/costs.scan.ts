import { z } from 'zod';
import { PriceRefSchema } from './costs.catalog';
import { CostEstimateSchema, CostLineSchema } from './costs.estimate';

// A scan of a bucket or prefix: its totals by class, category and age, and what keeping them costs.

/** Ages past ten years fold into this day of the scan's age histogram. */
export const AGE_HISTOGRAM_MAX_DAYS = 3650;

export const FileCategorySchema = z.enum([
  'models', 'datasets', 'configs', 'logs', 'backups', 'documents', 'images', 'audio', 'video', 'other',
]);
export type FileCategory = z.infer<typeof FileCategorySchema>;

export const AgeBucketSchema = z.enum(['<30d', '30-90d', '90-365d', '>1y', 'unknown']);
export type AgeBucket = z.infer<typeof AgeBucketSchema>;

const Tally = z.object({ count: z.number().int().nonnegative(), bytes: z.number().nonnegative() });

export const ScanTotalsSchema = z.object({
  objects: z.number().int().nonnegative(),
  bytes: z.number().nonnegative(),
  byClass: z.record(z.string(), Tally.extend({ smallObjects: z.number().int().nonnegative(), smallBytes: z.number().nonnegative() })),
  byCategory: z.record(z.string(), Tally),
  byAge: z.record(z.string(), Tally),
  /**
   * Per class: [ageDays, count, bytes, smallCount, smallBytes] rows (ages past 3,650 days fold into 3,650; "small"
   * is under 128 KiB, the minimum billable size of the IA classes), for the what-if.
   */
  ageHistogram: z.record(z.string(), z.array(z.tuple([z.number(), z.number(), z.number(), z.number(), z.number()]))),
  largest: z.array(z.object({ key: z.string(), size: z.number(), storageClass: z.string().optional(), modified: z.string().optional() })),
  largestPrefixes: z.array(Tally.extend({ prefix: z.string(), depth: z.number().int() })),
  /** True when more distinct prefixes existed than the bounded map kept: prefix figures are then lower bounds. */
  prefixesTruncated: z.boolean(),
  /**
   * Versions kept beside the current objects, where the store keeps them (S3 noncurrent versions and delete markers,
   * GCS noncurrent generations, Azure snapshots, versions and soft-deleted blobs). They are billed as stored: their
   * bytes are in `bytes` and `byClass` (not in `objects`, the age figures or `largest`).
   */
  versions: z.object({ noncurrent: Tally, deleteMarkers: z.number().int().nonnegative() }).optional(),
  scannedAt: z.string(),
});
export type ScanTotals = z.infer<typeof ScanTotalsSchema>;

export const ScanStateSchema = z.enum(['running', 'done', 'failed', 'cancelled']);
export type ScanState = z.infer<typeof ScanStateSchema>;

export const ScanProgressSchema = z.object({
  id: z.string(),
  /** The last event of a scan carries its final state: then fetch `costs:scanResult`. */
  state: ScanStateSchema,
  objects: z.number().int().nonnegative(),
  bytes: z.number().nonnegative(),
  pages: z.number().int().nonnegative(),
  lastKey: z.string().optional(),
});
export type ScanProgress = z.infer<typeof ScanProgressSchema>;

export const KeepingCostSchema = z.object({
  monthlyUsd: z.number().nonnegative(),
  lines: z.array(CostLineSchema),
  notes: z.array(z.string()),
});
export type KeepingCost = z.infer<typeof KeepingCostSchema>;

export const WhatIfResultSchema = z.object({
  currentMonthlyUsd: z.number().nonnegative(),
  newMonthlyUsd: z.number().nonnegative(),
  monthlySavingUsd: z.number(),
  movedObjects: z.number().int().nonnegative(),
  movedBytes: z.number().nonnegative(),
  /** Paid once for the move: transition requests, retrieval, early deletion. */
  oneTime: CostEstimateSchema,
  notes: z.array(z.string()),
});
export type WhatIfResult = z.infer<typeof WhatIfResultSchema>;

export const ScanResultSchema = z.object({
  id: z.string(),
  uri: z.string(),
  state: ScanStateSchema,
  progress: ScanProgressSchema,
  /** Where the keeping cost was priced (from the account, or as asked). */
  pricing: PriceRefSchema.pick({ provider: true, region: true }),
  totals: ScanTotalsSchema.optional(),
  keeping: KeepingCostSchema.optional(),
  error: z.object({ code: z.string(), message: z.string() }).optional(),
});
export type ScanResult = z.infer<typeof ScanResultSchema>;
