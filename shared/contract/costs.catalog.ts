import { z } from 'zod';
import { ProviderKindSchema } from '../location';

/**
 * The cost model's price catalog: providers, regions, storage classes and their sourced figures, and the user's
 * edits. Units, decided once for every provider: a GB is 2^30 bytes (AWS, Google and Azure all bill a "GB" of
 * storage and transfer as a binary gigabyte), a TB in a volume tier is 1,024 GB, a month is 30 days for
 * pro-rating (early deletion), and every price is in US dollars.
 */
export const BYTES_PER_GB = 2 ** 30;
export const DAYS_PER_MONTH = 30;

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

/** A catalog id: a provider, region or class. */
export const SlugSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'letters, digits, dot, dash or underscore');

export const StorageClassPricingSchema = z.object({
  /** The provider's own name for the class, as listings report it (`STANDARD_IA`, `COLDLINE`, `Cool`). */
  id: SlugSchema,
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
  id: SlugSchema,
  name: z.string().min(1).max(100),
  /** The class an object without a reported class is billed as. */
  defaultClass: SlugSchema,
  classes: z.array(StorageClassPricingSchema).min(1),
  egress: EgressPricingSchema,
});
export type RegionPricing = z.infer<typeof RegionPricingSchema>;

export const ProviderPricingSchema = z.object({
  id: SlugSchema,
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
export const PriceRefSchema = z.object({ provider: SlugSchema, region: SlugSchema, class: SlugSchema.optional() });
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
  regions: z.array(z.object({ provider: SlugSchema, region: RegionPricingSchema })),
  edits: z.array(PriceEditSchema.extend({ editedAt: IsoDate })),
});
export type CatalogOverlay = z.infer<typeof CatalogOverlaySchema>;
