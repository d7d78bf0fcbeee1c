import { z } from 'zod';
import { ProviderKindSchema } from './location';

/**
 * The cost model's domain types. Units, decided once for every provider: a GB is 2^30 bytes (AWS, Google and
 * Azure all bill a "GB" of storage and transfer as a binary gigabyte), a TB in a volume tier is 1,024 GB, a month
 * is 30 days for pro-rating (early deletion), and every price is in US dollars.
 */
export const BYTES_PER_GB = 2 ** 30;
export const DAYS_PER_MONTH = 30;
/** Ages past ten years fold into this day of the scan's age histogram. */
export const AGE_HISTOGRAM_MAX_DAYS = 3650;

const IsoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected YYYY-MM-DD');

/** One figure with where it came from: the public pricing page (or "edited by you") and the date it was read. */
export const FigureSchema = z.object({
  value: z.number().finite().nonnegative(),
  source: z.string().min(1).max(500),
  asOf: IsoDate,
  note: z.string().max(500).optional(),
});
export type Figure = z.infer<typeof FigureSchema>;

/** A volume tier: applies to the GB up to `upToGb` (cumulative over the month); `null` means "and above". */
export const TierSchema = z.object({ upToGb: z.number().positive().nullable(), usdPerGb: FigureSchema });
export type Tier = z.infer<typeof TierSchema>;

/** Tiers ascend strictly and the last one is open-ended, so every GB has exactly one price. */
export const TiersSchema = z
  .array(TierSchema)
  .min(1)
  .superRefine((tiers, ctx) => {
    tiers.forEach((t, i) => {
      const prev = i > 0 ? tiers[i - 1]?.upToGb : 0;
      const last = i === tiers.length - 1;
      if (last && t.upToGb !== null) ctx.addIssue({ code: 'custom', message: 'the last tier must be open-ended (upToGb: null)', path: [i, 'upToGb'] });
      if (!last && t.upToGb === null) ctx.addIssue({ code: 'custom', message: 'only the last tier may be open-ended', path: [i, 'upToGb'] });
      if (t.upToGb !== null && (prev === null || prev === undefined || t.upToGb <= prev)) {
        ctx.addIssue({ code: 'custom', message: 'tiers must ascend', path: [i, 'upToGb'] });
      }
    });
  });

const Slug = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'letters, digits, dot, dash or underscore');

export const StorageClassPricingSchema = z.object({
  /** The provider's own name for the class, as listings report it (`STANDARD_IA`, `COLDLINE`, `Cool`). */
  id: Slug,
  name: z.string().min(1).max(100),
  /** Other names a listing may report for the same class (matched case-insensitively). */
  aliases: z.array(z.string().max(64)).optional(),
  storageUsdPerGbMonth: TiersSchema,
  /** PUT/COPY/POST (S3), Class A (GCS), write operations (Azure). */
  writeUsdPer1000: FigureSchema,
  /** GET/HEAD (S3), Class B (GCS), read operations (Azure). */
  readUsdPer1000: FigureSchema,
  /** LIST: a PUT-class request on S3 and a Class A one on GCS; its own line on Azure. */
  listUsdPer1000: FigureSchema,
  retrievalUsdPerGb: FigureSchema.optional(),
  /** Deleting or moving an object earlier is billed as if it had stayed this long. */
  minStorageDays: FigureSchema.optional(),
  /** Smaller objects are billed as this size (S3 Standard-IA, Glacier Instant Retrieval: 128 KiB). */
  minBillableObjectBytes: FigureSchema.optional(),
  notes: z.array(z.string().max(500)).optional(),
});
export type StorageClassPricing = z.infer<typeof StorageClassPricingSchema>;

export const EgressPricingSchema = z.object({
  /** Free internet egress each month, used up before the first tier. */
  internetFreeGbPerMonth: FigureSchema,
  /** Internet egress tiers by monthly volume, counted from the first billable GB. */
  internet: TiersSchema,
  /** To another region of the same provider. */
  interRegionUsdPerGb: FigureSchema.optional(),
  notes: z.array(z.string().max(500)).optional(),
});
export type EgressPricing = z.infer<typeof EgressPricingSchema>;

