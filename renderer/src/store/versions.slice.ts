import type { StateCreator } from 'zustand';
import type { BucketVersioning, DeletedObject, ObjectVersion } from '../../../shared/contract';
import { errorMessage, invoke } from '../api/client';
import type { AppState } from './index';
import { attempt, type Outcome } from './outcome';
import type { PaneId } from './panes.slice';

/** The versions of the object the details panel shows, or why they could not be read. */
export interface VersionsView {
  uri: string;
  versions: ObjectVersion[] | null;
  error: string | null;
}

/** The objects deleted in a pane's folder ("Show deleted"). */
export interface DeletedView {
  uri: string;
  entries: DeletedObject[] | null;
  truncated: boolean;
  error: string | null;
}

export interface BucketSettingsView {
  uri: string;
  settings: BucketVersioning | null;
  error: string | null;
}

export interface VersionsSlice {
  /** Whether the details panel shows versions: kept while the panel is rebuilt (a pane read again after a change). */
  versionsOpen: boolean;
  setVersionsOpen(open: boolean): void;
  objectVersions: VersionsView | null;
  loadVersions(uri: string, signal?: AbortSignal): Promise<void>;
  /** Makes the version current (the panes and the list are read again); null when done, else why not. */
  restoreVersion(uri: string, version: ObjectVersion): Promise<string | null>;
  /** Deletes that one version, as confirmed (its size); `allowCurrent` for the current version. */
  removeVersion(uri: string, version: ObjectVersion, allowCurrent: boolean): Promise<string | null>;
  /** Copies the version into the other pane's folder (a download when that is a local folder). */
  copyVersionToOtherPane(uri: string, version: ObjectVersion): Promise<string | null>;

  deletedObjects: DeletedView | null;
  loadDeleted(pane: PaneId): Promise<void>;
  clearDeleted(): void;
  undelete(pane: PaneId, key: string): Promise<string | null>;

  bucketSettings: BucketSettingsView | null;
  loadBucketSettings(uri: string, signal?: AbortSignal): Promise<void>;
  configureBucket(uri: string, patch: { versioning?: 'enabled' | 'suspended'; softDeleteDays?: number | null }): Promise<Outcome<BucketVersioning>>;
}

const otherPane = (p: PaneId): PaneId => (p === 'left' ? 'right' : 'left');

export const createVersionsSlice: StateCreator<AppState, [], [], VersionsSlice> = (set, get) => {
  /** After a change: the versions again, and every pane showing that bucket. */
  const reread = async (uri: string): Promise<void> => {
    await get().loadVersions(uri);
    const s = get();
    await Promise.all((['left', 'right'] as const).filter((p) => s.panes[p].bucket !== '').map((p) => s.refresh(p)));
  };
  const act = async (uri: string, call: () => Promise<unknown>, done: string): Promise<string | null> => {
    const r = await attempt(call);
    if (!r.ok) return r.error;
    get().toast('success', done);
    await reread(uri);
    return null;
  };

  return {
    versionsOpen: false,
    setVersionsOpen: (versionsOpen) => set({ versionsOpen }),
    objectVersions: null,
    async loadVersions(uri, signal) {
      try {
        const { versions } = await invoke('versions:list', { uri }, signal);
        set({ objectVersions: { uri, versions, error: null } });
      } catch (e) {
        if (!signal?.aborted) set({ objectVersions: { uri, versions: null, error: errorMessage(e) } });
      }
    },
    restoreVersion: (uri, v) => act(uri, () => invoke('versions:restore', { uri, versionId: v.versionId }), 'The version is current again'),
    removeVersion: (uri, v, allowCurrent) =>
      act(uri, () => invoke('versions:remove', { uri, versionId: v.versionId, expect: { size: v.size }, ...(allowCurrent ? { allowCurrent } : {}) }), 'The version was deleted'),
    async copyVersionToOtherPane(uri, v) {
      const s = get();
      const other = otherPane(s.activePane);
      const destination = s.uriOf(other, s.panes[other].prefix);
      if (!destination || s.panes[other].bucket === '') return 'Open a folder in the other pane first: the version is copied there';
      const r = await attempt(() => invoke('versions:copy', { uri, versionId: v.versionId, destination }));
      if (!r.ok) return r.error;
      s.toast('success', `Copied to ${r.value.destination}`);
      await s.refresh(other);
      return null;
    },

    deletedObjects: null,
    async loadDeleted(pane) {
      const s = get();
      const uri = s.uriOf(pane, s.panes[pane].prefix);
      if (!uri || s.panes[pane].bucket === '') {
        set({ deletedObjects: null });
        return;
      }
      set({ deletedObjects: { uri, entries: null, truncated: false, error: null } });
      try {
        const { entries, truncated } = await invoke('versions:deleted', { uri });
        set({ deletedObjects: { uri, entries, truncated, error: null } });
      } catch (e) {
        set({ deletedObjects: { uri, entries: null, truncated: false, error: errorMessage(e) } });
      }
    },
    clearDeleted: () => set({ deletedObjects: null }),
    async undelete(pane, key) {
      const s = get();
      const uri = s.uriOf(pane, key);
      if (!uri) return 'Open the bucket first';
      const r = await attempt(() => invoke('versions:undelete', { uri }));
      if (!r.ok) return r.error;
      s.toast('success', `${key} is back`);
      await Promise.all([s.refresh(pane), s.loadDeleted(pane)]);
      return null;
    },

    bucketSettings: null,
    async loadBucketSettings(uri, signal) {
      try {
        const settings = await invoke('versions:settings', { uri }, signal);
        set({ bucketSettings: { uri, settings, error: null } });
      } catch (e) {
        if (!signal?.aborted) set({ bucketSettings: { uri, settings: null, error: errorMessage(e) } });
      }
    },
    async configureBucket(uri, patch) {
      const r = await attempt(() => invoke('versions:configure', { uri, ...patch }));
      if (r.ok) set({ bucketSettings: { uri, settings: r.value, error: null } });
      return r;
    },
  };
};
