import { describe, expect, it } from 'vitest';
import type { CostHistory, HistoryScan } from '../../../shared/contract/costs.history';
import type { ScanResult } from '../../../shared/contract/costs.scan';
import type { CostScan } from './costs.slice';
import { lastScanOf } from './lastScan';

const URI = 's3://minio/big/';

function recorded(uri: string, objects: number, finishedAt: string): HistoryScan {
  return {
    t: 'scan',
    id: `scan-${objects}`,
    uri,
    account: 'minio',
    pricing: { provider: 'aws-s3', region: 'us-east-1' },
    finishedAt,
    objects,
    bytes: 0,
    byClass: {},
    monthlyUsdByClass: {},
    monthlyUsd: 0,
  };
}

function current(uri: string, objects: number, scannedAt: string, state: ScanResult['state'] = 'done'): CostScan {
  const progress = { id: 'now', state, objects, bytes: 0, pages: 1 };
  const totals = { objects, bytes: 0, byClass: {}, byCategory: {}, byAge: {}, ageHistogram: {}, largest: [], largestPrefixes: [], prefixesTruncated: false, scannedAt };
  return { id: 'now', uri, progress, error: null, result: { id: 'now', uri, state, progress, pricing: { provider: 'aws-s3', region: 'us-east-1' }, totals } };
}

describe('lastScanOf', () => {
  const history: CostHistory = {
    scans: [recorded(URI, 100, '2026-11-01T10:00:00Z'), recorded(URI, 120, '2026-12-01T10:00:00Z'), recorded('s3://minio/big/logs/', 7, '2026-12-05T10:00:00Z')],
    runs: [],
  };

  it('takes the newest saved scan of exactly that place', () => {
    expect(lastScanOf(history, null, URI)).toEqual({ objects: 120, at: '2026-12-01T10:00:00Z' });
    expect(lastScanOf(history, null, 's3://minio/big/logs/')).toEqual({ objects: 7, at: '2026-12-05T10:00:00Z' });
    expect(lastScanOf(history, null, 's3://minio/other/')).toBeNull();
    expect(lastScanOf(null, null, URI)).toBeNull();
  });

  it("prefers this session's finished scan when it is newer, and ignores one not done", () => {
    expect(lastScanOf(history, current(URI, 130, '2026-12-07T09:00:00Z'), URI)).toEqual({ objects: 130, at: '2026-12-07T09:00:00Z' });
    expect(lastScanOf(history, current(URI, 90, '2026-10-01T09:00:00Z'), URI)?.objects).toBe(120);
    expect(lastScanOf(history, current(URI, 55, '2026-12-07T09:00:00Z', 'cancelled'), URI)?.objects).toBe(120);
    expect(lastScanOf(null, current('s3://minio/other/', 5, '2026-12-07T09:00:00Z'), URI)).toBeNull();
  });
});
