import type { StateCreator } from 'zustand';
import { isFinishedJobState } from '../../../shared/contract/jobs.channels';
import type { RetentionPreview, RetentionPreviewRequest, RetentionProgress, RetentionReport } from '../../../shared/contract/retention.channels';
import { errorMessage, invoke, on } from '../api/client';
import type { AppState } from './index';
import { orToast } from './outcome';

/** One retention preview, from its start to the report of the job that acted on it (as `CostScan` is for a scan). */
export interface RetentionRun {
  /** The preview's id, once the engine answered. */
  id: string | null;
  progress: Pick<RetentionProgress, 'listed' | 'matched' | 'matchedBytes' | 'state'> | null;
  /** The preview's figures, once it stopped running. */
  preview: RetentionPreview | null;
  error: string | null;
  /** The job that acts on the preview, once the user confirmed. */
  jobId: string | null;
  /** What the job did, once it finished. */
  report: RetentionReport | null;
}

export interface RetentionSlice {
  retention: RetentionRun | null;
  startRetentionPreview(request: RetentionPreviewRequest): Promise<void>;
  cancelRetentionPreview(): Promise<void>;
  retentionProgressed(progress: RetentionProgress): void;
  /** Asks the engine where the preview is (after a missed event, or once the last one arrived). */
  refreshRetentionPreview(): Promise<void>;
  /** Runs the finished preview as a job. */
  runRetention(): Promise<void>;
  /** Fetches the report once the job finished (a no-op before that, and once fetched). */
  loadRetentionReport(): Promise<void>;
}

export const createRetentionSlice: StateCreator<AppState, [], [], RetentionSlice> = (set, get) => {
  /** Changes the current run, if it is still the preview `id`. */
  const update = (id: string, change: (r: RetentionRun) => Partial<RetentionRun>): void =>
    set((s) => (s.retention?.id === id ? { retention: { ...s.retention, ...change(s.retention) } } : {}));

  return {
    retention: null,
    async startRetentionPreview(request) {
      const started: RetentionRun = { id: null, progress: { listed: 0, matched: 0, matchedBytes: 0, state: 'running' }, preview: null, error: null, jobId: null, report: null };
      set({ retention: started });
      try {
        const { id } = await invoke('retention:preview', request);
        set((s) => (s.retention === started ? { retention: { ...started, id } } : {}));
        // A short preview may have ended before its id arrived: ask once where it is.
        await get().refreshRetentionPreview();
      } catch (e) {
        set((s) => (s.retention === started ? { retention: { ...started, progress: null, error: errorMessage(e) } } : {}));
      }
    },
    async cancelRetentionPreview() {
      const id = get().retention?.id;
      if (id) await orToast(get, () => invoke('retention:cancelPreview', { id }));
    },
    retentionProgressed(p) {
      if (get().retention?.id !== p.id) return;
      update(p.id, () => ({ progress: p }));
      if (p.state !== 'running') void get().refreshRetentionPreview();
    },
    async refreshRetentionPreview() {
      const id = get().retention?.id;
      if (!id) return;
      try {
        const r = await invoke('retention:previewResult', { id });
        if (r.state === 'running') update(id, () => ({ progress: r.progress }));
        else update(id, (cur) => ({ progress: r.progress, preview: r, error: r.error?.message ?? cur.error }));
      } catch (e) {
        update(id, () => ({ error: errorMessage(e) }));
      }
    },
    async runRetention() {
      const id = get().retention?.preview?.id;
      if (!id) return;
      try {
        const { jobId } = await invoke('retention:run', { id });
        update(id, () => ({ jobId }));
        await get().trackJob(jobId);
      } catch (e) {
        update(id, () => ({ error: errorMessage(e) }));
      }
    },
    async loadRetentionReport() {
      const r = get().retention;
      const job = r?.jobId ? get().jobs[r.jobId] : undefined;
      if (!r?.id || r.report || !job || !isFinishedJobState(job.state)) return;
      const id = r.id;
      try {
        const report = await invoke('retention:report', { id, limit: 200 });
        update(id, () => ({ report }));
      } catch (e) {
        update(id, () => ({ error: errorMessage(e) }));
      }
    },
  };
};

/** Keeps the retention preview in step with its progress events. Returns the unsubscribe function. */
export function subscribeRetention(getState: () => AppState): () => void {
  return on('retention:progress', (p) => getState().retentionProgressed(p));
}
