import type { StateCreator } from 'zustand';
import type { ChannelRequest } from '../../../shared/contract';
import type {
  CatalogOverlay,
  PriceCatalog,
  PriceEdit,
  ProviderPricing,
  RegionPricing,
} from '../../../shared/contract/costs.catalog';
import type { CopyEstimateRequest, CostEstimate, TransferEstimateRequest } from '../../../shared/contract/costs.estimate';
import type { CostHistory } from '../../../shared/contract/costs.history';
import { isFinishedJobState } from '../../../shared/contract/jobs.channels';
import type { ScanProgress, ScanResult, WhatIfResult } from '../../../shared/contract/costs.scan';
import { errorMessage, invoke, on } from '../api/client';
import type { AppState } from './index';
import { orToast } from './outcome';

export interface CostScan {
  id: string | null;
  uri: string;
  progress: ScanProgress | null;
  result: ScanResult | null;
  error: string | null;
}

export type WhatIfInput = Omit<ChannelRequest<'costs:whatIf'>, 'id'>;

/** The cost of a copy between accounts, as its confirmation shows it. */
export type CopyEstimate = { state: 'loading' } | { state: 'done'; estimate: CostEstimate } | { state: 'failed'; message: string };

export interface CostsSlice {
  costCatalog: PriceCatalog | null;
  costOverlay: CatalogOverlay | null;
  costCatalogError: string | null;
  /** Bumped after every catalog change, so that figures computed from the old prices are asked for again. */
  costCatalogVersion: number;
  loadCostCatalog(): Promise<void>;
  setPrice(edit: PriceEdit): Promise<string | null>;
  addPricingProvider(provider: ProviderPricing): Promise<string | null>;
  addPricingRegion(provider: string, region: RegionPricing): Promise<string | null>;
  resetPrices(provider?: string): Promise<string | null>;

  costScan: CostScan | null;
  startScan(uri: string, pricing?: { provider: string; region: string }): Promise<void>;
  cancelScan(): Promise<void>;
  scanProgressed(progress: ScanProgress): void;
  /** Asks the engine where the current scan is (after a missed event, or once the last one arrived). */
  refreshScan(): Promise<void>;

  whatIf: { result: WhatIfResult | null; error: string | null; busy: boolean };
  runWhatIf(input: WhatIfInput): Promise<void>;

  transferEstimate: { request: TransferEstimateRequest | null; result: CostEstimate | null; error: string | null; busy: boolean };
  estimateTransfer(request: TransferEstimateRequest): Promise<void>;

  /** The estimate of the copy being confirmed, with the request it answers. */
  copyEstimate: { request: CopyEstimateRequest; estimate: CopyEstimate } | null;
  estimateCopy(request: CopyEstimateRequest, signal?: AbortSignal): Promise<void>;

  costHistory: { history: CostHistory | null; error: string | null; busy: boolean };
  loadCostHistory(): Promise<void>;
}

