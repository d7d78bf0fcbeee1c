import { z } from 'zod';
import { channel, Empty, Ok } from './define';
import { UriSchema } from './storage.channels';

/** Bytes per second in one direction; null is no limit. */
const RateSchema = z.number().int().positive().max(1e13).nullable();

/** A job's own bandwidth limit: upload (bytes written to a cloud) and download (bytes read from one) apart. */
export const JobLimitSchema = z.object({ up: RateSchema.optional(), down: RateSchema.optional() }).strict();
export type JobLimit = z.infer<typeof JobLimitSchema>;

export const BandwidthSettingSchema = z.object({
  /** As the user wrote it, in rclone's --bwlimit syntax ('' is off). */
  limit: z.string(),
  /** The rates in force now (bytes per second, null: none). */
  now: z.object({ up: RateSchema, down: RateSchema }),
  /** When a timetable changes the rates next (ISO 8601). */
  nextChange: z.string().optional(),
});
export type BandwidthSetting = z.infer<typeof BandwidthSettingSchema>;

const TimeOfDaySchema = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a time of day as HH:MM');

/** When a schedule runs: once at an instant, every day at a time, or one day of every week (0 = Sunday). */
export const ScheduleWhenSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('once'), at: z.string().datetime({ offset: true }) }).strict(),
  z.object({ kind: z.literal('daily'), time: TimeOfDaySchema }).strict(),
  z.object({ kind: z.literal('weekly'), day: z.number().int().min(0).max(6), time: TimeOfDaySchema }).strict(),
]);
export type ScheduleWhen = z.infer<typeof ScheduleWhenSchema>;

/** What a schedule runs: a saved migration profile, or a cost scan of a bucket or prefix. */
export const ScheduleTargetSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('profile'), name: z.string().trim().min(1).max(100) }).strict(),
  z.object({ type: z.literal('scan'), uri: UriSchema }).strict(),
]);
export type ScheduleTarget = z.infer<typeof ScheduleTargetSchema>;

export const ScheduleRunSchema = z.object({
  at: z.string(),
  outcome: z.enum(['running', 'completed', 'failed', 'skipped']),
  /** The migration's or scan's id. */
  runId: z.string().optional(),
  message: z.string().optional(),
  /** The run made up for a due time missed while the app was closed (that due time, ISO 8601). */
  missed: z.string().optional(),
});
export type ScheduleRun = z.infer<typeof ScheduleRunSchema>;

export const ScheduleSchema = z.object({
  id: z.string(),
  target: ScheduleTargetSchema,
  when: ScheduleWhenSchema,
  /** The next due time (ISO 8601); absent once a one-time schedule has run. */
  nextRun: z.string().optional(),
  lastRun: ScheduleRunSchema.optional(),
});
export type Schedule = z.infer<typeof ScheduleSchema>;

/** A local folder a profile keeps in sync with its destinations. */
export const SyncStatusSchema = z.object({
  profile: z.string(),
  folder: z.string(),
  state: z.enum(['comparing', 'watching', 'syncing', 'failed']),
  /** Changes seen since the last sync started. */
  pending: z.number().int().min(0),
  lastSync: z.string().optional(),
  /** The last sync's migration id (its report). */
  lastRunId: z.string().optional(),
  message: z.string().optional(),
});
export type SyncStatus = z.infer<typeof SyncStatusSchema>;

const ProfileNameSchema = z.string().trim().min(1).max(100);

/**
 * The app's settings (the bandwidth limit), a running job's own limit, schedules of saved migration profiles and
 * cost scans, and local folders kept in sync by a profile.
 */
export const settingsChannels = {
  'settings:get': channel(Empty, z.object({ bandwidth: BandwidthSettingSchema })),
  /** Sets the bandwidth limit of every transfer (rclone's --bwlimit syntax); running transfers take it at once. */
  'settings:setBandwidth': channel(z.object({ limit: z.string().max(2000) }).strict(), z.object({ bandwidth: BandwidthSettingSchema })),
  /** A job's own limit, also while it runs (null in a direction: none). */
  'jobs:setLimit': channel(z.object({ id: z.string().min(1), limit: JobLimitSchema }).strict(), Ok),
  'schedules:list': channel(Empty, z.array(ScheduleSchema)),
  /** Adds a schedule, or replaces the one with `id`. */
  'schedules:save': channel(z.object({ id: z.string().min(1).max(100).optional(), target: ScheduleTargetSchema, when: ScheduleWhenSchema }).strict(), ScheduleSchema),
  'schedules:remove': channel(z.object({ id: z.string().min(1) }).strict(), Ok),
  'sync:list': channel(Empty, z.array(SyncStatusSchema)),
  /** Keeps a saved profile whose source is a local folder in sync: a full compare now, then every change. */
  'sync:start': channel(z.object({ profile: ProfileNameSchema }).strict(), SyncStatusSchema),
  'sync:stop': channel(z.object({ profile: ProfileNameSchema }).strict(), Ok),
} as const;

export const settingsEvents = {
  /** A schedule ran, was skipped or failed: the renderer shows it as a toast, the desktop as a notification. */
  'schedules:notice': z.object({ scheduleId: z.string(), level: z.enum(['info', 'error']), message: z.string() }),
  'sync:changed': SyncStatusSchema,
} as const;
