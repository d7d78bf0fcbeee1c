import type { StateCreator } from 'zustand';
import type { CloudTransfer, CreatePreview, TransferRoute } from '../../../shared/contract/cloud-transfer.channels';
import type { ChannelRequest } from '../../../shared/contract';
import { invoke, on } from '../api/client';
import type { AppState } from './index';
import { attempt, orToast, type Outcome } from './outcome';

/**
 * Cloud transfers: a migration pair handed to the destination cloud's transfer service. Kept as their own list
 * beside the jobs (they have no files, only the service's counters), read by the plan view and the Transfers panel.
 */
export interface CloudTransfersSlice {
  cloudTransfers: CloudTransfer[];
  loadCloudTransfers(): Promise<void>;
  cloudRoute(request: ChannelRequest<'cloudTransfers:route'>): Promise<Outcome<TransferRoute>>;
  previewCloudTransfer(request: ChannelRequest<'cloudTransfers:preview'>): Promise<Outcome<CreatePreview>>;
  createCloudTransfer(request: ChannelRequest<'cloudTransfers:create'>): Promise<Outcome<CloudTransfer>>;
  refreshCloudTransfer(id: string): Promise<void>;
  pauseCloudTransfer(id: string): Promise<void>;
  resumeCloudTransfer(id: string): Promise<void>;
  cancelCloudTransfer(id: string): Promise<void>;
  removeCloudTransfer(id: string): Promise<void>;
  cloudTransferChanged(t: CloudTransfer): void;
}

export const createCloudTransfersSlice: StateCreator<AppState, [], [], CloudTransfersSlice> = (set, get) => {
  const control = async (channel: 'cloudTransfers:pause' | 'cloudTransfers:resume' | 'cloudTransfers:cancel' | 'cloudTransfers:remove', id: string): Promise<void> => {
    if (await orToast(get, () => invoke(channel, { id }))) await get().loadCloudTransfers();
  };
  return {
    cloudTransfers: [],
    async loadCloudTransfers() {
      const r = await attempt(() => invoke('cloudTransfers:list', {}));
      if (r.ok) set({ cloudTransfers: r.value });
    },
    cloudRoute: (request) => attempt(() => invoke('cloudTransfers:route', request)),
    previewCloudTransfer: (request) => attempt(() => invoke('cloudTransfers:preview', request)),
    async createCloudTransfer(request) {
      const r = await attempt(() => invoke('cloudTransfers:create', request));
      if (r.ok) get().cloudTransferChanged(r.value);
      return r;
    },
    async refreshCloudTransfer(id) {
      const r = await attempt(() => invoke('cloudTransfers:refresh', { id }));
      if (r.ok) get().cloudTransferChanged(r.value);
    },
    pauseCloudTransfer: (id) => control('cloudTransfers:pause', id),
    resumeCloudTransfer: (id) => control('cloudTransfers:resume', id),
    cancelCloudTransfer: (id) => control('cloudTransfers:cancel', id),
    removeCloudTransfer: (id) => control('cloudTransfers:remove', id),
    cloudTransferChanged(t) {
      set((s) => ({ cloudTransfers: s.cloudTransfers.some((x) => x.id === t.id) ? s.cloudTransfers.map((x) => (x.id === t.id ? t : x)) : [t, ...s.cloudTransfers] }));
    },
  };
};

/** Keeps the list in step with the engine's events. Returns the unsubscribe function. */
export function subscribeCloudTransfers(getState: () => AppState): () => void {
  return on('cloudTransfers:progress', (t) => getState().cloudTransferChanged(t));
}
