import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BYTES_PER_GB } from '../../../shared/contract/costs.catalog';
import { createLocalProvider } from '../providers/local/local.provider';
import type { Provider } from '../providers/provider';
import { SHIPPED_CATALOG } from './catalog';
import { categoryOf } from './file-types';
import { DEFAULT_CLASS_KEY, scanPrefix } from './scan';
import { keepingCost, whatIf } from './what-if';

const NOW = new Date('2026-06-01T00:00:00Z');
const DAY = 86_400_000;

/** What the test wrote, so the scan can be checked against it. */
interface Written {
  key: string;
  size: number;
  ageDays: number;
}

const files: Written[] = [];
const exts = ['safetensors', 'csv', 'yaml', 'log', 'tar.gz', 'pdf', 'jpg', 'mp3', 'mp4', 'bin', 'log.gz'];
const ageChoices = [1, 45, 200, 800];
for (let i = 0; i < 300; i++) {
  const top = `team-${i % 3}`;
  const sub = `set-${i % 5}`;
  files.push({ key: `${top}/${sub}/file-${i}.${exts[i % exts.length]}`, size: (i * 7919) % 5000, ageDays: ageChoices[i % 4] as number });
}
files.push({ key: 'root-file.txt', size: 123_456, ageDays: 10 });
files.push({ key: 'team-0/huge.parquet', size: 300_000, ageDays: 400 });

let root: string;
let provider: Provider;

beforeAll(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'skyferry-scan-'));
  provider = createLocalProvider({ kind: 'local', name: 'scan-test', root });
  for (const f of files) {
    const p = path.join(root, 'bucket', ...f.key.split('/'));
    await fs.mkdir(path.dirname(p), { recursive: true });
    await fs.writeFile(p, Buffer.alloc(f.size, 1));
    const t = new Date(NOW.getTime() - f.ageDays * DAY - 3600_000);
    await fs.utimes(p, t, t);
  }
});

afterAll(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

function expected(filter: (f: Written) => boolean): { count: number; bytes: number } {
  const sel = files.filter(filter);
  return { count: sel.length, bytes: sel.reduce((t, f) => t + f.size, 0) };
}

describe('scanPrefix on a local folder', () => {
  it('totals objects and bytes by class, type, age, and finds the largest objects and prefixes', async () => {
    const progress: number[] = [];
    const totals = await scanPrefix(provider, 'bucket', '', { now: NOW, pageSize: 50, progressIntervalMs: 0, onProgress: (p) => progress.push(p.objects), top: 5 });
    const all = expected(() => true);
    expect(totals.objects).toBe(all.count);
    expect(totals.bytes).toBe(all.bytes);
    expect(totals.byClass[DEFAULT_CLASS_KEY]).toMatchObject({ count: all.count, bytes: all.bytes, smallObjects: expected((f) => f.size < 128 * 1024).count });
    for (const cat of ['models', 'datasets', 'configs', 'logs', 'backups', 'documents', 'images', 'audio', 'video', 'other'] as const) {
      const want = expected((f) => categoryOf(f.key) === cat);
      expect(totals.byCategory[cat] ?? { count: 0, bytes: 0 }, cat).toEqual(want);
    }
    expect(totals.byCategory.logs?.count).toBe(expected((f) => f.key.endsWith('.log') || f.key.endsWith('.log.gz')).count);
    expect(totals.byAge['<30d']).toEqual(expected((f) => f.ageDays < 30));
    expect(totals.byAge['30-90d']).toEqual(expected((f) => f.ageDays >= 30 && f.ageDays < 90));
    expect(totals.byAge['90-365d']).toEqual(expected((f) => f.ageDays >= 90 && f.ageDays < 365));
    expect(totals.byAge['>1y']).toEqual(expected((f) => f.ageDays >= 365));
    const bySize = [...files].sort((a, b) => b.size - a.size);
    expect(totals.largest.map((l) => l.key)).toEqual(bySize.slice(0, 5).map((f) => f.key));
    const team0 = totals.largestPrefixes.find((p) => p.prefix === 'team-0/' && p.depth === 1);
    expect(team0).toMatchObject(expected((f) => f.key.startsWith('team-0/')));
    const deep = totals.largestPrefixes.find((p) => p.prefix === 'team-1/set-2/');
    if (deep) expect(deep).toMatchObject(expected((f) => f.key.startsWith('team-1/set-2/')));
    expect(totals.largestPrefixes.filter((p) => p.depth === 2).length).toBe(5);
    expect(progress.at(-1)).toBe(all.count);
    expect(progress.length).toBeGreaterThanOrEqual(Math.ceil(all.count / 50));
  });

  it('scans under a prefix only, and bounds the prefix map', async () => {
    const totals = await scanPrefix(provider, 'bucket', 'team-2/', { now: NOW, maxPrefixes: 2 });
    expect({ count: totals.objects, bytes: totals.bytes }).toEqual(expected((f) => f.key.startsWith('team-2/')));
    expect(totals.largestPrefixes.filter((p) => p.depth === 1)).toHaveLength(2);
    expect(totals.prefixesTruncated).toBe(true);
  });

  it('stops when cancelled', async () => {
    const controller = new AbortController();
    const run = scanPrefix(provider, 'bucket', '', {
      now: NOW, pageSize: 10, progressIntervalMs: 0, signal: controller.signal,
      onProgress: (p) => { if (p.pages === 2) controller.abort(); },
    });
    await expect(run).rejects.toMatchObject({ code: 'cancelled' });
  });

  it('prices keeping it and a what-if from the scan', async () => {
    const totals = await scanPrefix(provider, 'bucket', '', { now: NOW });
    // Priced as S3 Standard us-east-1: bytes / 2^30 x $0.023
    const keep = keepingCost(SHIPPED_CATALOG, { provider: 'aws-s3', region: 'us-east-1' }, totals);
    expect(keep.monthlyUsd).toBeCloseTo((totals.bytes / BYTES_PER_GB) * 0.023, 15);
    // Objects 90+ days old to Glacier IR: the rest stays at $0.023/GB; the moved ones cost $0.004/GB, each object
    // under 128 KiB billed as 128 KiB: (large bytes + small count x 131,072) / 2^30 x 0.004
    const result = whatIf(SHIPPED_CATALOG, { provider: 'aws-s3', region: 'us-east-1' }, totals, { olderThanDays: 90, targetClass: 'GLACIER_IR' });
    const moved = expected((f) => f.ageDays >= 90);
    expect(result.movedObjects).toBe(moved.count);
    expect(result.movedBytes).toBe(moved.bytes);
    // one-time: one transition request per object at Glacier IR's PUT price, $0.02 per 1,000
    expect(result.oneTime.lines[0]?.totalUsd).toBeCloseTo((moved.count / 1000) * 0.02, 15);
    expect(result.notes.join(' ')).toMatch(/128 KiB/);
    const stay = expected((f) => f.ageDays < 90);
    const movedSmall = expected((f) => f.ageDays >= 90 && f.size < 128 * 1024);
    const billedMoved = moved.bytes - movedSmall.bytes + movedSmall.count * 128 * 1024;
    expect(result.newMonthlyUsd).toBeCloseTo((stay.bytes / BYTES_PER_GB) * 0.023 + (billedMoved / BYTES_PER_GB) * 0.004, 15);
    expect(result.monthlySavingUsd).toBeCloseTo(result.currentMonthlyUsd - result.newMonthlyUsd, 15);
  });
});
