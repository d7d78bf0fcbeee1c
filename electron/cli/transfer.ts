import { isFinishedJobState, type JobDetail, type JobFile, type JobKind, type JobSummary, type OverwriteMode } from '../../shared/contract';
import { formatDuration } from '../../shared/format';
import { columns, EXIT, size, UsageError, type ExitCode, type GlobalOptions, type Outcome } from './common';
import { createProgress } from './progress';
import type { Session } from './session';

/** The app's overwrite modes under the names the command line takes (`--overwrite newer`). */
export const OVERWRITE_CHOICES = ['never', 'always', 'newer', 'different', 'keep-both'] as const;
export type OverwriteChoice = (typeof OVERWRITE_CHOICES)[number];
const OVERWRITE: Record<OverwriteChoice, OverwriteMode> = { never: 'never', always: 'always', newer: 'ifNewer', different: 'ifDifferent', 'keep-both': 'keepBoth' };

export interface TransferOptions extends GlobalOptions {
  overwrite: OverwriteChoice;
  verify: boolean;
  preserveMetadata: boolean;
  serverSide: boolean;
  cloudPull?: boolean;
  storageClass?: string;
  exact?: boolean;
}

/** `cp` and `mv`: one job of the engine, followed to its end. */
export async function transfer(s: Session, kind: Extract<JobKind, 'copy' | 'move'>, sources: string[], destination: string, opts: TransferOptions, signal: AbortSignal): Promise<Outcome> {
  if (opts.exact && sources.length !== 1) throw new UsageError('--exact names one source and its new name');
  const { id } = await s.call('jobs:start', {
    kind,
    sources,
    destination,
    options: {
      overwrite: OVERWRITE[opts.overwrite],
      verify: opts.verify,
      preserveMetadata: opts.preserveMetadata,
      allowServerSide: opts.serverSide,
      allowCloudPull: opts.cloudPull ?? false,
      ...(opts.storageClass ? { storageClass: opts.storageClass } : {}),
      ...(opts.exact ? { destinationIsExact: true } : {}),
    },
  });
  if (!opts.json && !opts.quiet) process.stderr.write(`job ${id} started (\`skyferry jobs resume ${id}\` goes on with it if this stops)\n`);
  return jobOutcome(s, await follow(s, id, opts, signal));
}

export async function remove(s: Session, uris: string[], opts: GlobalOptions & { recursive?: boolean }, signal: AbortSignal): Promise<Outcome> {
  const folders = uris.filter((u) => u.endsWith('/'));
  if (folders.length && !opts.recursive) throw new UsageError(`${folders[0]} is a folder: add --recursive to delete it and everything in it`);
  const { id } = await s.call('jobs:start', { kind: 'delete', sources: uris });
  return jobOutcome(s, await follow(s, id, opts, signal));
}

/** Waits for a job to finish, showing its progress; resolves with its detail (the first files, for the report). */
export function follow(s: Session, id: string, opts: GlobalOptions, signal: AbortSignal): Promise<JobDetail> {
  const display = createProgress(opts.json ? 'json' : opts.quiet ? 'quiet' : 'auto');
  return new Promise<JobDetail>((resolve, reject) => {
    let checking = false;
    const cleanup: Array<() => void> = [];
    const done = (error: unknown, detail?: JobDetail): void => {
      for (const f of cleanup) f();
      display.stop();
      if (detail) resolve(detail);
      else reject(error instanceof Error ? error : new Error(String(error)));
    };
    const check = async (): Promise<void> => {
      if (checking) return;
      checking = true;
      try {
        const detail = await s.call('jobs:get', { id, limit: 5000 });
        if (isFinishedJobState(detail.state)) {
          display.update(detail);
          done(undefined, detail);
        }
      } catch (e) {
        done(e);
      } finally {
        checking = false;
      }
    };
    cleanup.push(s.on('jobs:progress', (job) => job.id === id && display.update(job)));
    cleanup.push(s.on('jobs:changed', (e) => void (e.id === id && isFinishedJobState(e.state) && check())));
    const timer = setInterval(() => void check(), 1000);
    cleanup.push(() => clearInterval(timer));
    const onAbort = (): void => done(new UsageError('interrupted'));
    signal.addEventListener('abort', onAbort, { once: true });
    cleanup.push(() => signal.removeEventListener('abort', onAbort));
    void check();
  });
}

/** Completed: 0; failed with some files through: 2 (partial); otherwise 1. */
export function jobExitCode(job: JobSummary): ExitCode {
  if (job.state === 'completed') return EXIT.ok;
  if (job.state === 'failed' && job.filesFailed > 0 && job.filesFailed < job.filesTotal) return EXIT.partial;
  return EXIT.failed;
}