export const RegionPricingSchema = z.object({
  id: Slug,
  name: z.string().min(1).max(100),
  /** The class an object without a reported class is billed as. */
  defaultClass: Slug,
  classes: z.array(StorageClassPricingSchema).min(1),
  egress: EgressPricingSchema,
});
export type RegionPricing = z.infer<typeof RegionPricingSchema>;

export const ProviderPricingSchema = z.object({
  id: Slug,
  name: z.string().min(1).max(100),
  /** Which Skyferry provider speaks to it (R2 and Wasabi are `s3`). */
  kind: ProviderKindSchema,
  /** Requests a multipart upload adds around its parts (S3: CreateMultipartUpload + Complete; Azure: Put Block List). */
  multipart: z.object({ initiateRequests: z.number().int().min(0), completeRequests: z.number().int().min(0) }),
  notes: z.array(z.string().max(500)),
  regions: z.array(RegionPricingSchema).min(1),
});
export type ProviderPricing = z.infer<typeof ProviderPricingSchema>;

function uniqueIds(items: Array<{ id: string }>, what: string, ctx: z.RefinementCtx, path: Array<string | number>): void {
  const seen = new Set<string>();
  items.forEach((it, i) => {
    const id = it.id.toLowerCase();
    if (seen.has(id)) ctx.addIssue({ code: 'custom', message: `duplicate ${what} "${it.id}"`, path: [...path, i, 'id'] });
    seen.add(id);
  });
}

export const PriceCatalogSchema = z
  .object({ providers: z.array(ProviderPricingSchema).min(1) })
  .superRefine((cat, ctx) => {
    uniqueIds(cat.providers, 'provider', ctx, ['providers']);
    cat.providers.forEach((p, pi) => {
      uniqueIds(p.regions, 'region', ctx, ['providers', pi, 'regions']);
      p.regions.forEach((r, ri) => {
        uniqueIds(r.classes, 'class', ctx, ['providers', pi, 'regions', ri, 'classes']);
        if (!r.classes.some((c) => c.id === r.defaultClass)) {
          ctx.addIssue({ code: 'custom', message: `default class "${r.defaultClass}" is not listed`, path: ['providers', pi, 'regions', ri, 'defaultClass'] });
        }
      });
    });
  });
export type PriceCatalog = z.infer<typeof PriceCatalogSchema>;

/** Where a price is: one provider, region and (for class prices) class. */
export const PriceRefSchema = z.object({ provider: Slug, region: Slug, class: Slug.optional() });
export type PriceRef = z.infer<typeof PriceRefSchema>;

export const PriceFieldSchema = z.enum([
  'storage', 'write', 'read', 'list', 'retrieval', 'minStorageDays', 'egressFreeGb', 'egress', 'interRegion',
]);
export type PriceField = z.infer<typeof PriceFieldSchema>;

/** One user edit of one figure; `tier` picks a tier of `storage` or `egress` (default 0). */
export const PriceEditSchema = PriceRefSchema.extend({
  field: PriceFieldSchema,
  tier: z.number().int().min(0).max(20).optional(),
  value: z.number().finite().nonnegative(),
  note: z.string().max(500).optional(),
});
export type PriceEdit = z.infer<typeof PriceEditSchema>;

/** The user's changes, saved in the data dir; effective catalog = shipped + overlay. */
export const CatalogOverlaySchema = z.object({
  version: z.literal(1),
  providers: z.array(ProviderPricingSchema),
  regions: z.array(z.object({ provider: Slug, region: RegionPricingSchema })),
  edits: z.array(PriceEditSchema.extend({ editedAt: IsoDate })),
});
export type CatalogOverlay = z.infer<typeof CatalogOverlaySchema>;

export const CostLineKindSchema = z.enum([
  'egress', 'source-requests', 'destination-requests', 'retrieval', 'early-deletion', 'storage', 'transition',
]);
export type CostLineKind = z.infer<typeof CostLineKindSchema>;

export const CostLineSchema = z.object({
  kind: CostLineKindSchema,
  label: z.string(),
  quantity: z.number().nonnegative(),
  unit: z.enum(['GB', 'GB-month', '1,000 requests']),
  unitPriceUsd: z.number().nonnegative(),
  totalUsd: z.number().nonnegative(),
  source: z.string(),
  asOf: z.string(),
});
export type CostLine = z.infer<typeof CostLineSchema>;

