import type { StateCreator } from 'zustand';
import { isFinishedJobState, type ChannelRequest, type JobFile, type JobSummary } from '../../../shared/contract';
import { errorMessage, invoke, on } from '../api/client';
import type { AppState } from './index';
import { orToast } from './outcome';

/** The first files of a job, as the Transfers panel lists them. */
export interface JobFilesPage {
  files: JobFile[];
  truncated: boolean;
  error: string | null;
}

export interface JobsSlice {
  jobs: Record<string, JobSummary>;
  /** Newest first. */
  jobOrder: string[];
  /** Per job, its files as last fetched (only for the jobs whose files the user opened). */
  jobFiles: Record<string, JobFilesPage>;
  upsertJob(job: JobSummary): void;
  loadJobs(): Promise<void>;
  startJob(request: JobStartInput): Promise<string | null>;
  /** Makes sure a job just started shows: its first `jobs:progress` normally came already; else asks for it. */
  trackJob(id: string): Promise<void>;
  loadJobFiles(id: string, limit: number, signal?: AbortSignal): Promise<void>;
  jobAction(action: 'jobs:pause' | 'jobs:resume' | 'jobs:cancel' | 'jobs:retry', id: string): Promise<void>;
  clearJobHistory(): Promise<void>;
}

type JobStartInput = ChannelRequest<'jobs:start'>;

export const createJobsSlice: StateCreator<AppState, [], [], JobsSlice> = (set, get) => ({
  jobs: {},
  jobOrder: [],
  jobFiles: {},
  upsertJob(job) {
    const before = get().jobs[job.id];
    set((s) => ({
      jobs: { ...s.jobs, [job.id]: job },
      jobOrder: s.jobOrder.includes(job.id) ? s.jobOrder : [job.id, ...s.jobOrder],
    }));
    if (isFinishedJobState(job.state) && (!before || !isFinishedJobState(before.state))) {
      // What the user sees in the panes changed: show it without asking for a refresh.
      void get().refresh('left');
      void get().refresh('right');
      if (job.state === 'completed' && job.filesFailed === 0) get().toast('success', `${job.title}: done`);
      else if (job.state === 'failed' || job.filesFailed > 0)
        get().toast('error', `${job.title}: ${job.error?.message ?? `${job.filesFailed} file(s) failed; see Transfers`}`);
    }
  },
  async loadJobs() {
    try {
      const list = await invoke('jobs:list', {});
      set({ jobs: Object.fromEntries(list.map((j) => [j.id, j])), jobOrder: list.map((j) => j.id) });
    } catch {
      // The transfer engine may not be there yet (older host): the panel stays empty.
    }
  },
  async startJob(request) {
    try {
      const { id } = await invoke('jobs:start', request);
      await get().trackJob(id);
      return id;
    } catch (e) {
      get().toast('error', errorMessage(e));
      return null;
    }
  },
  async trackJob(id) {
    if (get().jobs[id]) return;
    try {
      get().upsertJob(await invoke('jobs:get', { id, limit: 1 }));
    } catch {
      // Progress events will fill it in.
    }
  },
  async loadJobFiles(id, limit, signal) {
    try {
      const detail = await invoke('jobs:get', { id, limit }, signal);
      set((s) => ({ jobFiles: { ...s.jobFiles, [id]: { files: detail.files, truncated: detail.filesTruncated, error: null } } }));
    } catch (e) {
      if (signal?.aborted) return;
      set((s) => ({ jobFiles: { ...s.jobFiles, [id]: { files: s.jobFiles[id]?.files ?? [], truncated: s.jobFiles[id]?.truncated ?? false, error: errorMessage(e) } } }));
    }
  },
  async jobAction(action, id) {
    await orToast(get, () => invoke(action, { id }));
  },
  async clearJobHistory() {
    if (await orToast(get, () => invoke('jobs:clearHistory', {}))) await get().loadJobs();
  },
});

/**
 * Keeps the jobs slice in step with the engine's events. Returns the unsubscribe function. `jobs:progress` carries
 * the whole summary, on every change of state as well as while running, so it is the only event needed here.
 */
export function subscribeJobs(getState: () => AppState): () => void {
  return on('jobs:progress', (job) => getState().upsertJob(job));
}
