import type { StateCreator } from 'zustand';
import type { MetadataPatch, ObjectMetadata } from '../../../shared/model';
import { errorMessage, invoke } from '../api/client';
import type { AppState } from './index';
import { attempt, type Outcome } from './outcome';
import type { PaneId } from './panes.slice';

/** An account's bucket names, for the pickers of the Costs and Migrations views (the panes list their own). */
export interface BucketNames {
  names: string[];
  error: string | null;
  loading: boolean;
}

/** The object the details panel shows: its metadata, or why it could not be read. */
export interface ObjectDetails {
  uri: string;
  meta: ObjectMetadata | null;
  error: string | null;
}

export interface StorageSlice {
  bucketNames: Record<string, BucketNames>;
  /** Lists an account's buckets again (the list shows empty until it comes). */
  loadBucketNames(account: string, signal?: AbortSignal): Promise<void>;
  objectDetails: ObjectDetails | null;
  statObject(uri: string, signal?: AbortSignal): Promise<void>;
  /** Saves a metadata change; null when saved (the details then show what the provider stored), else why not. */
  saveMetadata(uri: string, patch: MetadataPatch): Promise<string | null>;
  presign(uri: string, expiresSeconds: number): Promise<Outcome<{ url: string; expires: string; note?: string }>>;
  /** Creates a folder in the pane's current prefix and shows it; true when created. */
  createFolder(pane: PaneId, name: string): Promise<boolean>;
}

/** A save may be a self-copy underneath: the rows showing that object take its new time, size and class. */
function withSaved(s: AppState, uri: string, saved: ObjectMetadata): AppState['panes'] {
  const panes = { ...s.panes };
  for (const id of ['left', 'right'] as const) {
    if (s.uriOf(id, saved.key) !== uri) continue;
    const fresh = { size: saved.size, ...(saved.modified ? { modified: saved.modified } : {}), ...(saved.storageClass ? { storageClass: saved.storageClass } : {}) };
    panes[id] = { ...panes[id], entries: panes[id].entries.map((e) => (e.key === saved.key && !e.isPrefix ? { ...e, ...fresh } : e)) };
  }
  return panes;
}

export const createStorageSlice: StateCreator<AppState, [], [], StorageSlice> = (set, get) => ({
  bucketNames: {},
  async loadBucketNames(account, signal) {
    const put = (names: BucketNames): void => set((s) => ({ bucketNames: { ...s.bucketNames, [account]: names } }));
    put({ names: [], error: null, loading: true });
    try {
      const list = await invoke('buckets:list', { account }, signal);
      put({ names: list.map((b) => b.name), error: null, loading: false });
    } catch (e) {
      if (!signal?.aborted) put({ names: [], error: errorMessage(e), loading: false });
    }
  },

  objectDetails: null,
  async statObject(uri, signal) {
    try {
      const meta = await invoke('objects:stat', { uri }, signal);
      set({ objectDetails: { uri, meta, error: null } });
    } catch (e) {
      if (!signal?.aborted) set({ objectDetails: { uri, meta: null, error: errorMessage(e) } });
    }
  },
  async saveMetadata(uri, patch) {
    try {
      const saved = await invoke('objects:setMetadata', { uri, patch });
      get().toast('success', `Metadata of ${saved.key} saved`);
      set({ objectDetails: { uri, meta: saved, error: null } });
      set({ panes: withSaved(get(), uri, saved) });
      return null;
    } catch (e) {
      return errorMessage(e);
    }
  },

  presign: (uri, expiresSeconds) => attempt(() => invoke('objects:presign', { uri, expiresSeconds })),

  async createFolder(pane, name) {
    const s = get();
    const uri = s.uriOf(pane, `${s.panes[pane].prefix}${name.replace(/\/+$/, '')}/`);
    if (!uri) return false;
    try {
      await invoke('objects:mkdir', { uri });
      s.toast('success', `Folder ${name} created`);
      await s.refresh(pane);
      return true;
    } catch (e) {
      s.toast('error', errorMessage(e));
      return false;
    }
  },
});
