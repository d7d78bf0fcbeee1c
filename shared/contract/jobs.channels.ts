import { z } from 'zod';
import { ErrorInfoSchema } from '../errors';
import { MetadataPatchSchema } from '../model';
import { channel, Empty, Ok } from './define';
import { UriSchema } from './storage.channels';
import { JobLimitSchema } from './settings.channels';

/**
 * The transfer engine's contract. Upload is a copy from `file://` (the built-in `local` account), download a copy
 * to `file://`: one job kind covers every direction.
 */
/**
 * 'set-class' changes the storage class of listed objects in place (a retention run starts it, not `jobs:start`).
 * 'set-metadata' applies one metadata change (JobOptions.metadata) to every listed object.
 */
export const JobKindSchema = z.enum(['copy', 'move', 'delete', 'set-class', 'set-metadata']);
export type JobKind = z.infer<typeof JobKindSchema>;

export const JobStateSchema = z.enum(['queued', 'running', 'paused', 'completed', 'failed', 'cancelled']);
export type JobStateName = z.infer<typeof JobStateSchema>;

/** The states a job ends in: it runs again only when retried. */
export const FINISHED_JOB_STATES = ['completed', 'failed', 'cancelled'] as const satisfies readonly JobStateName[];
export type FinishedJobState = (typeof FINISHED_JOB_STATES)[number];

export function isFinishedJobState(state: JobStateName): state is FinishedJobState {
  return (FINISHED_JOB_STATES as readonly JobStateName[]).includes(state);
}

export const JobPhaseSchema = z.enum(['listing', 'transferring', 'verifying', 'done']);
export type JobPhase = z.infer<typeof JobPhaseSchema>;

/** Which way the bytes went: inside the cloud, pulled by the destination from a signed URL, or through this machine. */
export const TransferPathSchema = z.enum(['server-side', 'cloud-pull', 'relay', 'mixed', 'local']);
export type TransferPath = z.infer<typeof TransferPathSchema>;

/**
 * What a copy does where its destination already holds an object: 'never' skips it (the file's notice says it
 * exists), 'always' replaces it, 'ifNewer' replaces it when the source was modified later, 'ifDifferent' when the
 * size or a hash both sides have differs, 'keepBoth' writes the copy under the next free name (`name (1).ext`).
 */
export const OverwriteModeSchema = z.enum(['always', 'never', 'ifNewer', 'ifDifferent', 'keepBoth']);
export type OverwriteMode = z.infer<typeof OverwriteModeSchema>;

/** Per-file answers to a conflict check, by destination URI (as `jobs:conflicts` names them). */
export const MAX_CONFLICT_DECISIONS = 10_000;
export const OverwriteDecisionsSchema = z
  .record(UriSchema, OverwriteModeSchema)
  .refine((d) => Object.keys(d).length <= MAX_CONFLICT_DECISIONS, { message: `at most ${MAX_CONFLICT_DECISIONS} per-file decisions` });

export const JobOptionsSchema = z.object({
  /** Nothing is replaced unless the caller says so: a job that names no mode skips what exists. */
  overwrite: OverwriteModeSchema.default('never'),
  /** The user's answer for single files (destination URI -> mode), over `overwrite`. */
  decisions: OverwriteDecisionsSchema.optional(),
  verify: z.boolean().default(true),
  /**
   * Between accounts, the destination may fetch each file itself from a short-lived signed read URL of the source
   * (Azure destinations: Put Blob / Put Block From URL; path 'cloud-pull'); a file it cannot fetch is relayed, and
   * its notice says why. Off unless the user allows it.
   */
  allowCloudPull: z.boolean().default(false),
  /** Copy user metadata (mapped to what the destination can hold, every change reported); absent means yes. */
  preserveMetadata: z.boolean().optional(),
  /** Storage class (tier) to write at the destination; the destination's default when absent. */
  storageClass: z.string().min(1).max(64).optional(),
  /** A server-side copy may be used inside one account; false forces the relay; absent means yes. */
  allowServerSide: z.boolean().optional(),
  /**
   * The destination is the new name itself, not a folder to copy into (rename, "copy as"); one source only. An
   * object lands at exactly that key; a prefix's contents land directly under the destination prefix (`old/` to
   * `new/` gives `new/a.txt`, not `new/old/a.txt`). Absent: a destination ending in '/' (or naming an existing
   * folder) is a folder the sources land in under their own names, and a single object sent to any other
   * destination lands at exactly that key.
   */
  destinationIsExact: z.boolean().optional(),
  /**
   * A read with failover: other saved locations of the one object being copied (each a full object URI), tried
   * in order when reading the source fails for good (an error that is not retryable, or retries spent). The file
   * entry's `notice` says which location served it; verification checks the bytes against that location.
   */
  alternates: z.array(UriSchema).max(16).optional(),
  /**
   * A retention run (delete or set-class of planned files): each object is checked first and left alone (skipped,
   * with the reason) when it is gone, its ETag differs from the planned one, or it was modified at or after this
   * ISO 8601 instant.
   */
  unchangedBefore: z.string().datetime().optional(),
  /**
   * A 'set-metadata' job's change, the same on every object: the headers given replace each object's, and the
   * user metadata given is added to each object's own (a name it already has takes the new value).
   */
  metadata: MetadataPatchSchema.optional(),
  /** This job's own bandwidth limit (bytes per second, upload and download apart); jobs:setLimit changes it. */
  limit: JobLimitSchema.optional(),
});
export type JobOptions = z.output<typeof JobOptionsSchema>;

