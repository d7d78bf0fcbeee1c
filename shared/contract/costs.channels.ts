import { z } from 'zod';
import {
  CatalogOverlaySchema,
  PriceCatalogSchema,
  PriceEditSchema,
  PriceRefSchema,
  ProviderPricingSchema,
  RegionPricingSchema,
} from './costs.catalog';
import { CopyEstimateRequestSchema, CostEstimateSchema, TransferEstimateRequestSchema } from './costs.estimate';
import { CostHistorySchema } from './costs.history';
import { ScanProgressSchema, ScanResultSchema, WhatIfResultSchema } from './costs.scan';
import { channel, Empty, Ok } from './define';
import { UriSchema } from './storage.channels';

const PricingPlaceSchema = PriceRefSchema.pick({ provider: true, region: true });

/**
 * The cost model: the price catalog (shipped + the user's edits), transfer estimates, bucket scans and the
 * storage-class what-if. A scan runs in the background: `costs:scan` returns its id at once, `costs:scanProgress`
 * events follow (the last with its final state), and `costs:scanResult` gives the totals and their monthly cost.
 */
export const costChannels = {
  'costs:catalog': channel(Empty, z.object({ catalog: PriceCatalogSchema, overlay: CatalogOverlaySchema })),
  'costs:setPrice': channel(PriceEditSchema, PriceCatalogSchema),
  /** An S3-compatible (or any other) provider with its own prices. */
  'costs:addProvider': channel(z.object({ provider: ProviderPricingSchema }), PriceCatalogSchema),
  'costs:addRegion': channel(z.object({ provider: z.string().min(1).max(64), region: RegionPricingSchema }), PriceCatalogSchema),
  /** Forgets the user's edits: all of them, or one provider's. */
  'costs:resetCatalog': channel(z.object({ provider: z.string().min(1).max(64).optional() }), PriceCatalogSchema),
  'costs:estimateTransfer': channel(TransferEstimateRequestSchema, CostEstimateSchema),
  /** The same estimate with the places taken from two saved accounts (the copy confirmation asks this). */
  'costs:estimateCopy': channel(CopyEstimateRequestSchema, CostEstimateSchema),
  /** Starts a scan of a bucket or prefix URI; `pricing` overrides the provider and region taken from the account. */
  'costs:scan': channel(z.object({ uri: UriSchema, pricing: PricingPlaceSchema.optional() }), z.object({ id: z.string() })),
  'costs:scanResult': channel(z.object({ id: z.string().min(1) }), ScanResultSchema),
  'costs:cancelScan': channel(z.object({ id: z.string().min(1) }), Ok),
  /** "If the objects older than N days of a finished scan moved to class X." */
  'costs:whatIf': channel(
    z.object({
      id: z.string().min(1),
      olderThanDays: z.number().int().min(0).max(36_500),
      targetClass: z.string().min(1).max(64),
      fromClasses: z.array(z.string().max(64)).max(50).optional(),
      pricing: PricingPlaceSchema.optional(),
    }),
    WhatIfResultSchema,
  ),
  /**
   * The cost history saved in the data dir: every finished scan (monthly cost by class), every finished copy or
   * move job and migration run (estimated against actual bytes, requests and cost). `uri` keeps one bucket's scans.
   */
  'costs:history': channel(z.object({ uri: z.string().max(2048).optional() }), CostHistorySchema),
} as const;

export const costEvents = {
  /** Throttled to a few per second per scan; the last one carries the final state. */
  'costs:scanProgress': ScanProgressSchema,
} as const;
