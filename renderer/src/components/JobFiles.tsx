import { useEffect, useState } from 'react';
import type { JobFile } from '../../../shared/contract';
import { errorMessage, invoke } from '../api/client';
import { useStore } from '../store';

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
  const job = useStore((s) => s.jobs[id]);
  const [open, setOpen] = useState(false);
  const [files, setFiles] = useState<{ list: JobFile[]; truncated: boolean } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const stamp = `${job?.state ?? ''}:${job?.filesDone ?? 0}:${job?.filesFailed ?? 0}`;
  useEffect(() => {
    if (!open) return;
    let live = true;
    invoke('jobs:get', { id, limit: LIMIT })
      .then((d) => {
        if (!live) return;
        setFiles({ list: d.files, truncated: d.filesTruncated });
        setError(null);
      })
      .catch((e: unknown) => live && setError(errorMessage(e)));
    return () => {
      live = false;
    };
  }, [open, id, stamp]);
  const listId = `job-files-${id}`;
  return (
    <div className="job-files">
      <button type="button" aria-expanded={open} aria-controls={listId} aria-label={`Files of ${title}`} onClick={() => setOpen(!open)}>
        Files
      </button>
      {open && (
        <ul id={listId} aria-label={`Files of ${title}`}>
          {error && <li className="field-error">{error}</li>}
          {files?.list.map((f) => (
            <li key={`${f.source}>${f.destination ?? ''}`}>
              <span className="job-file-name" title={f.source}>{f.source}</span> <span className="muted">{FILE_STATE[f.state]}</span>
              {f.notice && <div className="job-file-notice">{f.notice}</div>}
              {f.error && <div className="field-error">{f.error.message}</div>}
            </li>
          ))}
          {files?.truncated && <li className="muted">Only the first {LIMIT} files are shown.</li>}
        </ul>
      )}
    </div>
  );
}
