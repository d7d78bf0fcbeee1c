import { useState } from 'react';
import type { JobFile } from '../../../shared/contract';
import { useStore } from '../store';
import { useLoad } from '../store/useLoad';

/** The first files of a job shown per file; the rest are counted, a job of a million files stays cheap to show. */
const LIMIT = 100;

const FILE_STATE: Record<JobFile['state'], string> = {
  pending: 'waiting',
  running: 'running',
  done: 'done',
  skipped: 'skipped',
  failed: 'failed',
  cancelled: 'cancelled',
};

/**
 * A job's files with what happened to each: the state, the engine's notice (a renamed name on disk, a read from
 * an alternate location, dropped metadata) and the error. Fetched when opened and again as the job moves on.
 */
export function JobFiles({ id, title }: { id: string; title: string }) {
  const stamp = useStore((s) => `${s.jobs[id]?.state ?? ''}:${s.jobs[id]?.filesDone ?? 0}:${s.jobs[id]?.filesFailed ?? 0}`);
  const page = useStore((s) => s.jobFiles[id]);
  const loadJobFiles = useStore((s) => s.loadJobFiles);
  const [open, setOpen] = useState(false);
  useLoad(open ? (signal) => loadJobFiles(id, LIMIT, signal) : null, [open, id, stamp]);
  const listId = `job-files-${id}`;
  return (
    <div className="job-files">
      <button type="button" aria-expanded={open} aria-controls={listId} aria-label={`Files of ${title}`} onClick={() => setOpen(!open)}>
        Files
      </button>
      {open && (
        <ul id={listId} aria-label={`Files of ${title}`}>
          {page?.error && <li className="field-error">{page.error}</li>}
          {page?.files.map((f) => (
            <li key={`${f.source}>${f.destination ?? ''}`}>
              <span className="job-file-name" title={f.source}>{f.source}</span> <span className="muted">{FILE_STATE[f.state]}</span>
              {f.notice && <div className="job-file-notice">{f.notice}</div>}
              {f.error && <div className="field-error">{f.error.message}</div>}
            </li>
          ))}
          {page?.truncated && <li className="muted">Only the first {LIMIT} files are shown.</li>}
        </ul>
      )}
    </div>
  );
}