export const CostEstimateSchema = z.object({
  currency: z.literal('USD'),
  lines: z.array(CostLineSchema),
  totalUsd: z.number().nonnegative(),
  /** Assumptions and caveats in words (e.g. "server-side inside one region: no egress"). */
  notes: z.array(z.string()),
});
export type CostEstimate = z.infer<typeof CostEstimateSchema>;

export const PricedPlaceSchema = z.object({ provider: Slug, region: Slug, class: z.string().max(64).optional() });
export type PricedPlace = z.infer<typeof PricedPlaceSchema>;

/** Object sizes as buckets: `count` objects totalling `bytes`, each no larger than `upToBytes`. */
export const SizeBucketSchema = z.object({ upToBytes: z.number().positive(), count: z.number().int().nonnegative(), bytes: z.number().nonnegative() });

export const TransferPathKindSchema = z.enum(['server-side', 'relay', 'cloud-pull']);
export type TransferPathKind = z.infer<typeof TransferPathKindSchema>;

export const TransferEstimateRequestSchema = z.object({
  source: PricedPlaceSchema,
  destination: PricedPlaceSchema,
  files: z.number().int().nonnegative(),
  bytes: z.number().nonnegative(),
  /** Exact sizes (small jobs) or a histogram (large ones); without either, every file is taken as the average. */
  sizes: z.array(z.number().nonnegative()).max(100_000).optional(),
  histogram: z.array(SizeBucketSchema).max(200).optional(),
  path: TransferPathKindSchema,
  partSizeBytes: z.number().int().positive().optional(),
  multipartThresholdBytes: z.number().int().positive().optional(),
  /** HEAD requests per file at the destination, for a tool that checks file by file. Default 0: a job lists the destination once. */
  headsPerFile: z.number().int().min(0).max(10).optional(),
  /** Internet egress already used this month at the source: consumes the free tier and moves up the tiers. */
  egressAlreadyThisMonthBytes: z.number().nonnegative().optional(),
  /** A move deletes the source: objects younger than the class minimum pay early deletion. */
  move: z.object({ sourceAgeDays: z.number().nonnegative() }).optional(),
});
export type TransferEstimateRequest = z.infer<typeof TransferEstimateRequestSchema>;

/**
 * A copy or move between two saved accounts, priced at each account's own provider and region (the engine derives
 * them from the accounts, as a scan does). Same account: server-side; different accounts: a relay.
 */
export const CopyEstimateRequestSchema = z.object({
  sourceAccount: z.string().min(1).max(200),
  destinationAccount: z.string().min(1).max(200),
  files: z.number().int().nonnegative(),
  bytes: z.number().nonnegative(),
  sizes: z.array(z.number().nonnegative()).max(100_000).optional(),
  /** The user let the destination pull from a signed link (priced as cloud-pull instead of the relay). */
  cloudPull: z.boolean().optional(),
});
export type CopyEstimateRequest = z.infer<typeof CopyEstimateRequestSchema>;

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

/**
 * Provider calls a transfer made, by kind, as the job manager counts them (jobs/request-count.ts): one per call,
 * retries included. `multipart` counts multipart uploads (each also has an initiate and a complete request: the
 * catalog's provider.multipart says how many); `parts` their part uploads, derived from the object's size and the
 * provider's multipart settings; `delete` counts objects removed (one key each, whatever the batching).
 */
export const RequestCountsSchema = z.object({
  list: z.number().int().nonnegative(),
  head: z.number().int().nonnegative(),
  get: z.number().int().nonnegative(),
  put: z.number().int().nonnegative(),
  multipart: z.number().int().nonnegative(),
  parts: z.number().int().nonnegative(),
  copy: z.number().int().nonnegative(),
  delete: z.number().int().nonnegative(),
});
export type RequestCounts = z.infer<typeof RequestCountsSchema>;
export const REQUEST_KINDS = ['list', 'head', 'get', 'put', 'multipart', 'parts', 'copy', 'delete'] as const satisfies ReadonlyArray<keyof RequestCounts>;

export function emptyRequestCounts(): RequestCounts {
  return { list: 0, head: 0, get: 0, put: 0, multipart: 0, parts: 0, copy: 0, delete: 0 };
}

export function addRequestCounts(a: RequestCounts, b: RequestCounts): RequestCounts {
  const out = emptyRequestCounts();
  for (const k of REQUEST_KINDS) out[k] = a[k] + b[k];
  return out;
}

