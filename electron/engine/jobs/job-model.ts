import type { RequestCounts } from '../../../shared/contract/costs.history';
import type { ErrorInfo } from '../../../shared/errors';
import type { JobLimit } from '../../../shared/contract/settings.channels';
import { baseName, parseLocation } from '../../../shared/location';
import {
  isFinishedJobState,
  VerifiedBySchema,
  type FileState,
  type JobDetail,
  type JobFile,
  type JobKind,
  type JobOptions,
  type JobPhase,
  type JobStateName,
  type JobSummary,
  type TransferPath,
  type VerifiedBy,
} from '../../../shared/contract/jobs.channels';
import type { JobJournal, JournalRecord } from './journal';
import { ByteCounter, type AttemptCounter } from './progress';
import type { PlannedFile, ResumeRecord } from './types';

export interface FileRecord extends Omit<PlannedFile, 'notice'> {
  state: FileState;
  attempts: number;
  path?: TransferPath;
  checksum?: VerifiedBy;
  /** What the user should know of this file, one sentence each: the planned one first, then what its runs said. */
  notices: string[];
  error?: ErrorInfo;
  /** An unfinished upload to continue (journaled checkpoints); gone once the file is finished. */
  resume?: ResumeRecord;
  /** The notice that says what a given-up upload left on the service: dropped once a retry succeeds. */
  leftover?: string;
}


/** Planned files go to the journal in lines of at most this many (one `files` record each). */
export const FILES_PER_JOURNAL_LINE = 500;

/** One job in memory. Counters are kept incrementally: a million-file job must not be scanned 4 times a second. */
export class Job {
  state: JobStateName = 'queued';
  phase: JobPhase = 'listing';
  startedAt: string | null = null;
  finishedAt: string | null = null;
  error: ErrorInfo | undefined;
  files: FileRecord[] = [];
  listed = false;
  bytesTotal = 0;
  counter = new ByteCounter();
  finished = 0;
  failed = 0;
  readonly paths = new Set<TransferPath>();
  predictedPath: TransferPath = 'relay';
  readonly live = new Map<number, AttemptCounter>();
  controller: AbortController | undefined;
  stopReason: 'pause' | 'cancel' | undefined;
  journal: JobJournal | undefined;
  /** Provider calls journaled by earlier runs of the app, by account key (the newest `requests` record). */
  savedRequests: Record<string, RequestCounts> | undefined;

  constructor(
    readonly id: string,
    readonly kind: JobKind,
    readonly sources: string[],
    readonly destination: string | undefined,
    readonly options: JobOptions,
    readonly title: string,
    readonly createdAt: string,
  ) {}

  addFile(file: PlannedFile): void {
    const { notice, ...planned } = file;
    this.files.push({ ...planned, notices: notice === undefined ? [] : [notice], state: 'pending', attempts: 0 });
    if (this.kind !== 'delete') this.bytesTotal += file.size;
  }

  /** Forgets every planned file from `n` on (a listing that starts over after a pause). */
  truncateFiles(n: number): void {
    for (const f of this.files.slice(n)) {
      if (this.kind !== 'delete') this.bytesTotal -= f.size;
      if (f.state === 'done' || f.state === 'skipped') this.finished--;
      if (f.state === 'failed') this.failed--;
    }
    this.files.length = Math.min(n, this.files.length);
  }

  /** Moves a file to a new state, keeping the counters and the byte total honest. */
  setFileState(index: number, state: FileState): void {
    const f = this.files[index];
    if (!f || f.state === state) return;
    const wasFinished = f.state === 'done' || f.state === 'skipped';
    const isFinished = state === 'done' || state === 'skipped';
    if (wasFinished && !isFinished) {
      this.finished--;
      if (this.kind !== 'delete') this.counter.restore(-f.size);
    }
    if (!wasFinished && isFinished) this.finished++;
    if (f.state === 'failed') this.failed--;
    if (state === 'failed') this.failed++;
    f.state = state;
  }

  summary(): JobSummary {
    const paths = [...this.paths];
    const path: TransferPath = paths.length > 1 ? 'mixed' : (paths[0] ?? this.predictedPath);
    const running = this.state === 'running';
    const s: JobSummary = {
      id: this.id,
      kind: this.kind,
      title: this.title,
      sources: this.sources,
      state: this.state,
      phase: this.phase,
      path,
      filesDone: this.finished,
      filesTotal: this.files.length,
      filesFailed: this.failed,
      bytesDone: Math.min(this.counter.bytesDone, this.bytesTotal),
      bytesTotal: this.bytesTotal,
      bytesPerSecond: running ? Math.round(this.counter.bytesPerSecond()) : 0,
      etaSeconds: running && this.phase === 'transferring' ? this.counter.etaSeconds(this.bytesTotal) : null,
      startedAt: this.startedAt,
      finishedAt: this.finishedAt,
    };
    if (this.destination !== undefined) s.destination = this.destination;
    if (this.error) s.error = this.error;
    return s;
  }

