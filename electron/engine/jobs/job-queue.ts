import { randomUUID } from 'node:crypto';
import { CancelledError, ConflictError, NotFoundError, toErrorInfo } from '../../../shared/errors';
import { isFinishedJobState, JobOptionsSchema, type FinishedJobState, type JobKind, type JobOptions, type JobStartRequest, type JobSummary, type JobTarget } from '../../../shared/contract/jobs.channels';
import type { EventName, EventPayload } from '../../../shared/contract';
import { createLogger } from '../log';
import { FILES_PER_JOURNAL_LINE, Job, jobTitle, replay } from './job-model';
import { JournalStore } from './journal';
import { DEFAULT_RETRY, type RetryPolicy } from './retry';
import { Admission, type AdmissionSettings } from './admission';
import type { MultipartSettings } from '../providers/provider';
import type { JobRunner, JobRunners, RunContext } from './run-context';
import type { PlannedFile, Resolver } from './types';
import { finishedJob, RequestCounter, type FinishedJob } from './request-count';

const log = createLogger('jobs');
/** A running job's request counts reach its journal at most this often (and when the run stops), if they changed. */
const REQUESTS_CHECKPOINT_MS = 2000;

export type JobEventSink = <E extends EventName>(event: E, payload: EventPayload<E>) => void;

export interface JobQueueOptions {
  /** What runs each kind of job (runners.ts has Skyferry's). */
  runners: JobRunners;
  resolve: Resolver;
  /** Folder of the journals; without one, jobs live in memory only (tests of pure logic). */
  journalDir?: string;
  /**
   * Unfinished jobs of the journal are loaded but wait until resumed by name (`jobs:resume`): a one-off command
   * (`skyferry ls`) must not go on with the app's interrupted copies while it lists a folder.
   */
  holdRestored?: boolean;
  emit?: JobEventSink;
  /** Files in flight across all jobs (default 72), whatever their size. */
  maxFiles?: number;
  /** Files below the multipart threshold in flight at most (default 64): the cap of their adaptive limit. */
  maxSmallFiles?: number;
  /** Files at or above the multipart threshold in flight (default 8), within largeBufferBytes. */
  maxLargeFiles?: number;
  /**
   * Part buffers that large relayed files may hold together (default 80 MiB: three files of (4 + 1) x 5 MiB; files
   * whose source is read in parallel ranges share it by how many are to go, from two of (4 + 4) x 5 MiB to four or
   * more of (2 + 2) x 5 MiB: the range given out is the part being filled. Admission.rangedWindow).
   */
  largeBufferBytes?: number;
  /** Bodies that small relayed files may hold together (default 32 MiB). */
  smallBufferBytes?: number;
  /** Files in flight against one account, source or destination (default: maxFiles). */
  maxPerAccount?: number;
  /** The providers' multipart sizing (the engine's providerOptions.multipart), for the two admission classes. */
  multipart?: MultipartSettings;
  /** Jobs running at once; the rest wait queued. */
  maxJobs?: number;
  retry?: Partial<RetryPolicy>;
  /** A source read silent this long while the relay waits fails the attempt (default DEFAULT_STALL_MS); tests lower it. */
  stallMs?: number;
  /** The bandwidth limits' pass-through for relayed bytes (RunContext.throttle). */
  throttle?: RunContext['throttle'];
  /** Told as the relay passes bytes on (RunContext.relaying). */
  relaying?: RunContext['relaying'];
  localLimited?: RunContext['localLimited'];
  progressIntervalMs?: number;
  deleteBatchSize?: number;
  /** Told of every job that ends (completed, failed, cancelled), with its requests by kind: the cost history. */
  onFinished?: (job: FinishedJob) => void;
  /** How often a running job's request counts are journaled, if they changed (default 2 s); tests lower it. */
  requestsCheckpointMs?: number;
}

/** A job to add: from its sources (a listing phase plans its files), or with its files planned already. */
export interface NewJob {
  kind: JobKind;
  title: string;
  sources: readonly string[];
  destination?: string;
  options?: Partial<JobOptions>;
  /** The files, source and destination URI each, as a migration or a retention preview plans them. */
  files?: readonly PlannedFile[];
}

/**
 * The job manager (Signal's JobManager shape), which knows no job kind: it is given a runner per kind. Every job
 * runs with its own AbortController, under bounded concurrency overall and per account; progress is pushed as
 * throttled events; every state change is journaled so that a killed app resumes where it stopped.
 */
