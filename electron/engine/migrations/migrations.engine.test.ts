import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PlanItem } from '../../../shared/contract/migrations.channels';
import { createFileKeyCipher } from '../accounts/secret-store';
import type { Engine } from '../dispatch';
import { createEngine } from '../engine';
import { putFile, readTree } from '../test-support/local-fixture';
import { call, planned, waitForState } from '../test-support/wait';

/** Migrations as the renderer drives them: plans:* and profiles:* through engine.invoke, on local folders. */
let base: string;
let engine: Engine;
let src: string;


beforeAll(async () => {
  base = await mkdtemp(path.join(os.tmpdir(), 'skyferry-migrations-engine-'));
  engine = await createEngine({ dataDir: path.join(base, 'data'), cipher: await createFileKeyCipher(path.join(base, 'keys', 'k')) });
  src = path.join(base, 'src');
  await putFile(src, 'a.txt', 'alpha');
  await putFile(src, 'docs/b, "quoted".txt', 'bravo');
  await putFile(src, 'docs/c.txt', 'charlie');
});

afterAll(async () => {
  await engine?.close();
  await rm(base, { recursive: true, force: true });
});

describe('migrations through the engine (local folders)', () => {
  it('plans, runs, verifies, reports, and a re-plan shows zero differences', async () => {
    const dst = path.join(base, 'dst');
    await putFile(dst, 'c.txt', 'old');
    await putFile(dst, 'docs/c.txt', 'charlie');
    await putFile(dst, 'zzz-extra.txt', 'extra');
    const id = await planned(engine, { source: `file://${src}/`, destinations: [`file://${dst}/`], compare: 'size+checksum' });
    const s = (await call(engine, 'plans:get', { id })) as { destinations: Array<Record<string, { count: number }>> };
    expect(s.destinations[0]?.new?.count).toBe(2);
    expect(s.destinations[0]?.unchanged?.count).toBe(1);
    expect(s.destinations[0]?.extra?.count).toBe(2);
    const page = (await call(engine, 'plans:page', { id, group: 'new', offset: 0, limit: 10 })) as { items: PlanItem[]; total: number };
    expect(page.total).toBe(2);
    expect(page.items.map((i) => i.key).sort()).toEqual(['a.txt', 'docs/b, "quoted".txt']);

    expect(await call(engine, 'plans:run', { id })).toEqual({ ok: true });
    const done = await waitForState(engine, id, ['completed', 'completed-with-differences', 'failed']);
    expect(done.state).toBe('completed');
    expect(done.differences).toBe(0);
    expect(done.report).toMatchObject({ copied: 2, skipped: 1, failed: 0, bytesCopied: 10, bytesEstimated: 10, checksumKinds: { md5: 2 } });
    expect(await readTree(dst)).toEqual({ 'a.txt': 'alpha', 'docs/b, "quoted".txt': 'bravo', 'docs/c.txt': 'charlie', 'c.txt': 'old', 'zzz-extra.txt': 'extra' });

    const csv = (await call(engine, 'plans:export', { id, format: 'csv' })) as { text: string; fileName: string };
    expect(csv.fileName).toMatch(/\.csv$/);
    const lines = csv.text.split('\r\n');
    expect(lines[0]).toBe('destination,source,target,outcome,size,renamedTo,metadataDropped,checksum,reason');
    expect(lines.find((l) => l.includes('quoted'))).toContain(`"file://${src}/docs/b, ""quoted"".txt"`);
    const json = JSON.parse(((await call(engine, 'plans:export', { id, format: 'json' })) as { text: string }).text) as { rows: Array<{ outcome: string }> };
    expect(json.rows.map((r) => r.outcome).sort()).toEqual(['copied', 'copied', 'skipped']);

    const again = await planned(engine, { source: `file://${src}/`, destinations: [`file://${dst}/`], compare: 'size+checksum' });
    const s2 = (await call(engine, 'plans:get', { id: again })) as { destinations: Array<Record<string, { count: number }>> };
    expect(s2.destinations[0]?.new?.count).toBe(0);
    expect(s2.destinations[0]?.changed?.count).toBe(0);
    expect(s2.destinations[0]?.unchanged?.count).toBe(3);
  });

  it('a mirror whose deletions exceed the cap stops and asks; confirmed, it quarantines instead of deleting', async () => {
    const dst = path.join(base, 'mirror');
    await putFile(dst, 'a.txt', 'alpha');
    for (let i = 0; i < 4; i++) await putFile(dst, `old/${i}.txt`, `old ${i}`);
    const request = { source: `file://${src}/`, destinations: [`file://${dst}/data/`], mode: 'mirror', compare: 'size', deletions: { enabled: true, maxCount: 2, quarantinePrefix: 'quarantine/' } };
    await mkdir(path.join(dst, 'data'), { recursive: true });
    for (let i = 0; i < 4; i++) await putFile(path.join(dst, 'data'), `old/${i}.txt`, `old ${i}`);
    // A file written in the very millisecond the plan starts counts as changed since it (and is kept): not here.
    await new Promise((r) => setTimeout(r, 20));
    const id = await planned(engine, request);
    expect(((await call(engine, 'plans:get', { id })) as { deletionsPlanned: number }).deletionsPlanned).toBe(4);
    await call(engine, 'plans:run', { id });
    const asked = await waitForState(engine, id, ['needs-confirmation', 'completed', 'failed']);
    expect(asked.state).toBe('needs-confirmation');
    expect(asked.message).toMatch(/^4 objects would be moved to quarantine\/ \(your limit is 2\)\. Nothing was moved/);
    // The copies are done; nothing was deleted or moved.
    expect(Object.keys(await readTree(path.join(dst, 'data'))).sort()).toEqual(['a.txt', 'docs/b, "quoted".txt', 'docs/c.txt', 'old/0.txt', 'old/1.txt', 'old/2.txt', 'old/3.txt']);

    await call(engine, 'plans:confirmDeletions', { id });
    const done = await waitForState(engine, id, ['completed', 'completed-with-differences', 'failed']);
    expect(done.state).toBe('completed');
    expect(done.report).toMatchObject({ copied: 3, quarantined: 4 });
    expect(Object.keys(await readTree(path.join(dst, 'data'))).sort()).toEqual([
      'a.txt', 'docs/b, "quoted".txt', 'docs/c.txt', 'quarantine/old/0.txt', 'quarantine/old/1.txt', 'quarantine/old/2.txt', 'quarantine/old/3.txt',
    ]);
    expect(await readFile(path.join(dst, 'data', 'quarantine', 'old', '2.txt'), 'utf8')).toBe('old 2');
    // The quarantine folder is neither compared nor deleted by the next mirror.
    const next = await planned(engine, request);
    const s = (await call(engine, 'plans:get', { id: next })) as { deletionsPlanned: number; destinations: Array<Record<string, { count: number }>> };
    expect(s.deletionsPlanned).toBe(0);
    expect(s.destinations[0]?.unchanged?.count).toBe(3);
  });

  it('profiles: saved, listed, run again (only what changed is copied), removed', async () => {
    const dst = path.join(base, 'profiled');
    await mkdir(dst, { recursive: true });
    const request = { source: `file://${src}/`, destinations: [`file://${dst}/`], compare: 'size+checksum' };
    expect(await call(engine, 'profiles:save', { name: 'nightly', request })).toEqual({ ok: true });
    expect(((await call(engine, 'profiles:list', {})) as Array<{ name: string }>).map((p) => p.name)).toEqual(['nightly']);
    const first = (await call(engine, 'profiles:run', { name: 'nightly' })) as { id: string };
    expect((await waitForState(engine, first.id, ['completed', 'failed'])).report?.copied).toBe(3);
    await putFile(src, 'docs/c.txt', 'charlie 2');
    const second = (await call(engine, 'profiles:run', { name: 'nightly' })) as { id: string };
    const s = await waitForState(engine, second.id, ['completed', 'failed']);
    expect(s.name).toBe('nightly');
    expect(s.report).toMatchObject({ copied: 1, skipped: 2 });
    expect(await readFile(path.join(dst, 'docs', 'c.txt'), 'utf8')).toBe('charlie 2');
    expect(await call(engine, 'profiles:remove', { name: 'nightly' })).toEqual({ ok: true });
    expect(await call(engine, 'profiles:list', {})).toEqual([]);
    const list = (await call(engine, 'plans:list', {})) as Array<{ id: string }>;
    expect(list[0]?.id).toBe(second.id);
  });

  it('a mirror from an empty source always asks, and cancelling there deletes nothing', async () => {
    const empty = path.join(base, 'empty-src');
    const dst = path.join(base, 'precious');
    await mkdir(empty, { recursive: true });
    await putFile(dst, 'keep-me.txt', 'precious');
    const id = await planned(engine, { source: `file://${empty}/`, destinations: [`file://${dst}/`], mode: 'mirror', deletions: { enabled: true, maxPercent: 100 } });
    await call(engine, 'plans:run', { id });
    const asked = await waitForState(engine, id, ['needs-confirmation', 'completed', 'failed']);
    expect(asked.state).toBe('needs-confirmation');
    expect(asked.message).toContain('the source holds no objects');
    await call(engine, 'plans:cancel', { id });
    const cancelled = await waitForState(engine, id, ['cancelled']);
    expect(cancelled.message).toBe('Cancelled before any deletion');
    expect(await readTree(dst)).toEqual({ 'keep-me.txt': 'precious' });
  });
});
