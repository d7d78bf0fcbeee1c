import type { JobSummary } from '../../shared/contract';
import { formatDuration, formatSize } from '../../shared/format';

/**
 * Which job ends deserve a desktop notification, and what it says. Pure (no electron import) so that it is
 * unit-tested in plain Node; notify.ts shows what this returns.
 */

/** A job that ran at least this long has probably lost the user's attention: tell them when it ends. */
export const LONG_JOB_MS = 10_000;

export interface JobNotice {
  jobId: string;
  title: string;
  body: string;
  failed: boolean;
}

const KIND = { copy: 'Transfer', move: 'Move', delete: 'Delete', 'set-class': 'Storage class change', 'set-metadata': 'Metadata change' } as const;
const ACTIVE = new Set<JobSummary['state']>(['queued', 'running', 'paused']);

/** Binary units with one decimal, as the app shows sizes everywhere else. */
export function formatBytes(bytes: number): string {
  return formatSize(Math.max(0, Math.round(bytes || 0)));
}

function elapsedMs(job: JobSummary): number | null {
  if (!job.startedAt || !job.finishedAt) return null;
  const ms = Date.parse(job.finishedAt) - Date.parse(job.startedAt);
  return Number.isFinite(ms) ? ms : null;
}

function files(n: number, locale: string | undefined): string {
  return `${n.toLocaleString(locale)} ${n === 1 ? 'file' : 'files'}`;
}

/**
 * The notice for a job that has just ended, or null: a cancel was the user's own doing, and a short job ended
 * while they were still looking.
 */
export function jobEndNotice(job: JobSummary, options: { minMs?: number; locale?: string } = {}): JobNotice | null {
  if (job.state !== 'completed' && job.state !== 'failed') return null;
  const ms = elapsedMs(job);
  if (ms === null || ms < (options.minMs ?? LONG_JOB_MS)) return null;
  const { locale } = options;
  const kind = KIND[job.kind];
  const took = formatDuration(ms / 1000);
  const failed = job.state === 'failed' || job.filesFailed > 0;
  if (!failed) {
    const what = job.kind === 'delete' ? files(job.filesDone, locale) : `${files(job.filesDone, locale)}, ${formatBytes(job.bytesDone)}`;
    return { jobId: job.id, title: `${kind} done`, body: `${job.title}\n${what} in ${took}.`, failed: false };
  }
  // Notification bodies show a few lines at most: keep the reason's first line, shortened.
  const first = job.error?.message.split('\n')[0]?.trim();
  const reason = first && first.length > 160 ? `${first.slice(0, 159)}…` : first;
  const counts = job.filesFailed > 0 ? `${files(job.filesFailed, locale)} of ${job.filesTotal.toLocaleString(locale)} failed` : 'It stopped';
  const detail = reason ? `${counts}: ${reason}` : `${counts}.`;
  return {
    jobId: job.id,
    title: `${kind} failed`,
    body: `${job.title}\n${detail}\nOpen Skyferry's Transfers to see why and retry.`,
    failed: true,
  };
}

/**
 * Follows `jobs:progress` and returns a notice once per end of a job that was seen active in this session, so that
 * history replayed at start (or a summary sent twice) never notifies.
 */
export function createJobEndTracker(options: { minMs?: number; locale?: string } = {}): { observe(job: JobSummary): JobNotice | null } {
  const active = new Set<string>();
  return {
    observe(job) {
      if (ACTIVE.has(job.state)) {
        active.add(job.id);
        return null;
      }
      if (!active.delete(job.id)) return null;
      return jobEndNotice(job, options);
    },
  };
}
