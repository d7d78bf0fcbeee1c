import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MigrationRequestSchema, type MigrationRequestInput, type PlanGroup, type PlanItem } from '../../../shared/contract/migrations.channels';
import type { Provider } from '../providers/provider';
import { listName, planMigration, type PlanOutcome } from './planner';
import { PlanStore } from './plan-store';
import { localFixture, type LocalFixture } from '../test-support/local-fixture';

let fx: LocalFixture;
let data: string;
let store: PlanStore;
let n = 0;
const OLD = new Date('2024-01-01T00:00:00Z');
const NEW = new Date('2025-06-01T00:00:00Z');

beforeAll(async () => {
  fx = await localFixture();
  data = await mkdtemp(path.join(os.tmpdir(), 'skyferry-plans-'));
  store = new PlanStore(data);
  // Source `src/data/`, destination `dst/copy/`: same, bigger, same size but other bytes, new, extra.
  await fx.write('src', 'data/same.txt', 'hello', OLD);
  await fx.write('src', 'data/grown.txt', 'hello world', OLD);
  await fx.write('src', 'data/edited.txt', 'HELLO', NEW);
  await fx.write('src', 'data/sub/new.txt', 'brand new', OLD);
  await fx.write('src', 'data/logs/app.log', 'log line', OLD);
  await fx.write('src', 'data/big.bin', 'x'.repeat(5000), OLD);
  await fx.write('dst', 'copy/same.txt', 'hello', NEW);
  await fx.write('dst', 'copy/grown.txt', 'hello', NEW);
  await fx.write('dst', 'copy/edited.txt', 'hallo', OLD);
  await fx.write('dst', 'copy/big.bin', 'x'.repeat(5000), NEW);
  await fx.write('dst', 'copy/only-here.txt', 'extra', NEW);
});

afterAll(async () => {
  await fx.cleanup();
  await rm(data, { recursive: true, force: true });
});

async function plan(input: Partial<MigrationRequestInput>, resolve = fx.resolve): Promise<{ out: PlanOutcome; id: string; keys(group: PlanGroup, dest?: number): Promise<string[]>; items(group: PlanGroup, dest?: number): Promise<PlanItem[]> }> {
  const id = `p${++n}`;
  const request = MigrationRequestSchema.parse({ source: 'file://disk/src/data/', destinations: ['file://disk/dst/copy/'], ...input });
  const writer = await store.writer(id);
  const out = await planMigration({ resolve }, { request, writer, signal: new AbortController().signal, now: Date.parse('2025-07-01T00:00:00Z') });
  const items = async (group: PlanGroup, dest = 0): Promise<PlanItem[]> => (await store.page(id, listName(group, dest), 0, 1000)).items;
  return { out, id, items, keys: async (g, d) => (await items(g, d)).map((i) => i.key ?? i.destKey ?? '').sort() };
}

describe('planner comparison modes (local folders)', () => {
  it('size: classifies new, changed (with the reason), unchanged and extra, with counts and bytes', async () => {
    const p = await plan({ compare: 'size' });
    const d = p.out.destinations[0];
    expect(await p.keys('new')).toEqual(['logs/app.log', 'sub/new.txt']);
    expect(await p.keys('changed')).toEqual(['grown.txt']);
    expect(await p.keys('unchanged')).toEqual(['big.bin', 'edited.txt', 'same.txt']);
    expect(await p.keys('extra')).toEqual(['only-here.txt']);
    expect(d?.new).toEqual({ count: 2, bytes: 17 });
    expect(d?.changed).toEqual({ count: 1, bytes: 11 });
    expect(d?.extra).toEqual({ count: 1, bytes: 5 });
    expect(d?.destinationObjects).toBe(5);
    expect((await p.items('changed'))[0]?.reason).toBe('size differs (11 at the source, 5 at the destination)');
    expect(p.out.source).toEqual({ objects: 6, bytes: 5000 + 5 + 11 + 5 + 9 + 8, filteredOut: 0 });
  });

  it('size+checksum: same size, other bytes is a change (MD5 read from the local files)', async () => {
    const p = await plan({ compare: 'size+checksum' });
    expect(await p.keys('changed')).toEqual(['edited.txt', 'grown.txt']);
    expect(await p.keys('unchanged')).toEqual(['big.bin', 'same.txt']);
    const edited = (await p.items('changed')).find((i) => i.key === 'edited.txt');
    expect(edited?.reason).toMatch(/^md5 differs/);
    expect(p.out.destinations[0]?.checksumKinds).toEqual({ size: 1, md5: 3 });
  });

  it('size+mtime: a source newer than its copy is a change; an older one is not', async () => {
    const p = await plan({ compare: 'size+mtime' });
    expect(await p.keys('changed')).toEqual(['edited.txt', 'grown.txt']);
    expect((await p.items('changed')).find((i) => i.key === 'edited.txt')?.reason).toMatch(/^newer at the source/);
    expect(await p.keys('unchanged')).toEqual(['big.bin', 'same.txt']);
  });
});

