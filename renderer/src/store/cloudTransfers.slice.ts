import type { StateCreator } from 'zustand';
import type { CloudTransfer, CloudTransferState, CreatePreview, TransferRoute } from '../../../shared/contract/cloud-transfer.channels';
import type { ChannelRequest } from '../../../shared/contract';
import { invoke, on } from '../api/client';
import type { AppState } from './index';
import { attempt, orToast, type Outcome } from './outcome';

/**
 * Cloud transfers: a migration pair handed to the destination cloud's transfer service. Kept as their own list
 * beside the jobs (they have no files, only the service's counters); the Transfers panel shows them with the jobs
 * (`cloudTransferRow`) and the plan view shows those of its plan.
 */
export interface CloudTransfersSlice {
  /** Newest first. */
  cloudTransfers: CloudTransfer[];
  loadCloudTransfers(): Promise<void>;
  cloudRoute(request: ChannelRequest<'cloudTransfers:route'>): Promise<Outcome<TransferRoute>>;
  previewCloudTransfer(request: ChannelRequest<'cloudTransfers:preview'>): Promise<Outcome<CreatePreview>>;
  /** Creates and starts the service's job, and opens the Transfers panel where it shows. */
  createCloudTransfer(request: ChannelRequest<'cloudTransfers:create'>): Promise<Outcome<CloudTransfer>>;
  refreshCloudTransfer(id: string): Promise<void>;
  pauseCloudTransfer(id: string): Promise<void>;
  resumeCloudTransfer(id: string): Promise<void>;
  cancelCloudTransfer(id: string): Promise<void>;
  removeCloudTransfer(id: string): Promise<void>;
  /**
   * Takes the transfers that are over and hold nothing in the cloud off the list ("Clear finished"); says how many
   * ended ones stay because their job is still in the cloud (their row is where it is removed).
   */
  clearFinishedCloudTransfers(): Promise<void>;
  /** One transfer as the engine announced it; its end is told in a toast, as a job's is. */
  cloudTransferChanged(t: CloudTransfer): void;
}

const ENDED: ReadonlySet<CloudTransferState> = new Set(['succeeded', 'failed', 'cancelled']);
const LIVE: ReadonlySet<CloudTransferState> = new Set(['queued', 'running', 'cancelling']);

const STATE_WORDS: Record<CloudTransferState, string> = {
  queued: 'Waiting',
  running: 'Running',
  paused: 'Paused',
  cancelling: 'Cancelling',
  succeeded: 'Done',
  failed: 'Failed',
  cancelled: 'Cancelled',
};

/** A cloud transfer as a row of the Transfers panel: the same figures a job shows, and what the service allows. */
export interface CloudTransferRowModel {
  title: string;
  /** `Running · Google Storage Transfer Service (IN_PROGRESS)`. */
  stateText: string;
  live: boolean;
  ended: boolean;
  objectsDone: number;
  /** Absent while the service has not counted the source. */
  objectsTotal?: number;
  objectsFailed: number;
  bytesDone: number;
  bytesTotal?: number;
  /** 0 to 100; null while there is no total to measure against. */
  percent: number | null;
  bytesPerSecond: number;
  etaSeconds: number | null;
  /** The service's errors, then a failure to reach it, then a failed verification after the run. */
  errors: string[];
  canPause: boolean;
  canResume: boolean;
  canCancel: boolean;
  /** What was created in the cloud can be deleted (once the run ended). */
  canRemove: boolean;
}

export function isActiveCloudTransfer(t: CloudTransfer): boolean {
  return !t.removed && (!t.progress || LIVE.has(t.progress.state));
}