export class JobQueue {
  private readonly jobs = new Map<string, Job>();
  private readonly running = new Map<string, Promise<void>>();
  /** Unfinished uploads being dropped after a cancel (awaited by waitForIdle and close). */
  private readonly cleanups = new Set<Promise<void>>();
  private readonly store: JournalStore | undefined;
  private readonly ctx: RunContext;
  private readonly maxJobs: number;
  private ticker: NodeJS.Timeout | undefined;
  private closed = false;
  private readonly waiters = new Map<string, Array<(summary: JobSummary) => void>>();
  /** Provider calls of each job by kind, counted through its resolver (kept until the job leaves the history). */
  private readonly requests = new Map<string, RequestCounter>();
  /** Restored unfinished jobs that wait for a resume by name (holdRestored). */
  private readonly held = new Set<string>();
  private get holdRestored(): boolean {
    return this.options.holdRestored === true;
  }

  constructor(private readonly options: JobQueueOptions) {
    this.store = options.journalDir === undefined ? undefined : new JournalStore(options.journalDir);
    this.maxJobs = options.maxJobs ?? 3;
    const admission: Partial<AdmissionSettings> = {};
    for (const k of ['maxFiles', 'maxSmallFiles', 'maxLargeFiles', 'largeBufferBytes', 'smallBufferBytes', 'maxPerAccount', 'multipart'] as const) {
      if (options[k] !== undefined) Object.assign(admission, { [k]: options[k] });
    }
    this.ctx = {
      resolve: options.resolve,
      retry: { ...DEFAULT_RETRY, ...options.retry },
      ...(options.stallMs === undefined ? {} : { stallMs: options.stallMs }),
      ...(options.throttle === undefined ? {} : { throttle: options.throttle }),
      ...(options.relaying === undefined ? {} : { relaying: options.relaying }),
      ...(options.localLimited === undefined ? {} : { localLimited: options.localLimited }),
      deleteBatchSize: options.deleteBatchSize ?? 1000,
      admission: new Admission(admission),
      changed: (job) => this.stateChanged(job),
    };
  }

  /** Loads the journals: unfinished jobs come back and resume (paused ones stay paused); finished ones are history. */
  restore(): void {
    if (!this.store) return;
    for (const { records } of this.store.readAll()) {
      const job = replay(records);
      if (!job || this.jobs.has(job.id)) continue;
      job.journal = this.store.open(job.id);
      this.jobs.set(job.id, job);
      if (this.holdRestored && !isFinishedJobState(job.state)) this.held.add(job.id);
      log.info(`restored job ${job.id} (${job.state}, ${job.finished}/${job.files.length} files done)`);
    }
    this.pump();
  }

  /** A job from its sources: its first run lists them (the runner's listing phase). */
  start(request: JobStartRequest): { id: string } {
    return this.add({ ...request, title: jobTitle(request.kind, request.sources, request.destination) });
  }

  /**
   * A job from an explicit list of files (source and destination URI each), as a migration plans them: there is
   * no listing phase, and everything else (progress, retries, verification, pause, crash resume) is the same.
   * `sources`/`destination` only name the job in the UI.
   */
  startPlanned(input: NewJob & { files: readonly PlannedFile[] }): { id: string } {
    return this.add(input);
  }

  /** The one way a job comes in: journaled, with its planned files if it has them (journaled as if listed). */
  private add(input: NewJob): { id: string } {
    if (this.closed) throw new ConflictError('The transfer engine is shutting down');
    const id = randomUUID();
    const options = JobOptionsSchema.parse(input.options ?? {});
    const job = new Job(id, input.kind, [...input.sources], input.destination, options, input.title, new Date().toISOString());
    if (this.store) job.journal = this.store.open(id);
    job.record({ t: 'job', v: 1, id, kind: job.kind, title: job.title, sources: job.sources, ...(job.destination === undefined ? {} : { destination: job.destination }), options, createdAt: job.createdAt }, true);
    if (input.files) {
      let bytes = 0;
      for (let from = 0; from < input.files.length; from += FILES_PER_JOURNAL_LINE) {
        const batch = input.files.slice(from, from + FILES_PER_JOURNAL_LINE);
        for (const f of batch) {
          job.addFile(f);
          bytes += f.size;
        }
        job.record({ t: 'files', from, files: batch });
      }
      job.listed = true;
      job.phase = 'transferring';
      job.record({ t: 'listed', files: input.files.length, bytes }, true);
    }
    this.jobs.set(id, job);
    this.stateChanged(job);
    this.pump();
    return { id };
  }