function jobOutcome(_s: Session, job: JobDetail): Outcome {
  const { files, filesTruncated, ...summary } = job;
  const skipped = files.filter((f) => f.state === 'skipped');
  const failed = files.filter((f) => f.state === 'failed');
  const verb = { copy: 'copied', move: 'moved', delete: 'deleted', 'set-class': 'changed', 'set-metadata': 'changed' }[job.kind];
  const took = job.startedAt && job.finishedAt ? formatDuration((Date.parse(job.finishedAt) - Date.parse(job.startedAt)) / 1000) : '';
  const moved = job.filesDone - skipped.length;
  const text = [
    `${job.state}: ${verb} ${Math.max(0, moved)} of ${job.filesTotal} files${job.kind === 'delete' ? '' : ` (${size(job.bytesDone)})`}${took ? ` in ${took}` : ''}; job ${job.id}`,
  ];
  const why = (skipped[0]?.notice ?? 'exists at the destination').replace(/^skipped:\s*/i, '');
  if (skipped.length) text.push(`${skipped.length}${filesTruncated ? '+' : ''} skipped: ${why}${job.kind === 'delete' ? '' : ' (--overwrite says what to replace)'}`);
  for (const f of failed.slice(0, 20)) text.push(`failed: ${f.source}: ${f.error?.message ?? 'unknown error'}`);
  if (failed.length > 20) text.push(`... and ${failed.length - 20} more failed (skyferry jobs show ${job.id} --json)`);
  if (job.error && !failed.length) text.push(`error: ${job.error.message}`);
  if (failed.length) text.push(`\`skyferry jobs retry ${job.id}\` runs the failed files again`);
  return { code: jobExitCode(job), json: { job: summary, skipped: skipped.length, failed: failed.map(brief) }, text };
}

function brief(f: JobFile): { source: string; destination?: string; error?: string } {
  return { source: f.source, ...(f.destination ? { destination: f.destination } : {}), ...(f.error ? { error: f.error.message } : {}) };
}

export async function listJobs(s: Session): Promise<Outcome> {
  const jobs = await s.call('jobs:list', {});
  const rows = jobs.map((j) => [j.id, j.state, j.kind, `${j.filesDone}/${j.filesTotal}`, size(j.bytesDone), j.startedAt ?? '-', j.title]);
  return { code: EXIT.ok, json: jobs, text: jobs.length ? columns([['ID', 'STATE', 'KIND', 'FILES', 'BYTES', 'STARTED', 'TITLE'], ...rows]) : ['no jobs'] };
}

export async function showJob(s: Session, id: string): Promise<Outcome> {
  const job = await s.call('jobs:get', { id, limit: 5000 });
  const text = [
    `${job.id} ${job.state} (${job.phase}): ${job.title}`,
    `files ${job.filesDone}/${job.filesTotal}, failed ${job.filesFailed}; ${size(job.bytesDone)}/${size(job.bytesTotal)}; path ${job.path}`,
    ...job.files.map((f) => `  ${f.state.padEnd(9)} ${f.source}${f.destination ? ` -> ${f.destination}` : ''}${f.error ? `: ${f.error.message}` : f.notice ? ` (${f.notice})` : ''}`),
  ];
  if (job.filesTruncated) text.push('  ... (more files: --json shows the first 5000)');
  return { code: EXIT.ok, json: job, text };
}

/** Resumes a paused or interrupted job (a killed `cp`) and follows it to its end. */
export async function resumeJob(s: Session, id: string, opts: GlobalOptions, signal: AbortSignal): Promise<Outcome> {
  const before = await s.call('jobs:get', { id, limit: 1 });
  if (!isFinishedJobState(before.state)) await s.call('jobs:resume', { id });
  else if (!opts.json && !opts.quiet) process.stderr.write(`job ${id} is ${before.state} already${before.state === 'failed' ? ': `skyferry jobs retry` runs its failed files again' : ''}\n`);
  return jobOutcome(s, await follow(s, id, opts, signal));
}

export async function retryJob(s: Session, id: string, opts: GlobalOptions, signal: AbortSignal): Promise<Outcome> {
  await s.call('jobs:retry', { id });
  return jobOutcome(s, await follow(s, id, opts, signal));
}

/** Cancels a job and waits until it has stopped (a running one stops its transfers first); what it copied stays. */
export async function cancelJob(s: Session, id: string, signal: AbortSignal): Promise<Outcome> {
  await s.call('jobs:cancel', { id });
  const job = await follow(s, id, { quiet: true }, signal);
  return { code: EXIT.ok, json: { id, state: job.state }, text: [`job ${id}: ${job.state}`] };
}
