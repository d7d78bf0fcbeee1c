import type { Transform } from 'node:stream';
import type { JobKind } from '../../../shared/contract/jobs.channels';
import type { JobLimit } from '../../../shared/contract/settings.channels';
import type { ProviderKind } from '../../../shared/location';
import type { Admission } from './admission';
import type { Job } from './job-model';
import type { RetryPolicy } from './retry';
import type { Resolver } from './types';

/**
 * What the job manager and the runners share: the manager imports this module and is given the runners; the
 * runners import this module and never the manager.
 */

/** What a running job is given by the manager. */
export interface RunContext {
  /** The engine's resolver, counting the job's provider calls while it runs. */
  resolve: Resolver;
  retry: RetryPolicy;
  /** A source read silent this long while the relay waits fails the attempt (default DEFAULT_STALL_MS). */
  stallMs?: number;
  deleteBatchSize: number;
  /** Holds a relayed file's bytes to the bandwidth limits (the app's and its job's, seeded with `limit`). */
  throttle?: (jobId: string, from: ProviderKind, to: ProviderKind, signal: AbortSignal, limit?: JobLimit) => Transform;
  /** Told, chunk by chunk, that a job's relay is passing bytes on (the engine paces its garbage collection while it does). */
  relaying?: () => void;
  /** Whether a limit holds now for a copy between two local folders (then it goes through the relay, limited). */
  localLimited?: (jobId: string, limit?: JobLimit) => boolean;
  /** Shared by every job: files and buffers in flight, overall and per account. */
  admission: Admission;
  /** Tells the UI that the job changed (phase, a file's state). */
  changed(job: Job): void;
}

/**
 * What one kind of job does with its files. The manager owns a job's life (queue, state, journal header, pause,
 * resume, cancel, retry, progress events); the runner owns the files.
 */
export interface JobRunner {
  /** The listing phase of a job started from its sources (a planned job has its files): plans and journals them. */
  list(job: Job, ctx: RunContext, signal: AbortSignal): Promise<void>;
  /** Works through every pending file. A file's failure is recorded on the file; a throw fails the whole job. */
  run(job: Job, ctx: RunContext, signal: AbortSignal): Promise<void>;
  /** Gives up what a job cancelled while not running keeps on the services for a resume (unfinished uploads). */
  discard?(job: Job, ctx: RunContext): Promise<void>;
}

/** The runner of each job kind, given to the manager (runners.ts holds Skyferry's). */
export type JobRunners = Readonly<Record<JobKind, JobRunner>>;
