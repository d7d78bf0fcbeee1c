import type { StateCreator } from 'zustand';
import { isFinishedJobState, type ChannelRequest, type JobSummary } from '../../../shared/contract';
import { errorMessage, invoke, on } from '../api/client';
import type { AppState } from './index';

export interface JobsSlice {
  jobs: Record<string, JobSummary>;
  /** Newest first. */
  jobOrder: string[];
  upsertJob(job: JobSummary): void;
  loadJobs(): Promise<void>;
  startJob(request: JobStartInput): Promise<string | null>;
  jobAction(action: 'jobs:pause' | 'jobs:resume' | 'jobs:cancel' | 'jobs:retry', id: string): Promise<void>;
  clearJobHistory(): Promise<void>;
}

type JobStartInput = ChannelRequest<'jobs:start'>;

export const createJobsSlice: StateCreator<AppState, [], [], JobsSlice> = (set, get) => ({
  jobs: {},
  jobOrder: [],
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
      try {
        const detail = await invoke('jobs:get', { id, limit: 1 });
        get().upsertJob(detail);
      } catch {
        // Progress events will fill it in.
      }
      return id;
    } catch (e) {
      get().toast('error', errorMessage(e));
      return null;
    }
  },
  async jobAction(action, id) {
    try {
      await invoke(action, { id });
    } catch (e) {
      get().toast('error', errorMessage(e));
    }
  },
  async clearJobHistory() {
    try {
      await invoke('jobs:clearHistory', {});
      await get().loadJobs();
    } catch (e) {
      get().toast('error', errorMessage(e));
    }
  },
});

/** Keeps the jobs slice in step with the engine's events. Returns the unsubscribe function. */
export function subscribeJobs(getState: () => AppState): () => void {
  const offProgress = on('jobs:progress', (job) => getState().upsertJob(job));
  const offChanged = on('jobs:changed', ({ id }) => {
    void invoke('jobs:get', { id, limit: 1 })
      .then((detail) => getState().upsertJob(detail))
      .catch(() => undefined);
  });
  return () => {
    offProgress();
    offChanged();
  };
}