export const createCostsSlice: StateCreator<AppState, [], [], CostsSlice> = (set, get) => {
  /** A catalog change: keep the new catalog, re-read the overlay, and re-run the estimate on show. */
  async function changeCatalog(call: () => Promise<PriceCatalog>): Promise<string | null> {
    try {
      const catalog = await call();
      set((s) => ({ costCatalog: catalog, costCatalogVersion: s.costCatalogVersion + 1 }));
      void get().loadCostCatalog();
      const req = get().transferEstimate.request;
      if (req) void get().estimateTransfer(req);
      return null;
    } catch (e) {
      return errorMessage(e);
    }
  }

  return {
    costCatalog: null,
    costOverlay: null,
    costCatalogError: null,
    costCatalogVersion: 0,
    async loadCostCatalog() {
      try {
        const { catalog, overlay } = await invoke('costs:catalog', {});
        set({ costCatalog: catalog, costOverlay: overlay, costCatalogError: null });
      } catch (e) {
        set({ costCatalogError: `Could not load the price catalog: ${errorMessage(e)}` });
      }
    },
    setPrice: (edit) => changeCatalog(() => invoke('costs:setPrice', edit)),
    addPricingProvider: (provider) => changeCatalog(() => invoke('costs:addProvider', { provider })),
    addPricingRegion: (provider, region) => changeCatalog(() => invoke('costs:addRegion', { provider, region })),
    resetPrices: (provider) => changeCatalog(() => invoke('costs:resetCatalog', provider ? { provider } : {})),

    costScan: null,
    async startScan(uri, pricing) {
      const running = get().costScan;
      if (running?.id && running.progress?.state === 'running') await get().cancelScan();
      set({ costScan: { id: null, uri, progress: null, result: null, error: null }, whatIf: { result: null, error: null, busy: false } });
      try {
        const { id } = await invoke('costs:scan', pricing ? { uri, pricing } : { uri });
        set((s) => (s.costScan?.uri === uri && s.costScan.id === null ? { costScan: { ...s.costScan, id } } : {}));
        // A small bucket can be done before the id arrives: ask once rather than wait for an event already sent.
        await get().refreshScan();
      } catch (e) {
        set((s) => ({ costScan: s.costScan ? { ...s.costScan, error: errorMessage(e) } : null }));
      }
    },
    async cancelScan() {
      const id = get().costScan?.id;
      if (id) await orToast(get, () => invoke('costs:cancelScan', { id }));
    },
    scanProgressed(progress) {
      const cur = get().costScan;
      if (!cur || cur.id !== progress.id) return;
      set({ costScan: { ...cur, progress } });
      if (progress.state !== 'running') void get().refreshScan();
    },
    async refreshScan() {
      const id = get().costScan?.id;
      if (!id) return;
      try {
        const result = await invoke('costs:scanResult', { id });
        set((s) => {
          if (s.costScan?.id !== id) return {};
          const error = result.state === 'failed' ? (result.error?.message ?? 'The scan failed.') : null;
          return { costScan: { ...s.costScan, progress: result.progress, result: result.state === 'running' ? null : result, error } };
        });
      } catch (e) {
        set((s) => (s.costScan?.id === id ? { costScan: { ...s.costScan, error: errorMessage(e) } } : {}));
      }
    },

    whatIf: { result: null, error: null, busy: false },
    async runWhatIf(input) {
      const id = get().costScan?.id;
      if (!id) return;
      set((s) => ({ whatIf: { ...s.whatIf, busy: true, error: null } }));
      try {
        const result = await invoke('costs:whatIf', { id, ...input });
        set({ whatIf: { result, error: null, busy: false } });
      } catch (e) {
        set({ whatIf: { result: null, error: errorMessage(e), busy: false } });
      }
    },

    transferEstimate: { request: null, result: null, error: null, busy: false },
    async estimateTransfer(request) {
      set((s) => ({ transferEstimate: { ...s.transferEstimate, request, busy: true, error: null } }));
      try {
        const result = await invoke('costs:estimateTransfer', request);
        set((s) => (s.transferEstimate.request === request ? { transferEstimate: { request, result, error: null, busy: false } } : {}));
      } catch (e) {
        set((s) => (s.transferEstimate.request === request ? { transferEstimate: { request, result: null, error: errorMessage(e), busy: false } } : {}));
      }
    },

    copyEstimate: null,
    async estimateCopy(request, signal) {
      const answer = (estimate: CopyEstimate): void => set((s) => (s.copyEstimate?.request === request ? { copyEstimate: { request, estimate } } : {}));
      set({ copyEstimate: { request, estimate: { state: 'loading' } } });
      try {
        answer({ state: 'done', estimate: await invoke('costs:estimateCopy', request, signal) });
      } catch (e) {
        if (!signal?.aborted) answer({ state: 'failed', message: errorMessage(e) });
      }
    },

    costHistory: { history: null, error: null, busy: false },
    async loadCostHistory() {
      set((s) => ({ costHistory: { ...s.costHistory, busy: true } }));
      try {
        const history = await invoke('costs:history', {});
        set({ costHistory: { history, error: null, busy: false } });
      } catch (e) {
        set((s) => ({ costHistory: { ...s.costHistory, error: errorMessage(e), busy: false } }));
      }
    },
  };
};

/** Keeps the current scan in step with the engine's progress events. Returns the unsubscribe function. */
export function subscribeCosts(getState: () => AppState): () => void {
  return on('costs:scanProgress', (p) => getState().scanProgressed(p));
}

/**
 * Reloads the cost history (once, half a second after the last of a burst) when something it records finishes: a
 * job, a scan, a migration run. Returns the unsubscribe function.
 */
export function subscribeCostHistory(getState: () => AppState): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const soon = (): void => {
    clearTimeout(timer);
    timer = setTimeout(() => void getState().loadCostHistory(), 500);
  };
  const offJobs = on('jobs:changed', (e) => {
    if (isFinishedJobState(e.state)) soon();
  });
  const offScans = on('costs:scanProgress', (p) => {
    if (p.state !== 'running') soon();
  });
  const offPlans = on('plans:progress', (p) => {
    if (['completed', 'completed-with-differences', 'failed', 'cancelled'].includes(p.state)) soon();
  });
  return () => {
    clearTimeout(timer);
    offJobs();
    offScans();
    offPlans();
  };
}
