import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  emptyRequestCounts,
  type HistoryJob,
  type HistoryMigration,
  type HistoryScan,
} from '../../../shared/contract/costs.history';
import { summarize } from './history';
import { HISTORY_FILE, openHistoryStore } from './history-store';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'skyferry-history-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const scan = (n: number, uri = 's3://minio/demo/'): HistoryScan => ({
  t: 'scan',
  id: `scan-${n}`,
  uri,
  account: 'minio',
  pricing: { provider: 'aws-s3', region: 'us-east-1' },
  finishedAt: new Date(Date.UTC(2026, 0, 1, 0, 0, n)).toISOString(),
  objects: n,
  bytes: n * 100,
  byClass: { STANDARD: { count: n, bytes: n * 100 } },
  monthlyUsdByClass: { STANDARD: n / 1000 },
  monthlyUsd: n / 1000,
});

const job = (id: string, at: string, bytesMoved: number): HistoryJob => ({
  t: 'job',
  id,
  kind: 'copy',
  title: id,
  state: 'completed',
  source: 's3://minio/a/',
  destination: 'az://azurite/b/',
  finishedAt: at,
  from: { provider: 'aws-s3', region: 'us-east-1' },
  to: { provider: 'azure-blob', region: 'eastus' },
  filesPlanned: 1,
  bytesPlanned: bytesMoved,
  filesMoved: 1,
  bytesMoved,
  bytesByPath: { relay: bytesMoved },
  requests: { source: emptyRequestCounts(), destination: { ...emptyRequestCounts(), put: 1 }, sameAccount: false },
  estimate: null,
  actual: null,
});

describe('cost history store', () => {
  it('keeps the order of appends, even when they are not awaited one by one', async () => {
    const store = openHistoryStore(dir);
    await Promise.all(Array.from({ length: 30 }, (_, i) => store.append(scan(i))));
    expect((await store.read()).map((r) => r.id)).toEqual(Array.from({ length: 30 }, (_, i) => `scan-${i}`));
    // A store opened afresh (the next start of the app) reads the same.
    expect((await openHistoryStore(dir).read()).length).toBe(30);
  });

  it('skips a torn last line and cuts it off before the next append, which lands on a line of its own', async () => {
    const store = openHistoryStore(dir);
    await store.append(scan(1));
    await store.append(scan(2));
    const file = path.join(dir, HISTORY_FILE);
    // A kill half-way through writing a third record.
    appendFileSync(file, JSON.stringify(scan(3)).slice(0, 40));
    const reopened = openHistoryStore(dir);
    expect((await reopened.read()).map((r) => r.id)).toEqual(['scan-1', 'scan-2']);
    await reopened.append(scan(4));
    expect((await reopened.read()).map((r) => r.id)).toEqual(['scan-1', 'scan-2', 'scan-4']);
    const lines = readFileSync(file, 'utf8').split('\n');
    expect(lines).toHaveLength(4); // three records and the empty string after the last newline
    expect(lines[3]).toBe('');
  });

  it('skips a line that is not a record and keeps reading', async () => {
    const file = path.join(dir, HISTORY_FILE);
    const store = openHistoryStore(dir);
    await store.append(scan(1));
    appendFileSync(file, '{"t":"scan","id":"no fields"}\nnot json\n');
    await store.append(scan(2));
    expect((await store.read()).map((r) => r.id)).toEqual(['scan-1', 'scan-2']);
  });

  it('stays bounded: past keep + keep/10 records only the newest keep remain, oldest dropped first', async () => {
    const store = openHistoryStore(dir, { keep: 20 });
    for (let i = 0; i < 22; i++) await store.append(scan(i));
    expect((await store.read()).length).toBe(22); // up to 20 + 2 before it trims
    await store.append(scan(22));
    const ids = (await store.read()).map((r) => r.id);
    expect(ids).toEqual(Array.from({ length: 20 }, (_, i) => `scan-${i + 3}`));
    for (let i = 23; i < 60; i++) await store.append(scan(i));
    const after = await openHistoryStore(dir, { keep: 20 }).read();
    expect(after.length).toBeLessThanOrEqual(22);
    expect(after.at(-1)?.id).toBe('scan-59');
    expect(readFileSync(path.join(dir, HISTORY_FILE), 'utf8').trim().split('\n').length).toBe(after.length);
  });

  it('an unreadable file starts empty and is replaced by the first append', async () => {
    const file = path.join(dir, HISTORY_FILE);
    await openHistoryStore(dir).append(scan(0));
    writeFileSync(file, 'garbage without newline');
    const store = openHistoryStore(dir);
    expect(await store.read()).toEqual([]);
    await store.append(scan(7));
    expect((await store.read()).map((r) => r.id)).toEqual(['scan-7']);
  });
});

describe('summarize', () => {
  it('keeps every scan of the asked bucket by time, the newest record of each job, and hides a migration’s jobs', () => {
    const migration: HistoryMigration = {
      t: 'migration',
      id: 'm1',
      source: 's3://minio/a/',
      destinations: ['az://azurite/b/'],
      state: 'completed',
      finishedAt: '2026-01-03T00:00:00.000Z',
      jobIds: ['j2'],
      bytesEstimated: 10,
      bytesMoved: 10,
      estimateUsd: 0.5,
      actualUsd: 0.4,
      requests: emptyRequestCounts(),
    };
    const records = [scan(2), scan(1, 's3://minio/other/'), job('j1', '2026-01-02T00:00:00.000Z', 5), scan(1), job('j2', '2026-01-02T12:00:00.000Z', 10), migration, job('j1', '2026-01-04T00:00:00.000Z', 7)];
    const h = summarize(records, 's3://minio/demo/');
    expect(h.scans.map((s) => s.id)).toEqual(['scan-1', 'scan-2']);
    expect(h.runs.map((r) => `${r.t}:${r.id}`)).toEqual(['migration:m1', 'job:j1']);
    expect(h.runs[1]?.t === 'job' && h.runs[1].bytesMoved).toBe(7);
    expect(summarize(records).scans).toHaveLength(3);
  });
});
