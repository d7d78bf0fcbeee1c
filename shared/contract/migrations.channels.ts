import { z } from 'zod';
import { CostEstimateSchema } from './costs.estimate';
import { ErrorInfoSchema } from '../errors';
import { channel, Empty, Ok } from './define';
import { UriSchema } from './storage.channels';

/**
 * Migrations: a plan (reads only: compare source and destinations, classify every object, map names and metadata,
 * estimate the cost), then a run (jobs on the job manager for exactly the planned pairs, deletions last and
 * capped), then a verification (a second comparison), then a report kept as history. One id names the plan and
 * everything that follows from it. `plans:progress` events carry the state while it changes.
 */
export const CompareModeSchema = z.enum(['size', 'size+checksum', 'size+mtime']);
export type CompareMode = z.infer<typeof CompareModeSchema>;

export const MigrationModeSchema = z.enum(['copy', 'mirror']);
export type MigrationMode = z.infer<typeof MigrationModeSchema>;

const Glob = z.string().min(1).max(1024);

export const MigrationFiltersSchema = z.object({
  /** Globs on the key relative to the source prefix (`*` stays in one folder, `**` crosses folders). */
  include: z.array(Glob).max(100).optional(),
  exclude: z.array(Glob).max(100).optional(),
  minSize: z.number().int().nonnegative().optional(),
  maxSize: z.number().int().nonnegative().optional(),
  /** Age from the object's modified time, in days. */
  minAgeDays: z.number().nonnegative().optional(),
  maxAgeDays: z.number().nonnegative().optional(),
});
export type MigrationFilters = z.infer<typeof MigrationFiltersSchema>;

export const MigrationOptionsSchema = z.object({
  preserveMetadata: z.boolean().default(true),
  storageClass: z.string().min(1).max(64).optional(),
  allowServerSide: z.boolean().default(true),
  allowCloudPull: z.boolean().default(false),
});
export type MigrationOptions = z.output<typeof MigrationOptionsSchema>;

/** Mirror mode only: deletions are off unless asked for, and capped. */
export const DeletionPolicySchema = z.object({
  enabled: z.boolean().default(false),
  /** Stop and ask when more than this many objects would be deleted. With neither limit set, every deletion asks. */
  maxCount: z.number().int().nonnegative().optional(),
  /** Stop and ask when more than this share (0–100) of the destination's objects would be deleted. */
  maxPercent: z.number().min(0).max(100).optional(),
  /**
   * Move extras into this folder of the destination prefix instead of deleting them (e.g. `_quarantine/`):
   * `<destination>/_quarantine/<key>`. The folder is left out of every comparison, on both sides.
   */
  quarantinePrefix: z.string().min(1).max(512).optional(),
});
export type DeletionPolicy = z.output<typeof DeletionPolicySchema>;

export const MigrationRequestSchema = z.object({
  /** A prefix (ends in `/`, or a bucket root); its contents are mirrored into each destination prefix. */
  source: UriSchema,
  destinations: z.array(UriSchema).min(1).max(8),
  mode: MigrationModeSchema.default('copy'),
  compare: CompareModeSchema.default('size+checksum'),
  filters: MigrationFiltersSchema.default({}),
  options: MigrationOptionsSchema.default({ preserveMetadata: true, allowServerSide: true, allowCloudPull: false }),
  deletions: DeletionPolicySchema.default({ enabled: false }),
});
export type MigrationRequest = z.output<typeof MigrationRequestSchema>;
export type MigrationRequestInput = z.input<typeof MigrationRequestSchema>;

export const PlanGroupSchema = z.enum(['new', 'changed', 'unchanged', 'extra', 'names', 'metadata']);
export type PlanGroup = z.infer<typeof PlanGroupSchema>;

/** One object of a plan. `dest` is the destination index; keys are relative to the source/destination prefix. */
export const PlanItemSchema = z.object({
  dest: z.number().int().nonnegative(),
  /** Relative source key (absent for `extra`). */
  key: z.string().optional(),
  /** Relative destination key the object is (or will be) stored as. */
  destKey: z.string().optional(),
  size: z.number().nonnegative(),
  destSize: z.number().nonnegative().optional(),
  /** Extra group: the destination object's ETag (or GCS generation) as listed, so that a deletion removes only that version. */
  etag: z.string().optional(),
  /** Why `changed` (size differs, md5 differs, newer at the source), or how a comparison fell back. */
  reason: z.string().optional(),
  /** Names group: what the destination cannot hold and what happens (renamed, not copied). */
  issue: z.enum(['renamed', 'too-long', 'collision', 'nfc-nfd', 'unusable']).optional(),
  /** Metadata group: names renamed (`from -> to`) and dropped. */
  renamedMetadata: z.array(z.object({ from: z.string(), to: z.string() })).optional(),
  droppedMetadata: z.array(z.string()).optional(),
  message: z.string().optional(),
});
export type PlanItem = z.infer<typeof PlanItemSchema>;

