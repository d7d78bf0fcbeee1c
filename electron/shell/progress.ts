import type { BrowserWindow } from 'electron';
import type { JobSummary } from '../../shared/contract';
import type { Engine } from '../engine/dispatch';

const ACTIVE = new Set(['queued', 'running']);

/** The taskbar / dock progress bar follows the bytes of all active jobs; it disappears when none is left. */
export function trackTaskbarProgress(engine: Engine, window: () => BrowserWindow | null): () => void {
  const jobs = new Map<string, JobSummary>();
  const update = (): void => {
    const win = window();
    if (!win || win.isDestroyed()) return;
    let done = 0;
    let total = 0;
    let paused = false;
    for (const j of jobs.values()) {
      done += j.bytesDone;
      total += j.bytesTotal;
      paused ||= j.state === 'paused';
    }
    if (jobs.size === 0) win.setProgressBar(-1);
    else if (total === 0) win.setProgressBar(2, { mode: 'indeterminate' });
    else win.setProgressBar(Math.min(1, done / total), { mode: paused ? 'paused' : 'normal' });
  };
  return engine.subscribe((event, payload) => {
    if (event === 'jobs:progress') {
      const job = payload as JobSummary;
      if (ACTIVE.has(job.state) || job.state === 'paused') jobs.set(job.id, job);
      else jobs.delete(job.id);
      update();
    } else if (event === 'jobs:changed') {
      const change = payload as { id: string; state: string };
      const known = jobs.get(change.id);
      if (!ACTIVE.has(change.state) && change.state !== 'paused') jobs.delete(change.id);
      else if (known) jobs.set(change.id, { ...known, state: change.state as JobSummary['state'] });
      update();
    }
  });
}