  /** Resolves with the job's summary once it is completed, failed or cancelled (not when paused). */
  whenFinished(id: string): Promise<JobSummary> {
    const job = this.get(id);
    if (isFinishedJobState(job.state)) return Promise.resolve(job.summary());
    return new Promise((resolve) => {
      const list = this.waiters.get(id) ?? [];
      list.push(resolve);
      this.waiters.set(id, list);
    });
  }

  list(): JobSummary[] {
    return [...this.jobs.values()].sort((a, b) => b.createdAt.localeCompare(a.createdAt)).map((j) => j.summary());
  }

  get(id: string): Job {
    const job = this.jobs.get(id);
    if (!job) throw new NotFoundError(`No transfer job ${id}`);
    return job;
  }

  pause(target: JobTarget): void {
    for (const job of this.targets(target)) {
      if (job.state === 'queued') this.setState(job, 'paused');
      else if (job.state === 'running') this.stop(job, 'pause');
    }
  }

  resume(target: JobTarget): void {
    for (const job of this.targets(target)) {
      this.held.delete(job.id);
      if (job.state === 'paused') this.setState(job, 'queued');
    }
    this.pump();
  }

  cancel(target: JobTarget): void {
    for (const job of this.targets(target)) {
      if (job.state === 'running') this.stop(job, 'cancel');
      else if (job.state === 'queued' || job.state === 'paused') {
        job.files.forEach((f, i) => f.state === 'pending' && job.setFileState(i, 'cancelled'));
        this.finish(job, 'cancelled');
        // Unfinished uploads kept for a resume (a paused job, or one restored after a crash) are dropped.
        const cleanup = (this.runnerOf(job).discard?.(job, this.ctx) ?? Promise.resolve()).finally(() => this.cleanups.delete(cleanup));
        this.cleanups.add(cleanup);
      }
    }
  }

  /** Runs the failed (and cancelled) files of finished jobs again; finished files are not redone. */
  retry(target: JobTarget): void {
    for (const job of this.targets(target)) {
      if (job.state !== 'failed' && job.state !== 'cancelled') continue;
      job.files.forEach((f, i) => {
        if ((f.state === 'failed' && !f.planError) || f.state === 'cancelled') {
          job.setFileState(i, 'pending');
          delete f.error;
        }
      });
      job.error = undefined;
      job.finishedAt = null;
      this.setState(job, 'queued');
    }
    this.pump();
  }

  clearHistory(): void {
    for (const job of [...this.jobs.values()]) {
      if (!isFinishedJobState(job.state)) continue;
      job.journal?.remove();
      this.jobs.delete(job.id);
      this.requests.delete(job.id);
    }
  }

  /** Resolves once no job is running or queued (tests, and a clean shutdown). */
  async waitForIdle(): Promise<void> {
    while (this.running.size > 0 || this.cleanups.size > 0) await Promise.allSettled([...this.running.values(), ...this.cleanups]);
  }

  /** Stops without forgetting: running jobs are journaled as they are and resume on the next start. */
  async close(): Promise<void> {
    this.closed = true;
    for (const job of this.jobs.values()) if (job.state === 'running') job.controller?.abort();
    await Promise.allSettled([...this.running.values(), ...this.cleanups]);
    for (const job of this.jobs.values()) job.journal?.close();
    if (this.ticker) clearInterval(this.ticker);
    this.ticker = undefined;
  }

  private targets(target: JobTarget): Job[] {
    return 'all' in target ? [...this.jobs.values()] : [this.get(target.id)];
  }

  private stop(job: Job, reason: 'pause' | 'cancel'): void {
    job.stopReason = reason;
    job.controller?.abort();
  }

  private pump(): void {
    if (this.closed) return;
    for (const job of [...this.jobs.values()].sort((a, b) => a.createdAt.localeCompare(b.createdAt))) {
      if (this.running.size >= this.maxJobs) break;
      if (job.state !== 'queued' || this.running.has(job.id) || this.held.has(job.id)) continue;
      const run = this.run(job);
      this.running.set(job.id, run);
    }
  }