export const JobStartRequestSchema = z
  .object({
    kind: JobKindSchema,
    /** Objects, or prefixes ending in '/' (copied recursively). */
    sources: z.array(UriSchema).min(1).max(100_000),
    /** A folder (ends in '/') or, for one source, the exact new name (see `destinationIsExact`); required for copy and move. */
    destination: UriSchema.optional(),
    options: JobOptionsSchema.partial().optional(),
  })
  .refine((r) => r.kind !== 'set-class', {
    message: 'a class change is started from a retention preview',
    path: ['kind'],
  })
  .refine((r) => r.options?.unchangedBefore === undefined || r.kind === 'delete', {
    message: 'only a delete checks each object against a retention preview',
    path: ['options', 'unchangedBefore'],
  })
  .refine((r) => r.kind !== 'set-metadata' || (r.options?.metadata !== undefined && r.destination === undefined), {
    message: 'a metadata change names the change and no destination',
    path: ['options', 'metadata'],
  })
  .refine((r) => r.kind === 'delete' || r.kind === 'set-metadata' || r.destination !== undefined, {
    message: 'copy and move need a destination',
    path: ['destination'],
  })
  .refine((r) => r.options?.destinationIsExact !== true || r.sources.length === 1, {
    message: 'a rename takes exactly one source',
    path: ['sources'],
  })
  .refine((r) => !r.options?.alternates?.length || (r.kind === 'copy' && r.sources.length === 1), {
    message: 'alternate locations are for a copy of exactly one object',
    path: ['options', 'alternates'],
  })
  .refine((r) => !r.options?.alternates?.some((u) => u.endsWith('/')), {
    message: 'an alternate location is an object, not a folder',
    path: ['options', 'alternates'],
  });
export type JobStartRequest = z.output<typeof JobStartRequestSchema>;

/** What `jobs:conflicts` checks: the same kind, sources, destination and naming as the `jobs:start` to follow. */
export const ConflictCheckRequestSchema = z
  .object({
    kind: z.enum(['copy', 'move']),
    sources: z.array(UriSchema).min(1).max(100_000),
    destination: UriSchema,
    destinationIsExact: z.boolean().optional(),
    /** The other locations of the one object (JobOptions.alternates): its size comes from the first that answers. */
    alternates: z.array(UriSchema).max(16).optional(),
  })
  .strict()
  .refine((r) => r.destinationIsExact !== true || r.sources.length === 1, { message: 'a rename takes exactly one source', path: ['sources'] });
export type ConflictCheckRequest = z.output<typeof ConflictCheckRequestSchema>;

/** One side of a conflict, as the dialog shows it. */
export const ConflictSideSchema = z.object({
  uri: z.string(),
  size: z.number().nonnegative(),
  /** ISO 8601, when the service says. */
  modified: z.string().optional(),
  storageClass: z.string().optional(),
});
export type ConflictSide = z.infer<typeof ConflictSideSchema>;

/** A file of the job whose destination already holds an object. */
export const ConflictSchema = z.object({
  /** The key relative to the destination folder the job writes into (`a.txt`, `photos/b.jpg`). */
  name: z.string(),
  source: ConflictSideSchema,
  destination: ConflictSideSchema,
});
export type Conflict = z.infer<typeof ConflictSchema>;

/** At most this many conflicts are listed; `truncated` says there were more. */
export const MAX_CONFLICTS_LISTED = 1000;

export const ConflictReportSchema = z.object({
  conflicts: z.array(ConflictSchema),
  /** More conflicts exist than were listed: only an answer for all covers them. */
  truncated: z.boolean(),
  /** Files the job would copy. */
  files: z.number().int().nonnegative(),
});
export type ConflictReport = z.infer<typeof ConflictReportSchema>;

