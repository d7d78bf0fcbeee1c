import type { CostHistory } from '../../../shared/contract/costs.history';
import type { CostScan } from './costs.slice';

/** What the newest finished cost scan of a place counted, and when it finished. */
export interface ScanCount {
  objects: number;
  at: string;
}

/**
 * The newest finished scan of exactly this bucket or prefix URI: from the cost history (every finished scan, saved
 * by the engine) or this session's scan in the Costs view, whichever is newer.
 */
export function lastScanOf(history: CostHistory | null, current: CostScan | null, uri: string): ScanCount | null {
  const found: ScanCount[] = (history?.scans ?? []).filter((s) => s.uri === uri).map((s) => ({ objects: s.objects, at: s.finishedAt }));
  const r = current?.result;
  if (r && r.uri === uri && r.state === 'done' && r.totals) found.push({ objects: r.totals.objects, at: r.totals.scannedAt });
  return found.reduce<ScanCount | null>((best, s) => (!best || Date.parse(s.at) > Date.parse(best.at) ? s : best), null);
}
