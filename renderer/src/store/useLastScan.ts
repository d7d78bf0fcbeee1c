import { useEffect, useMemo } from 'react';
import { useStore } from './index';
import { lastScanOf, type ScanCount } from './lastScan';

/**
 * The newest scan of a place, for a listing too big to load at once (null: none, or no place). The cost history is
 * read again each time the place changes, so a scan that finished since (a scheduled one) counts.
 */
export function useLastScan(uri: string | null): ScanCount | null {
  const history = useStore((s) => s.costHistory.history);
  const current = useStore((s) => s.costScan);
  useEffect(() => {
    if (uri) void useStore.getState().loadCostHistory();
  }, [uri]);
  return useMemo(() => (uri ? lastScanOf(history, current, uri) : null), [history, current, uri]);
}