describe('planner filters', () => {
  it('include/exclude globs apply to source keys and to extras alike', async () => {
    const p = await plan({ compare: 'size', filters: { include: ['*.txt'], exclude: ['sub/**'] } });
    expect(await p.keys('new')).toEqual([]);
    expect(await p.keys('changed')).toEqual(['grown.txt']);
    expect(await p.keys('unchanged')).toEqual(['edited.txt', 'same.txt']);
    expect(await p.keys('extra')).toEqual(['only-here.txt']);
    expect(p.out.source.filteredOut).toBe(3);
    const noTxt = await plan({ compare: 'size', filters: { exclude: ['*.txt'] } });
    expect(await noTxt.keys('extra')).toEqual([]);
  });

  it('size and age bounds', async () => {
    const small = await plan({ compare: 'size', filters: { maxSize: 100 } });
    expect(await small.keys('unchanged')).toEqual(['edited.txt', 'same.txt']);
    const big = await plan({ compare: 'size', filters: { minSize: 1000 } });
    expect(await big.keys('unchanged')).toEqual(['big.bin']);
    expect(big.out.source.filteredOut).toBe(5);
    // Modified 2025-06-01, "now" 2025-07-01: only edited.txt is younger than 60 days.
    const recent = await plan({ compare: 'size', filters: { maxAgeDays: 60 } });
    expect(await recent.keys('unchanged')).toEqual(['edited.txt']);
    const old = await plan({ compare: 'size', filters: { minAgeDays: 60 } });
    expect(await old.keys('new')).toEqual(['logs/app.log', 'sub/new.txt']);
  });
});

describe('planner destinations', () => {
  it('replicates: each destination gets its own groups; an empty destination makes everything new', async () => {
    await fx.provider.createBucket('empty');
    const p = await plan({ compare: 'size', destinations: ['file://disk/dst/copy/', 'file://disk/empty/'] });
    expect(p.out.destinations).toHaveLength(2);
    expect(p.out.destinations[1]?.new.count).toBe(6);
    expect(await p.keys('new', 1)).toEqual(['big.bin', 'edited.txt', 'grown.txt', 'logs/app.log', 'same.txt', 'sub/new.txt']);
    expect(p.out.destinations[0]?.new.count).toBe(2);
  });

  it('refuses a destination inside its source (a mirror into itself would delete what it copies)', async () => {
    await expect(plan({ destinations: ['file://disk/src/data/inner/'] })).rejects.toThrow(/overlaps the source/);
  });

  it('a store that does not list in key order is said so and compared in memory, with the same result', async () => {
    // The destination's pages come back reversed (as a store with another collation might list them).
    const unsorted: Provider = Object.assign(Object.create(fx.provider) as Provider, {
      list: async (...args: Parameters<Provider['list']>) => {
        const page = await fx.provider.list(...args);
        return { ...page, entries: [...page.entries].reverse() };
      },
    });
    const resolve: typeof fx.resolve = (uri) => {
      const r = fx.resolve(uri);
      return r.location.bucket === 'dst' ? { ...r, provider: unsorted } : r;
    };
    const p = await plan({ compare: 'size' }, resolve);
    expect(p.out.notes.some((n) => n.startsWith('A listing was not in key order') && n.includes('compared in memory'))).toBe(true);
    expect(await p.keys('new')).toEqual(['logs/app.log', 'sub/new.txt']);
    expect(await p.keys('changed')).toEqual(['grown.txt']);
    expect(await p.keys('unchanged')).toEqual(['big.bin', 'edited.txt', 'same.txt']);
    expect(await p.keys('extra')).toEqual(['only-here.txt']);
    expect(p.out.source.objects).toBe(6);
  });

  it('pages a large group from disk', async () => {
    const id = 'paging';
    const w = await store.writer(id);
    for (let i = 0; i < 1000; i++) await w.add('new-0', { dest: 0, key: `k${i}`, size: i });
    await w.flush();
    const page = await store.page(id, 'new-0', 600, 5);
    expect(page.total).toBe(1000);
    expect(page.items.map((x) => x.key)).toEqual(['k600', 'k601', 'k602', 'k603', 'k604']);
    expect((await store.page(id, 'new-0', 998, 10)).items).toHaveLength(2);
  });
});
