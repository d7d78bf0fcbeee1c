import { z } from 'zod';
import { PriceRefSchema } from './costs.catalog';
import { CostEstimateSchema } from './costs.estimate';

// The cost history: the requests a transfer made, and the finished scans, jobs and migration runs, priced.

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
  /** Copied by a cloud's transfer service: its fee, included in `actualUsd` with the plan's request and egress estimate. */
  service: z.object({ engine: z.string(), engineName: z.string(), feeUsd: z.number().nonnegative().nullable() }).optional(),
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
