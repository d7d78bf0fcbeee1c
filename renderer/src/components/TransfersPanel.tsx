import { ArrowRightLeft, ChevronDown, ChevronUp } from 'lucide-react';
import { useEffect } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { isFinishedJobState, type JobSummary } from '../../../shared/contract';
import { formatCount, formatDuration, formatSize } from '../format';
import { useStore } from '../store';
import { isActiveCloudTransfer } from '../store/cloudTransfers.slice';
import { CloudTransferRow } from './CloudTransferRow';
import { JobFiles } from './JobFiles';
import { JobLimitControl } from './settings/JobLimitControl';

const STATE_LABEL: Record<JobSummary['state'], string> = {
  queued: 'Waiting',
  running: 'Running',
  paused: 'Paused',
  completed: 'Done',
  failed: 'Failed',
  cancelled: 'Cancelled',
};

const PATH_LABEL: Record<JobSummary['path'], string> = {
  'server-side': 'inside the cloud',
  'cloud-pull': 'pulled by the destination',
  relay: 'through this computer',
  mixed: 'mixed paths',
  local: 'on this computer',
};

export function JobRow({ id }: { id: string }) {
  const job = useStore((s) => s.jobs[id]);
  const jobAction = useStore((s) => s.jobAction);
  if (!job) return null;
  const pct = job.bytesTotal > 0 ? Math.min(100, (job.bytesDone / job.bytesTotal) * 100) : job.filesTotal > 0 ? (job.filesDone / job.filesTotal) * 100 : 0;
  const live = job.state === 'running' || job.state === 'queued';
  return (
    <li className={`job job-${job.state}`} data-testid="job">
      <div className="job-head">
        <span className="job-title" title={job.title}>{job.title}</span>
        <span className="job-state">{STATE_LABEL[job.state]}{job.state === 'running' ? ` · ${job.phase}` : ''}</span>
      </div>
      <progress max={100} value={job.state === 'completed' ? 100 : pct} aria-label={`Progress of ${job.title}`} />
      <div className="job-figures">
        <span>
          {formatCount(job.filesDone)} / {formatCount(job.filesTotal)} files · {formatSize(job.bytesDone)} / {formatSize(job.bytesTotal)}
          {job.filesFailed > 0 ? ` · ${formatCount(job.filesFailed)} failed` : ''}
        </span>
        {live && job.bytesPerSecond > 0 && (
          <span>
            {formatSize(job.bytesPerSecond)}/s · {formatDuration(job.etaSeconds)} left
          </span>
        )}
        {(job.kind === 'copy' || job.kind === 'move') && job.filesDone > 0 && <span className="muted">{PATH_LABEL[job.path]}</span>}
      </div>
      {job.error && <p className="field-error">{job.error.message}</p>}
      <JobFiles id={id} title={job.title} />
      <div className="job-buttons">
        {job.state === 'running' && <button type="button" onClick={() => void jobAction('jobs:pause', id)} aria-label={`Pause ${job.title}`}>Pause</button>}
        {job.state === 'paused' && <button type="button" onClick={() => void jobAction('jobs:resume', id)} aria-label={`Resume ${job.title}`}>Resume</button>}
        {live && job.kind !== 'delete' && job.kind !== 'set-class' && <JobLimitControl id={id} title={job.title} />}
        {!isFinishedJobState(job.state) && <button type="button" onClick={() => void jobAction('jobs:cancel', id)} aria-label={`Cancel ${job.title}`}>Cancel</button>}
        {(job.state === 'failed' || job.filesFailed > 0) && <button type="button" onClick={() => void jobAction('jobs:retry', id)} aria-label={`Retry ${job.title}`}>Retry failed</button>}
      </div>
    </li>
  );
}

/**
 * Opens the Transfers area when a job starts (a new job arrives on its own, not with a reload of the whole list)
 * or when the app opens with jobs still running.
 */
export function useOpenOnNewJob(): void {
  useEffect(() => {
    const isActive = (st: JobSummary['state'] | undefined): boolean => st === 'running' || st === 'queued';
    const st = useStore.getState();
    if (st.jobOrder.some((id) => isActive(st.jobs[id]?.state))) st.setTransfersExpanded(true);
    return useStore.subscribe((s, prev) => {
      if (s.jobOrder === prev.jobOrder) return;
      const first = s.jobOrder[0];
      if (!first || prev.jobOrder.includes(first)) return;
      const prevFirst = prev.jobOrder[0];
      const oneAdded = s.jobOrder.length === prev.jobOrder.length + 1 && (prevFirst === undefined || s.jobs[prevFirst] === prev.jobs[prevFirst]);
      if (oneAdded || isActive(s.jobs[first]?.state)) s.setTransfersExpanded(true);
    });
  }, []);
}

/**
 * The Transfers area: a one-line bar with a count of running jobs and cloud transfers, expanding into the list (its
 * size remembered): the cloud services' transfers first, then the jobs.
 */
export function TransfersPanel() {
  const open = useStore((s) => s.transfersExpanded);
  const setOpen = useStore((s) => s.setTransfersExpanded);
  const ids = useStore(useShallow((s) => s.jobOrder.slice(0, 100)));
  const cloud = useStore(useShallow((s) => s.cloudTransfers.slice(0, 100)));
  const active = useStore((s) => s.jobOrder.filter((id) => { const st = s.jobs[id]?.state; return st === 'running' || st === 'queued'; }).length + s.cloudTransfers.filter(isActiveCloudTransfer).length);
  const clearJobs = useStore((s) => s.clearJobHistory);
  const clearCloud = useStore((s) => s.clearFinishedCloudTransfers);
  const anyCloudOver = cloud.some((t) => !isActiveCloudTransfer(t));
  return (
    <section className={`transfers${open ? ' open' : ''}`} aria-label="Transfers">
      <header className="transfers-head">
        <button type="button" className="transfers-toggle" aria-expanded={open} aria-controls="transfers-list" onClick={() => setOpen(!open)}>
          <ArrowRightLeft size={16} aria-hidden="true" />
          Transfers
          {active > 0 && (
            <span className="count-badge" data-testid="transfers-badge">
              {formatCount(active)}
              <span className="visually-hidden"> running</span>
            </span>
          )}
          {open ? <ChevronDown size={16} aria-hidden="true" /> : <ChevronUp size={16} aria-hidden="true" />}
        </button>
        {open && (ids.length > 0 || anyCloudOver) && (
          <button type="button" onClick={() => void Promise.all([clearJobs(), clearCloud()])}>
            Clear finished
          </button>
        )}
      </header>
      {open && (
        <ul id="transfers-list" className="job-list">
          {ids.length === 0 && cloud.length === 0 && <li className="muted">No transfers yet. Drop files on a pane, or press F5 to copy to the other pane.</li>}
          {cloud.map((t) => (
            <CloudTransferRow key={t.id} t={t} />
          ))}
          {ids.map((id) => (
            <JobRow key={id} id={id} />
          ))}
        </ul>
      )}
    </section>
  );
}
