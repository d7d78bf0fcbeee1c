import type { StateCreator } from 'zustand';
import type { BandwidthSetting, JobLimit, Schedule, ScheduleTarget, ScheduleWhen, SyncStatus } from '../../../shared/contract';
import { invoke, on } from '../api/client';
import type { AppState } from './index';
import { attempt, orToast } from './outcome';

/** The app's settings (bandwidth limit), schedules of profiles and scans, folders kept in sync, jobs' own limits. */
export interface SettingsSlice {
  bandwidth: BandwidthSetting | null;
  schedules: Schedule[];
  syncs: Record<string, SyncStatus>;
  /** The limit the user set on each job in this window (jobs:setLimit answers no state to read back). */
  jobLimits: Record<string, JobLimit>;
  loadSettings(): Promise<void>;
  /** Answers the error to show beside the field, or null once saved. */
  setBandwidth(limit: string): Promise<string | null>;
  setJobLimit(id: string, limit: JobLimit): Promise<void>;
  loadSchedules(): Promise<void>;
  saveSchedule(target: ScheduleTarget, when: ScheduleWhen, id?: string): Promise<boolean>;
  removeSchedule(id: string): Promise<void>;
  loadSyncs(): Promise<void>;
  startSync(profile: string): Promise<void>;
  stopSync(profile: string): Promise<void>;
  upsertSync(status: SyncStatus): void;
}

export const createSettingsSlice: StateCreator<AppState, [], [], SettingsSlice> = (set, get) => ({
  bandwidth: null,
  schedules: [],
  syncs: {},
  jobLimits: {},
  async loadSettings() {
    const r = await attempt(() => invoke('settings:get', {}));
    if (r.ok) set({ bandwidth: r.value.bandwidth });
  },
  async setBandwidth(limit) {
    const r = await attempt(() => invoke('settings:setBandwidth', { limit }));
    if (!r.ok) return r.error;
    set({ bandwidth: r.value.bandwidth });
    return null;
  },
  async setJobLimit(id, limit) {
    if (await orToast(get, () => invoke('jobs:setLimit', { id, limit }))) set((s) => ({ jobLimits: { ...s.jobLimits, [id]: limit } }));
  },
  async loadSchedules() {
    const r = await attempt(() => invoke('schedules:list', {}));
    if (r.ok) set({ schedules: r.value });
  },
  async saveSchedule(target, when, id) {
    const ok = await orToast(get, () => invoke('schedules:save', { target, when, ...(id === undefined ? {} : { id }) }));
    if (ok) await get().loadSchedules();
    return ok;
  },
  async removeSchedule(id) {
    if (await orToast(get, () => invoke('schedules:remove', { id }))) await get().loadSchedules();
  },
  async loadSyncs() {
    const r = await attempt(() => invoke('sync:list', {}));
    if (r.ok) set({ syncs: Object.fromEntries(r.value.map((s) => [s.profile, s])) });
  },
  async startSync(profile) {
    const r = await attempt(() => invoke('sync:start', { profile }));
    if (r.ok) get().upsertSync(r.value);
    else get().toast('error', r.error);
  },
  async stopSync(profile) {
    if (await orToast(get, () => invoke('sync:stop', { profile }))) {
      set((s) => {
        const { [profile]: _gone, ...rest } = s.syncs;
        return { syncs: rest };
      });
    }
  },
  upsertSync(status) {
    set((s) => ({ syncs: { ...s.syncs, [status.profile]: status } }));
  },
});

/**
 * Keeps schedules and synced folders in step with the engine: a schedule's notice is a toast (an error one for a
 * failed run) and reloads the list; a synced folder's status replaces its entry.
 */
export function subscribeSettings(getState: () => AppState): () => void {
  const offNotice = on('schedules:notice', (n) => {
    getState().toast(n.level === 'error' ? 'error' : 'info', n.message);
    void getState().loadSchedules();
  });
  const offSync = on('sync:changed', (s) => getState().upsertSync(s));
  return () => {
    offNotice();
    offSync();
  };
}