export const GroupTotalsSchema = z.object({ count: z.number().int().nonnegative(), bytes: z.number().nonnegative() });
export type GroupTotals = z.infer<typeof GroupTotalsSchema>;

export const PlanDestinationSummarySchema = z.object({
  uri: z.string(),
  new: GroupTotalsSchema,
  changed: GroupTotalsSchema,
  unchanged: GroupTotalsSchema,
  extra: GroupTotalsSchema,
  /** Names renamed, too long or colliding at this destination. */
  nameIssues: z.number().int().nonnegative(),
  /** Objects whose metadata will be renamed or dropped at this destination. */
  metadataIssues: z.number().int().nonnegative(),
  /** Objects the destination cannot hold: reported, never copied. */
  notCopyable: z.number().int().nonnegative(),
  /** Objects in the destination before the run (for the deletion cap's percentage). */
  destinationObjects: z.number().int().nonnegative(),
  /** Checksum kinds the comparison used, with counts (`md5: 10`, `size: 2`). */
  checksumKinds: z.record(z.string(), z.number().int()),
  estimate: CostEstimateSchema.nullable(),
  path: z.enum(['server-side', 'relay', 'cloud-pull']),
});
export type PlanDestinationSummary = z.infer<typeof PlanDestinationSummarySchema>;

export const MigrationStateSchema = z.enum([
  'planning',
  'planned',
  'running',
  /** Mirror deletions above the cap: nothing was deleted; `plans:confirmDeletions` goes on. */
  'needs-confirmation',
  'deleting',
  'verifying',
  'completed',
  /** The run ended but the verification found differences (listed in the report). */
  'completed-with-differences',
  'failed',
  'cancelled',
]);
export type MigrationState = z.infer<typeof MigrationStateSchema>;

const count = z.number().int().nonnegative();

/** A transfer service's run of a plan, as its own counters say (a counter the service does not give is absent). */
export const ServiceRunSchema = z.object({
  /** The cloud transfer (`cloudTransfers:*`) that ran it. */
  transferId: z.string(),
  engine: z.string(),
  engineName: z.string(),
  /** How the service says its run ended: succeeded, failed or cancelled, and its own word for it. */
  state: z.enum(['succeeded', 'failed', 'cancelled']),
  serviceState: z.string(),
  objectsFound: count.optional(),
  bytesFound: z.number().nonnegative().optional(),
  objectsCopied: count,
  bytesCopied: z.number().nonnegative(),
  objectsFailed: count,
  objectsSkipped: count.optional(),
  errors: z.array(z.string()),
  startedAt: z.string().optional(),
  endedAt: z.string().optional(),
  /** The service's own fee for what it copied; null when the price catalog could not confirm a figure. */
  feeUsd: z.number().nonnegative().nullable(),
});
export type ServiceRun = z.infer<typeof ServiceRunSchema>;

export const MigrationSummarySchema = z.object({
  id: z.string(),
  name: z.string().optional(),
  request: MigrationRequestSchema,
  /**
   * Only these paths (relative to the source; a path ending in '/' is a folder and all under it) were compared and
   * copied: a kept-in-sync folder's run of the changes its watcher saw. Absent: the whole source.
   */
  paths: z.array(z.string().min(1).max(1024)).max(10_000).optional(),
  state: MigrationStateSchema,
  /** What the user should know now (the deletion cap, a failure, the verification's result). */
  message: z.string().optional(),
  createdAt: z.string(),
  plannedAt: z.string().nullable(),
  runStartedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  destinations: z.array(PlanDestinationSummarySchema),
  source: z.object({ objects: z.number().int().nonnegative(), bytes: z.number().nonnegative(), filteredOut: z.number().int().nonnegative() }),
  /** List/stat requests the plan made (reads only). */
  reads: z.object({ listPages: z.number().int().nonnegative(), heads: z.number().int().nonnegative() }),
  /** Caveats in words: a provider's listing not sorted, checksums not comparable, folder markers skipped. */
  notes: z.array(z.string()),
  jobIds: z.array(z.string()),
  deletionsPlanned: z.number().int().nonnegative(),
  /** After the run: what happened, in totals (every object's row is in the report: `plans:export`). */
  report: z
    .object({
      copied: z.number().int().nonnegative(),
      skipped: z.number().int().nonnegative(),
      failed: z.number().int().nonnegative(),
      notCopied: z.number().int().nonnegative(),
      deleted: z.number().int().nonnegative(),
      quarantined: z.number().int().nonnegative(),
      renamed: z.number().int().nonnegative(),
      metadataChanged: z.number().int().nonnegative(),
      bytesCopied: z.number().nonnegative(),
      /** What the plan said would be copied, to set against `bytesCopied`. */
      bytesEstimated: z.number().nonnegative(),
      costEstimateUsd: z.number().nonnegative().nullable(),
      durationMs: z.number().nonnegative(),
      /** Verification kinds of the copies (`md5: 12`, `crc32c: 3`, `size: 1`). */
      checksumKinds: z.record(z.string(), z.number().int()),
    })
    .optional(),
  /** After the run: differences the verification found (0 means identical). */
  differences: z.number().int().nonnegative().nullable(),
  /**
   * When a cloud's transfer service copied the plan instead of Skyferry's jobs: the service's own counters, set beside
   * the verification's and the report's, and its fee (added to the plan's request and egress estimate as the cost).
   */
  serviceRun: ServiceRunSchema.optional(),
  error: ErrorInfoSchema.optional(),
});
export type MigrationSummary = z.infer<typeof MigrationSummarySchema>;