export function cloudTransferRow(t: CloudTransfer): CloudTransferRowModel {
  const p = t.progress;
  const state = p?.state;
  const service = t.engineName ?? t.engine;
  const ended = state !== undefined && ENDED.has(state);
  const live = !t.removed && (state === undefined || LIVE.has(state));
  const bytesPerSecond = live ? (t.bytesPerSecond ?? 0) : 0;
  const bytesTotal = p?.bytesFound;
  const bytesDone = p?.bytesCopied ?? 0;
  const percent = state === 'succeeded' ? 100 : bytesTotal ? Math.min(100, (bytesDone / bytesTotal) * 100) : p?.objectsFound ? Math.min(100, (p.objectsCopied / p.objectsFound) * 100) : null;
  const stateWords = t.removed ? 'Removed' : state ? STATE_WORDS[state] : 'Starting';
  return {
    title: `${t.source} → ${t.destination}`,
    stateText: `${stateWords} · ${service}${p ? ` (${p.serviceState})` : ''}`,
    live,
    ended,
    objectsDone: p?.objectsCopied ?? 0,
    ...(p?.objectsFound === undefined ? {} : { objectsTotal: p.objectsFound }),
    objectsFailed: p?.objectsFailed ?? 0,
    bytesDone,
    ...(bytesTotal === undefined ? {} : { bytesTotal }),
    percent,
    bytesPerSecond,
    etaSeconds: bytesPerSecond > 0 && bytesTotal !== undefined ? Math.max(0, (bytesTotal - bytesDone) / bytesPerSecond) : null,
    errors: [...(p?.errors ?? []), ...(t.lastError ? [t.lastError] : []), ...(t.verifyError ? [t.verifyError] : [])],
    canPause: Boolean(t.canPause) && !t.removed && (state === 'running' || state === 'queued'),
    canResume: Boolean(t.canPause) && !t.removed && state === 'paused',
    canCancel: Boolean(t.serviceRunId) && !t.removed && !ended && state !== 'cancelling',
    canRemove: ended && !t.removed && t.created.length > 0,
  };
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
      if (r.ok) {
        get().cloudTransferChanged(r.value);
        get().setTransfersExpanded(true);
      }
      return r;
    },
    async refreshCloudTransfer(id) {
      const r = await attempt(() => invoke('cloudTransfers:refresh', { id }));
      if (r.ok) get().cloudTransferChanged(r.value);
      else get().toast('error', r.error);
    },
    pauseCloudTransfer: (id) => control('cloudTransfers:pause', id),
    resumeCloudTransfer: (id) => control('cloudTransfers:resume', id),
    cancelCloudTransfer: (id) => control('cloudTransfers:cancel', id),
    removeCloudTransfer: (id) => control('cloudTransfers:remove', id),
    async clearFinishedCloudTransfers() {
      const r = await attempt(() => invoke('cloudTransfers:clearFinished', {}));
      if (!r.ok) {
        get().toast('error', r.error);
        return;
      }
      await get().loadCloudTransfers();
      const { kept } = r.value;
      if (kept === 1) get().toast('info', '1 finished cloud transfer stays listed: what was created for it is still in the cloud (Remove it from its row first)');
      else if (kept > 1) get().toast('info', `${kept} finished cloud transfers stay listed: what was created for them is still in the cloud (Remove it from their rows first)`);
    },
    cloudTransferChanged(t) {
      const before = get().cloudTransfers.find((x) => x.id === t.id);
      set((s) => ({ cloudTransfers: before ? s.cloudTransfers.map((x) => (x.id === t.id ? t : x)) : [t, ...s.cloudTransfers] }));
      const now = t.progress?.state;
      const was = before?.progress?.state;
      if (!now || !ENDED.has(now) || (was && ENDED.has(was))) return;
      const service = t.engineName ?? t.engine;
      if (now === 'succeeded' && (t.progress?.objectsFailed ?? 0) === 0) get().toast('success', `${service}: ${t.source} → ${t.destination} done`);
      else if (now === 'failed' || (t.progress?.objectsFailed ?? 0) > 0) get().toast('error', `${service}: ${t.source} → ${t.destination} ${now === 'failed' ? 'failed' : `left ${t.progress?.objectsFailed ?? 0} object(s) out`}; see Transfers`);
    },
  };
};

/** Keeps the list in step with the engine's events. Returns the unsubscribe function. */
export function subscribeCloudTransfers(getState: () => AppState): () => void {
  return on('cloudTransfers:progress', (t) => getState().cloudTransferChanged(t));
}