export const JobSummarySchema = z.object({
  id: z.string(),
  kind: JobKindSchema,
  title: z.string(),
  sources: z.array(z.string()),
  destination: z.string().optional(),
  state: JobStateSchema,
  phase: JobPhaseSchema,
  path: TransferPathSchema,
  filesDone: z.number().int().nonnegative(),
  filesTotal: z.number().int().nonnegative(),
  filesFailed: z.number().int().nonnegative(),
  bytesDone: z.number().nonnegative(),
  bytesTotal: z.number().nonnegative(),
  bytesPerSecond: z.number().nonnegative(),
  /** null while unknown (no speed yet). */
  etaSeconds: z.number().nonnegative().nullable(),
  /** ISO 8601. */
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  error: ErrorInfoSchema.optional(),
});
export type JobSummary = z.infer<typeof JobSummarySchema>;

export const FileStateSchema = z.enum(['pending', 'running', 'done', 'skipped', 'failed', 'cancelled']);
export type FileState = z.infer<typeof FileStateSchema>;

/**
 * What a file's verification compared, source side against destination:
 * - a hash kind: the source's stored hash of that kind matched the destination's;
 * - `<kind>-relay`: the source stores no full-object hash (an S3 multipart object): the destination matched the
 *   bytes read;
 * - `crc32-parts` / `crc32c-parts`: an upload resumed after a restart: the whole object's CRC, combined from the
 *   parts stored before (as the service checked them) and the rest as read now, matched the destination's;
 * - `<kind>-source`: the bytes read matched the source's stored hash and the destination keeps no hash in common
 *   with it (Azure block blobs stored without Content-MD5, each block checked as it arrived);
 * - `<kind>-composite`: the same, against an S3 multipart object's composite checksum, part by part;
 * - `size`: no hash on both sides; `none`: verification off.
 */
export const VerifiedBySchema = z.enum([
  'md5',
  'sha256',
  'crc64',
  'crc32c',
  'crc32',
  'md5-relay',
  'sha256-relay',
  'crc64-relay',
  'crc32c-relay',
  'crc32-relay',
  'crc32c-parts',
  'crc32-parts',
  'sha256-source',
  'crc32c-source',
  'crc32-source',
  'crc32c-composite',
  'crc32-composite',
  'size',
  'none',
]);
export type VerifiedBy = z.infer<typeof VerifiedBySchema>;

export const JobFileSchema = z.object({
  source: z.string(),
  /** Absent for deletes. */
  destination: z.string().optional(),
  state: FileStateSchema,
  size: z.number().nonnegative(),
  bytesDone: z.number().nonnegative(),
  path: TransferPathSchema.optional(),
  checksum: VerifiedBySchema.optional(),
  /** The local name used when the object's key could not be stored as is (download path safety). */
  renamedTo: z.string().optional(),
  /** Something the user should know that is not a failure (a rename, metadata the destination could not hold, a skip). */
  notice: z.string().optional(),
  attempts: z.number().int().nonnegative(),
  error: ErrorInfoSchema.optional(),
});
export type JobFile = z.infer<typeof JobFileSchema>;

/** The summary plus the per-file entries (a page of them: see `offset`/`limit` of `jobs:get`). */
export const JobDetailSchema = JobSummarySchema.extend({
  files: z.array(JobFileSchema),
  /** True when `files` was cut to keep the response small (a job of a million files). */
  filesTruncated: z.boolean(),
});
export type JobDetail = z.infer<typeof JobDetailSchema>;

/** One job by id, or every job. */
export const JobTargetSchema = z.union([z.object({ id: z.string().min(1) }), z.object({ all: z.literal(true) })]);
export type JobTarget = z.infer<typeof JobTargetSchema>;

export const jobChannels = {
  /**
   * The files of a copy or move (or rename, upload, download) whose destination already holds an object, with both
   * sides, found by the job's own expansion and one listing of the destination: asked before `jobs:start`, whose
   * `overwrite` and `decisions` carry the user's answer.
   */
  'jobs:conflicts': channel(ConflictCheckRequestSchema, ConflictReportSchema),
  'jobs:start': channel(JobStartRequestSchema, z.object({ id: z.string() })),
  /** Active jobs and history, newest first. */
  'jobs:list': channel(Empty, z.array(JobSummarySchema)),
  'jobs:get': channel(
    z.object({ id: z.string().min(1), offset: z.number().int().min(0).optional(), limit: z.number().int().min(1).max(5000).optional() }),
    JobDetailSchema,
  ),
  'jobs:pause': channel(JobTargetSchema, Ok),
  'jobs:resume': channel(JobTargetSchema, Ok),
  'jobs:cancel': channel(JobTargetSchema, Ok),
  /** Runs the failed files of a finished job again (or of every failed job). */
  'jobs:retry': channel(JobTargetSchema, Ok),
  /** Forgets finished jobs (completed, failed, cancelled). */
  'jobs:clearHistory': channel(Empty, Ok),
} as const;

export const jobEvents = {
  /** Throttled to a few per second per job. */
  'jobs:progress': JobSummarySchema,
  'jobs:changed': z.object({ id: z.string(), state: JobStateSchema }),
} as const;