export const PlanProgressSchema = z.object({
  id: z.string(),
  state: MigrationStateSchema,
  /** Objects compared so far (planning and verification). */
  compared: z.number().int().nonnegative(),
  message: z.string().optional(),
});
export type PlanProgress = z.infer<typeof PlanProgressSchema>;

export const ReportOutcomeSchema = z.enum(['copied', 'skipped', 'deleted', 'quarantined', 'not-copied', 'failed', 'pending']);

export const ReportRowSchema = z.object({
  destination: z.string(),
  source: z.string().optional(),
  target: z.string(),
  outcome: ReportOutcomeSchema,
  size: z.number().nonnegative(),
  renamedTo: z.string().optional(),
  metadataDropped: z.string().optional(),
  checksum: z.string().optional(),
  reason: z.string().optional(),
});
export type ReportRow = z.infer<typeof ReportRowSchema>;

const Id = z.object({ id: z.string().min(1).max(100) });

export const ProfileSchema = z.object({ name: z.string().trim().min(1).max(100), request: MigrationRequestSchema, savedAt: z.string() });
export type Profile = z.infer<typeof ProfileSchema>;

export const migrationChannels = {
  /** Starts planning in the background; `plans:progress` follows, then `plans:get` gives the plan. */
  'plans:create': channel(MigrationRequestSchema.extend({ name: z.string().max(100).optional() }), z.object({ id: z.string() })),
  'plans:get': channel(Id, MigrationSummarySchema),
  /** Plans and runs kept as history, newest first. */
  'plans:list': channel(Empty, z.array(MigrationSummarySchema)),
  /** One page of one group of a plan at one destination (`dest` is its index; the lists are kept on disk). */
  'plans:page': channel(
    Id.extend({ group: PlanGroupSchema, dest: z.number().int().min(0).max(7).default(0), offset: z.number().int().min(0).default(0), limit: z.number().int().min(1).max(5000).default(500) }),
    z.object({ items: z.array(PlanItemSchema), total: z.number().int().nonnegative() }),
  ),
  /** Runs a planned migration: copies new and changed objects, then the deletions (mirror), then verifies. */
  'plans:run': channel(Id, Ok),
  /** Goes on with the deletions of a run that stopped above its cap. */
  'plans:confirmDeletions': channel(Id, Ok),
  'plans:cancel': channel(Id, Ok),
  'plans:remove': channel(Id, Ok),
  /** The report as text: every object with its outcome. CSV follows RFC 4180. */
  'plans:export': channel(Id.extend({ format: z.enum(['json', 'csv']) }), z.object({ text: z.string(), fileName: z.string() })),
  'profiles:save': channel(z.object({ name: z.string().trim().min(1).max(100), request: MigrationRequestSchema }), Ok),
  'profiles:list': channel(Empty, z.array(ProfileSchema)),
  'profiles:remove': channel(z.object({ name: z.string().min(1).max(100) }), Ok),
  /** Plans the profile again and runs it: only what changed since is transferred. Returns the new plan id. */
  'profiles:run': channel(z.object({ name: z.string().min(1).max(100) }), z.object({ id: z.string() })),
  /** A saved profile as a readable YAML file (accounts by name, never a secret), for `skyferry migrate --profile FILE`. */
  'profiles:exportYaml': channel(z.object({ name: z.string().min(1).max(100) }), z.object({ text: z.string(), fileName: z.string() })),
  /**
   * Saves the profile a YAML file holds, under the name it gives; an existing profile of that name is kept unless
   * `replace`. `save: false` only reads and checks it (the command line runs a file without saving it). A bad file
   * is refused with the line and the field that are wrong.
   */
  'profiles:importYaml': channel(
    z.object({ text: z.string().max(1024 * 1024), fileName: z.string().max(255).optional(), replace: z.boolean().optional(), save: z.boolean().optional() }),
    z.object({ name: z.string(), request: MigrationRequestSchema, saved: z.boolean() }),
  ),
} as const;

export const migrationEvents = {
  'plans:progress': PlanProgressSchema,
} as const;
