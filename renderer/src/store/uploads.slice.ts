import type { StateCreator } from 'zustand';
import type { PendingUpload } from '../../../shared/contract';
import { errorMessage, invoke } from '../api/client';
import type { AbortOutcome } from '../pending-uploads';
import type { AppState } from './index';
import { attempt, type Outcome } from './outcome';

export type PendingUploadsListing = { state: 'loading' } | { state: 'error'; message: string } | { state: 'ready'; uploads: PendingUpload[]; at: number };

/** The unfinished uploads of the bucket whose dialog is open. */
export interface UploadsSlice {
  pendingUploads: { account: string; bucket: string; listing: PendingUploadsListing } | null;
  loadPendingUploads(account: string, bucket: string, signal?: AbortSignal): Promise<void>;
  abortPendingUploads(account: string, bucket: string, uploads: PendingUpload[]): Promise<Outcome<AbortOutcome>>;
}

export const createUploadsSlice: StateCreator<AppState, [], [], UploadsSlice> = (set) => ({
  pendingUploads: null,
  async loadPendingUploads(account, bucket, signal) {
    const put = (listing: PendingUploadsListing): void => set({ pendingUploads: { account, bucket, listing } });
    put({ state: 'loading' });
    try {
      const uploads = await invoke('uploads:listPending', { account, bucket }, signal);
      put({ state: 'ready', uploads, at: Date.now() });
    } catch (e) {
      if (!signal?.aborted) put({ state: 'error', message: errorMessage(e) });
    }
  },
  abortPendingUploads: (account, bucket, uploads) => attempt(() => invoke('uploads:abort', { account, bucket, uploads })),
});
