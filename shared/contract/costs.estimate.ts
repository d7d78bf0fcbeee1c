import { z } from 'zod';
import { SlugSchema } from './costs.catalog';

// What a transfer costs: priced line items, and the requests that ask for an estimate of a copy or move.

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

export const PricedPlaceSchema = z.object({ provider: SlugSchema, region: SlugSchema, class: z.string().max(64).optional() });
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