  private async run(job: Job): Promise<void> {
    job.controller = new AbortController();
    job.stopReason = undefined;
    job.startedAt ??= new Date().toISOString();
    this.setState(job, 'running');
    this.startTicker();
    try {
      const counter = this.counterOf(job);
      // Journaled so that a run after a restart (or a kill: at most the last interval is lost) counts on from them.
      const save = (durable: boolean): void => {
        const by = counter.unsaved();
        if (by) job.record({ t: 'requests', by }, durable);
      };
      const checkpoints = setInterval(() => save(false), this.options.requestsCheckpointMs ?? REQUESTS_CHECKPOINT_MS).unref();
      try {
        await this.runJob(job, { ...this.ctx, resolve: counter.resolver(this.ctx.resolve) }, job.controller.signal);
      } finally {
        clearInterval(checkpoints);
        save(true);
      }
      const failed = job.files.filter((f) => f.state === 'failed');
      const first = failed[0]?.error;
      if (failed.length > 0 && first) job.error = { code: first.code, message: `${failed.length} of ${job.files.length} files failed. First: ${first.message}` };
      this.finish(job, failed.length > 0 ? 'failed' : 'completed');
    } catch (e) {
      if (this.closed && !job.stopReason) {
        job.state = 'queued';
      } else if (job.stopReason === 'pause') {
        this.setState(job, 'paused');
      } else if (job.stopReason === 'cancel') {
        job.files.forEach((f, i) => (f.state === 'pending' || f.state === 'running') && job.setFileState(i, 'cancelled'));
        this.finish(job, 'cancelled');
      } else {
        job.error = toErrorInfo(e);
        log.warn(`job ${job.id} failed: ${job.error.message}`);
        this.finish(job, 'failed');
      }
    } finally {
      job.controller = undefined;
      this.running.delete(job.id);
      this.pump();
    }
  }

  /**
   * Runs one job to its end: the listing phase (once; its result is journaled), then every pending file. Throws
   * CancelledError when the job's signal was aborted (pause, cancel, shutdown): run() decides what that means.
   */
  private async runJob(job: Job, ctx: RunContext, signal: AbortSignal): Promise<void> {
    const runner = this.runnerOf(job);
    if (!job.listed) await runner.list(job, ctx, signal);
    job.phase = 'transferring';
    ctx.changed(job);
    await runner.run(job, ctx, signal);
    if (signal.aborted) throw new CancelledError();
  }

  private runnerOf(job: Job): JobRunner {
    return this.options.runners[job.kind];
  }

  private finish(job: Job, state: FinishedJobState): void {
    job.phase = 'done';
    job.finishedAt = new Date().toISOString();
    this.setState(job, state);
    // A finished job writes nothing more until a retry: its file handle goes back (it reopens on the next append).
    job.journal?.close();
    const waiting = this.waiters.get(job.id);
    this.waiters.delete(job.id);
    try {
      this.options.onFinished?.(finishedJob(job, this.counterOf(job)));
    } catch (e) {
      log.warn(`recording the end of job ${job.id} failed`, e);
    }
    for (const resolve of waiting ?? []) resolve(job.summary());
  }

  /** The job's request counter, created on first use from the counts its journal kept (earlier runs). */
  private counterOf(job: Job): RequestCounter {
    let counter = this.requests.get(job.id);
    if (!counter) this.requests.set(job.id, (counter = new RequestCounter(this.options.multipart, job.savedRequests)));
    return counter;
  }

  private setState(job: Job, state: Job['state']): void {
    job.state = state;
    job.record({ t: 'state', state, at: new Date().toISOString(), startedAt: job.startedAt, ...(job.error ? { error: job.error } : {}) }, true);
    this.stateChanged(job);
  }

  private stateChanged(job: Job): void {
    this.options.emit?.('jobs:changed', { id: job.id, state: job.state });
    this.options.emit?.('jobs:progress', job.summary());
  }

  /** One timer for all jobs: at most one progress event per job per interval, and only when something moved. */
  private startTicker(): void {
    if (this.ticker || !this.options.emit) return;
    this.ticker = setInterval(() => {
      let anyRunning = false;
      for (const job of this.jobs.values()) {
        if (job.state !== 'running') continue;
        anyRunning = true;
        this.options.emit?.('jobs:progress', job.summary());
      }
      if (!anyRunning && this.ticker) {
        clearInterval(this.ticker);
        this.ticker = undefined;
      }
    }, this.options.progressIntervalMs ?? 250);
    this.ticker.unref();
  }
}
