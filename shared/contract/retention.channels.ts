import { z } from 'zod';
import { PriceRefSchema } from './costs.catalog';
import { CostLineSchema } from './costs.estimate';
import { ScanStateSchema } from './costs.scan';
import { ErrorInfoSchema } from '../errors';
import { ObjectEntrySchema } from '../model';
import { channel, Ok } from './define';
import { UriSchema } from './storage.channels';

/**
 * Retention (as an S3 lifecycle rule run once, by hand): preview the objects older than N days under a bucket or
 * prefix, then delete them or change their storage class as one job. The preview runs in the background like a
 * scan; its matches are saved under the data dir and the run acts on exactly those, re-checking each object first.
 */
export const RetentionActionSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('delete') }),
  /** Deletes the noncurrent versions (not the current objects) that stopped being current more than N days ago. */
  z.object({ kind: z.literal('delete-noncurrent') }),
  z.object({ kind: z.literal('set-class'), storageClass: z.string().min(1).max(64) }),
]);
export type RetentionAction = z.infer<typeof RetentionActionSchema>;

const PricingPlaceSchema = PriceRefSchema.pick({ provider: true, region: true });

/**
 * Why an object needs care before the action: `needs-restore`, archived on S3 (GLACIER, DEEP_ARCHIVE): a class change
 * is a copy, which S3 refuses until the object is restored; `rehydration`, in Azure's Archive tier: another tier can
 * be set directly, but the blob rehydrates for hours (up to 15 at Standard priority) and stays unreadable meanwhile;
 * `early-deletion`, younger than its class's minimum storage duration: deleting or moving it now bills the rest.
 */
export const RetentionCautionSchema = z.enum(['needs-restore', 'rehydration', 'early-deletion']);
export type RetentionCaution = z.infer<typeof RetentionCautionSchema>;

export const RetentionSampleEntrySchema = ObjectEntrySchema.extend({ cautions: z.array(RetentionCautionSchema).optional() });
export type RetentionSampleEntry = z.infer<typeof RetentionSampleEntrySchema>;

const CountBytesSchema = z.object({ count: z.number().int().nonnegative(), bytes: z.number().nonnegative() });

export const RetentionPreviewRequestSchema = z.object({
  /** A bucket or a prefix in one (`s3://acct/bucket/logs/`). */
  uri: UriSchema,
  olderThanDays: z.number().int().min(0).max(36_500),
  action: RetentionActionSchema,
  /** Overrides the provider and region taken from the account. */
  pricing: PricingPlaceSchema.optional(),
});
export type RetentionPreviewRequest = z.infer<typeof RetentionPreviewRequestSchema>;

export const RetentionProgressSchema = z.object({
  id: z.string(),
  state: ScanStateSchema,
  /** Objects listed so far, and how many of them matched. */
  listed: z.number().int().nonnegative(),
  matched: z.number().int().nonnegative(),
  matchedBytes: z.number().nonnegative(),
  pages: z.number().int().nonnegative(),
});
export type RetentionProgress = z.infer<typeof RetentionProgressSchema>;

export const RetentionPreviewSchema = z.object({
  id: z.string(),
  uri: z.string(),
  olderThanDays: z.number().int(),
  action: RetentionActionSchema,
  /** ISO 8601: objects last modified before this instant match. */
  cutoff: z.string(),
  pricing: PricingPlaceSchema,
  state: ScanStateSchema,
  progress: RetentionProgressSchema,
  error: ErrorInfoSchema.optional(),
  /** Filled once done. */
  matched: z.number().int().nonnegative(),
  matchedBytes: z.number().nonnegative(),
  /** Older objects left out: already in the target class (class change only). */
  alreadyInClass: z.number().int().nonnegative(),
  byClass: z.record(z.string(), z.object({ count: z.number().int().nonnegative(), bytes: z.number().nonnegative() })),
  /** What the matches cost a month now, and after the action (0 for a delete). */
  currentMonthlyUsd: z.number().nonnegative(),
  newMonthlyUsd: z.number().nonnegative(),
  /** current - new; negative when the target class costs more. */
  monthlySavingUsd: z.number(),
  /** Charged once by the action: class-change requests, retrieval out of a cold class, early deletion. */
  oneTime: z.array(CostLineSchema),
  oneTimeUsd: z.number().nonnegative(),
  notes: z.array(z.string()),
  /** Matches that need care, by caution (an object may count under two); absent in previews saved before it existed. */
  cautions: z.record(RetentionCautionSchema, CountBytesSchema).optional(),
  /** The largest matches (at most 100), for display, with their cautions; the full list is on disk. */
  sample: z.array(RetentionSampleEntrySchema),
  /** The largest matches that need care (at most 100), so that a few among millions can be found. */
  cautionSample: z.array(RetentionSampleEntrySchema).optional(),
  /** The job that acted on this preview, once run. */
  jobId: z.string().optional(),
});
export type RetentionPreview = z.infer<typeof RetentionPreviewSchema>;

export const RetentionOutcomeSchema = z.enum(['deleted', 'class-changed', 'skipped', 'failed', 'not-run']);
export type RetentionOutcome = z.infer<typeof RetentionOutcomeSchema>;

export const RetentionReportSchema = z.object({
  previewId: z.string(),
  jobId: z.string(),
  uri: z.string(),
  action: RetentionActionSchema,
  /** The job's state when the report was made. */
  jobState: z.string(),
  totals: z.record(RetentionOutcomeSchema, z.object({ count: z.number().int().nonnegative(), bytes: z.number().nonnegative() })),
  /** The monthly saving of the objects actually deleted or moved, priced as in the preview. */
  realisedMonthlySavingUsd: z.number(),
  previewMonthlySavingUsd: z.number(),
  objects: z.array(
    z.object({
      uri: z.string(),
      size: z.number().nonnegative(),
      storageClass: z.string().optional(),
      outcome: RetentionOutcomeSchema,
      /** Why it was skipped or failed. */
      reason: z.string().optional(),
    }),
  ),
  /** True when `objects` is one page of a longer list. */
  objectsTruncated: z.boolean(),
});
export type RetentionReport = z.infer<typeof RetentionReportSchema>;

export const retentionChannels = {
  /** Starts a preview in the background; `retention:progress` events follow, the last with its final state. */
  'retention:preview': channel(RetentionPreviewRequestSchema, z.object({ id: z.string() })),
  'retention:previewResult': channel(z.object({ id: z.string().min(1) }), RetentionPreviewSchema),
  'retention:cancelPreview': channel(z.object({ id: z.string().min(1) }), Ok),
  /** Runs a finished preview as a job (delete, or set-class) on exactly its matches; answers the job's id. */
  'retention:run': channel(z.object({ id: z.string().min(1) }), z.object({ jobId: z.string() })),
  /** Per-object outcome of the run, totals and the realised saving; `objects` paged. */
  'retention:report': channel(
    z.object({ id: z.string().min(1), offset: z.number().int().min(0).optional(), limit: z.number().int().min(1).max(5000).optional() }),
    RetentionReportSchema,
  ),
} as const;

export const retentionEvents = {
  'retention:progress': RetentionProgressSchema,
} as const;