const PlaceSchema = PriceRefSchema.pick({ provider: true, region: true });

/** A finished scan as the cost history keeps it: enough for a chart of monthly cost by class over time. */
export const HistoryScanSchema = z.object({
  t: z.literal('scan'),
  id: z.string(),
  uri: z.string(),
  account: z.string(),
  pricing: PlaceSchema,
  finishedAt: z.string(),
  objects: z.number().int().nonnegative(),
  bytes: z.number().nonnegative(),
  byClass: z.record(z.string(), z.object({ count: z.number().int().nonnegative(), bytes: z.number().nonnegative() })),
  monthlyUsdByClass: z.record(z.string(), z.number().nonnegative()),
  monthlyUsd: z.number().nonnegative(),
});
export type HistoryScan = z.infer<typeof HistoryScanSchema>;

/**
 * A finished copy or move job: what it planned, what it moved (by path), the requests it made on each side, and
 * two prices at the catalog of the moment it finished: the estimator's figure for the listed files (what the
 * copy confirmation shows before a copy) and the "actual" cost, the same price lists applied to the bytes really
 * moved and the requests really made. A job that runs again (retry) records again; the newest record wins.
 * A delete job (plain, or a mirror's) has no destination: `source` is where it deleted, `from` that place's
 * pricing, its requests all under `source`, nothing moved, `deleted` what it removed, and no estimate.
 */
export const HistoryJobSchema = z.object({
  t: z.literal('job'),
  id: z.string(),
  kind: z.enum(['copy', 'move', 'delete']),
  title: z.string(),
  state: z.string(),
  source: z.string(),
  destination: z.string().optional(),
  finishedAt: z.string(),
  from: PlaceSchema,
  to: PlaceSchema.optional(),
  filesPlanned: z.number().int().nonnegative(),
  bytesPlanned: z.number().nonnegative(),
  filesMoved: z.number().int().nonnegative(),
  bytesMoved: z.number().nonnegative(),
  /** Bytes moved by each transfer path (server-side, relay, cloud-pull, local). */
  bytesByPath: z.record(z.string(), z.number().nonnegative()),
  /** Requests at the source account and at the destination's; one account for both: all under `source`. */
  requests: z.object({ source: RequestCountsSchema, destination: RequestCountsSchema, sameAccount: z.boolean() }),
  estimate: CostEstimateSchema.nullable(),
  actual: CostEstimateSchema.nullable(),
  /** A delete job: the objects it removed and their listed sizes. */
  deleted: z.object({ files: z.number().int().nonnegative(), bytes: z.number().nonnegative() }).optional(),
  /** Why a price is missing (no prices for that provider or region). */
  priceError: z.string().optional(),
});
export type HistoryJob = z.infer<typeof HistoryJobSchema>;

/** A finished migration run: the plan's estimate against its jobs' actual bytes, requests and cost. */
export const HistoryMigrationSchema = z.object({
  t: z.literal('migration'),
  id: z.string(),
  name: z.string().optional(),
  source: z.string(),
  destinations: z.array(z.string()),
  state: z.string(),
  finishedAt: z.string(),
  jobIds: z.array(z.string()),
  bytesEstimated: z.number().nonnegative(),
  bytesMoved: z.number().nonnegative(),
  /** The plan's estimate (made before the run); null when the plan could not price a destination. */
  estimateUsd: z.number().nonnegative().nullable(),
  /** The sum of its copy/move/delete jobs' actual costs; null when one of them could not be priced. */
  actualUsd: z.number().nonnegative().nullable(),
  requests: RequestCountsSchema,
});
export type HistoryMigration = z.infer<typeof HistoryMigrationSchema>;

export const HistoryRecordSchema = z.discriminatedUnion('t', [HistoryScanSchema, HistoryJobSchema, HistoryMigrationSchema]);
export type HistoryRecord = z.infer<typeof HistoryRecordSchema>;

export const CostHistorySchema = z.object({
  /** Oldest first. */
  scans: z.array(HistoryScanSchema),
  /** Migration runs and the jobs that are not part of one, oldest first (the newest record of each job). */
  runs: z.array(z.discriminatedUnion('t', [HistoryJobSchema, HistoryMigrationSchema])),
});
export type CostHistory = z.infer<typeof CostHistorySchema>;