  detail(offset = 0, limit = 1000): JobDetail {
    const files: JobFile[] = this.files.slice(offset, offset + limit).map((f, k) => {
      const live = this.live.get(offset + k);
      const out: JobFile = {
        source: f.source,
        state: f.state,
        size: f.size,
        bytesDone: f.state === 'done' || f.state === 'skipped' ? f.size : (live?.bytes ?? 0),
        attempts: f.attempts,
      };
      if (f.destination !== undefined) out.destination = f.destination;
      if (f.path) out.path = f.path;
      if (f.checksum !== undefined) out.checksum = f.checksum;
      if (f.renamedTo !== undefined) out.renamedTo = f.renamedTo;
      const notice = this.noticeText(offset + k);
      if (notice !== undefined) out.notice = notice;
      if (f.error) out.error = f.error;
      return out;
    });
    return { ...this.summary(), files, filesTruncated: offset + limit < this.files.length };
  }

  /** File `i`'s notices as the UI shows them: one text, the sentences joined. */
  noticeText(i: number): string | undefined {
    const notices = this.files[i]?.notices ?? [];
    return notices.length === 0 ? undefined : notices.join('. ');
  }

  /**
   * Changes the job's own bandwidth limit (a direction left out keeps its rate) and journals it at once, so a
   * restart resumes the job under the limit the user set last rather than the one it started with.
   */
  setLimit(limit: JobLimit): void {
    this.options.limit = { ...this.options.limit, ...limit };
    this.record({ t: 'limit', limit }, true);
  }

  record(rec: JournalRecord, durable = false): void {
    this.journal?.append(rec, durable);
  }

  /** Journals where file `i` stands: its state, attempts, path, verification, notice and error. */
  recordFile(i: number): void {
    const f = this.files[i];
    if (!f) return;
    this.record({
      t: 'file',
      i,
      state: f.state,
      attempts: f.attempts,
      ...(f.path ? { path: f.path } : {}),
      ...(f.checksum !== undefined ? { checksum: f.checksum } : {}),
      ...(f.notices.length > 0 ? { notices: f.notices } : {}),
      ...(f.error ? { error: f.error } : {}),
    });
  }
}

export function jobTitle(kind: JobKind, sources: readonly string[], destination: string | undefined): string {
  const first = sources[0] ?? '';
  const what = sources.length === 1 ? `"${baseName(safeKey(first)) || first}"` : `${sources.length} items`;
  if (kind === 'delete') return `Delete ${what}`;
  if (kind === 'set-metadata') return `Change metadata of ${what}`;
  const fromLocal = sources.every((s) => s.startsWith('file://'));
  const toLocal = destination?.startsWith('file://') ?? false;
  const verb = kind === 'move' ? 'Move' : fromLocal && !toLocal ? 'Upload' : toLocal && !fromLocal ? 'Download' : 'Copy';
  return `${verb} ${what} to ${destination ?? ''}`;
}

function safeKey(uri: string): string {
  try {
    const loc = parseLocation(uri);
    return loc.key || loc.bucket;
  } catch {
    return uri;
  }
}

/** Rebuilds a job from its journal. A job that was running when the app died comes back queued. */
export function replay(records: readonly JournalRecord[]): Job | undefined {
  const head = records[0];
  if (head?.t !== 'job') return undefined;
  const job = new Job(head.id, head.kind, head.sources, head.destination, head.options, head.title, head.createdAt);
  let finishedBytes = 0;
  for (const rec of records) {
    if (rec.t === 'files') {
      // A listing interrupted by a pause starts again from 0: its records replace the earlier ones.
      job.truncateFiles(rec.from);
      for (const f of rec.files) job.addFile(f);
    }
    else if (rec.t === 'listed') job.listed = true;
    else if (rec.t === 'requests') job.savedRequests = rec.by;
    else if (rec.t === 'limit') job.options.limit = { ...job.options.limit, ...rec.limit };
    else if (rec.t === 'resume') {
      const f = job.files[rec.i];
      if (f && f.state !== 'done' && f.state !== 'skipped') f.resume = { source: rec.source, state: rec.state };
    }
    else if (rec.t === 'file') {
      const f = job.files[rec.i];
      if (!f) continue;
      job.setFileState(rec.i, rec.state);
      if (rec.state !== 'pending') delete f.resume;
      f.attempts = rec.attempts ?? f.attempts;
      if (rec.path) {
        f.path = rec.path;
        job.paths.add(rec.path);
      }
      const checksum = VerifiedBySchema.safeParse(rec.checksum);
      if (checksum.success) f.checksum = checksum.data;
      // `notice`, one text (a journal of an earlier version): kept as one entry, shown as it was.
      if (rec.notices !== undefined) f.notices = [...rec.notices];
      else if (rec.notice !== undefined) f.notices = [rec.notice];
      if (rec.error) f.error = rec.error;
      else delete f.error;
    } else if (rec.t === 'state') {
      job.state = rec.state;
      if (rec.startedAt !== undefined) job.startedAt = rec.startedAt;
      job.finishedAt = isFinishedJobState(rec.state) ? rec.at : null;
      job.error = rec.error;
    }
  }
  if (!job.listed) {
    // Listing never finished: it starts again from nothing rather than from half a list.
    job.files = [];
    job.bytesTotal = 0;
    job.finished = 0;
    job.failed = 0;
  }
  for (const f of job.files) if (job.kind !== 'delete' && (f.state === 'done' || f.state === 'skipped')) finishedBytes += f.size;
  job.counter.restore(finishedBytes);
  if (job.state === 'running') job.state = 'queued';
  job.phase = isFinishedJobState(job.state) ? 'done' : job.listed ? 'transferring' : 'listing';
  return job;
}
