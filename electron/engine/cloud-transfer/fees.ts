import { TRANSFER_SERVICE_FEES } from '../costs/catalog/transfer-services';
import type { TransferEngine } from './routing';

export interface FeeLine {
  label: string;
  /** Null when the catalog could not confirm the figure. */
  usd: number | null;
  source: string;
  asOf: string;
  note?: string;
}

export interface ServiceFeeEstimate {
  /** The sum of the known lines; `complete` false when a line is unknown. */
  usd: number;
  complete: boolean;
  lines: FeeLine[];
}

/** The service's own fee for copying `bytes` in `runs` runs (1 GB = 1024³ bytes, as the services bill). */
export function serviceFee(engine: TransferEngine, bytes: number, runs = 1): ServiceFeeEstimate {
  if (engine === 'skyferry' || engine === 'azure-cloud-pull') return { usd: 0, complete: true, lines: [] };
  const gb = bytes / 1024 ** 3;
  const lines = TRANSFER_SERVICE_FEES[engine].map((f): FeeLine => {
    const qty = f.unit === 'per-gb' ? gb : runs;
    const label = f.unit === 'per-gb' ? `${gb.toFixed(2)} GB copied` : `${runs} run${runs === 1 ? '' : 's'}`;
    return { label, usd: f.usd === null ? null : f.usd * qty, source: f.source, asOf: f.asOf, ...(f.note ? { note: f.note } : {}) };
  });
  return { usd: lines.reduce((n, l) => n + (l.usd ?? 0), 0), complete: lines.every((l) => l.usd !== null), lines };
}
