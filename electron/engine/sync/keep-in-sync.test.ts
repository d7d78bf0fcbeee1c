import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JobDetailSchema } from '../../../shared/contract/jobs.channels';
import { MigrationSummarySchema, type MigrationSummary } from '../../../shared/contract/migrations.channels';
import { SyncStatusSchema, type SyncStatus } from '../../../shared/contract/settings.channels';
import { createFileKeyCipher } from '../accounts/secret-store';
import { createEngine, type EngineParts } from '../engine';
import type { Engine } from '../dispatch';
import { call } from '../test-support/wait';

/**
 * Keep in sync through the engine, folder to folder (the built-in local account on both sides): after the first,
 * full compare, a change in the folder makes a run of just the changed paths, whose job holds only them.
 */
let base: string;
let engine: Engine & EngineParts;

beforeAll(async () => {
  base = await mkdtemp(path.join(os.tmpdir(), 'skyferry-keep-in-sync-'));
  engine = await createEngine({ dataDir: path.join(base, 'data'), cipher: await createFileKeyCipher(path.join(base, 'data', 'secrets.key')), syncQuietMs: 200 });
});
afterAll(async () => {
  await engine.close();
  await rm(base, { recursive: true, force: true });
});

/** The next sync status of `profile` that `ok` accepts (events, not a polling loop). */
function nextStatus(profile: string, ok: (s: SyncStatus) => boolean, timeoutMs = 30_000): Promise<SyncStatus> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`no sync status of ${profile} as expected within ${timeoutMs} ms`));
    }, timeoutMs);
    const off = engine.subscribe((event, payload) => {
      if (event !== 'sync:changed') return;
      const s = SyncStatusSchema.parse(payload);
      if (s.profile !== profile || !ok(s)) return;
      clearTimeout(timer);
      off();
      resolve(s);
    });
  });
}

async function runOf(status: SyncStatus): Promise<{ run: MigrationSummary; files: string[] }> {
  const run = MigrationSummarySchema.parse(await call(engine, 'plans:get', { id: status.lastRunId }));
  const files: string[] = [];
  for (const id of run.jobIds) files.push(...JobDetailSchema.parse(await call(engine, 'jobs:get', { id })).files.map((f) => f.source));
  return { run, files };
}

describe('keep in sync', () => {
  it('sends a file written into the folder in a job of that path alone; the first sync compares everything', async () => {
    const folder = path.join(base, 'photos');
    const target = path.join(base, 'backup');
    await mkdir(path.join(folder, '2024'), { recursive: true });
    await mkdir(target);
    for (let i = 0; i < 5; i++) await writeFile(path.join(folder, '2024', `old-${i}.jpg`), `old ${i}`);
    await call(engine, 'profiles:save', {
      name: 'photos',
      request: { source: `file://${folder}/`, destinations: [`file://${target}/`], mode: 'mirror', deletions: { enabled: true, maxCount: 10 } },
    });

    const first = nextStatus('photos', (s) => s.state === 'watching');
    await call(engine, 'sync:start', { profile: 'photos' });
    const full = await runOf(await first);
    expect(full.run.paths).toBeUndefined();
    expect(full.files).toHaveLength(5);

    const second = nextStatus('photos', (s) => s.state === 'watching' && s.lastRunId !== full.run.id);
    await writeFile(path.join(folder, '2024', 'new.jpg'), 'taken today');
    const changed = await runOf(await second);
    expect(changed.run.paths).toEqual(['2024/new.jpg']);
    expect(changed.run.source.objects).toBe(1);
    expect(changed.run.notes).toContain('Only the 1 changed path of a kept-in-sync folder was compared, not the whole folder.');
    expect(changed.files).toEqual([`file://${folder}/2024/new.jpg`]);
    expect(changed.run.state).toBe('completed');
    expect(await readFile(path.join(target, '2024', 'new.jpg'), 'utf8')).toBe('taken today');

    // A file removed from the folder: the mirror deletes that one at the destination, and compares nothing else.
    const third = nextStatus('photos', (s) => s.state === 'watching' && s.lastRunId !== changed.run.id);
    await rm(path.join(folder, '2024', 'old-0.jpg'));
    const removed = await runOf(await third);
    expect(removed.run.paths).toEqual(['2024/old-0.jpg']);
    expect(removed.run.source.objects).toBe(0);
    expect(removed.run.destinations[0]?.extra.count).toBe(1);
    expect(removed.files).toEqual([`file://${target}/2024/old-0.jpg`]);
    await expect(readFile(path.join(target, '2024', 'old-0.jpg'))).rejects.toThrow();
    expect(await readFile(path.join(target, '2024', 'old-1.jpg'), 'utf8')).toBe('old 1');

    await call(engine, 'sync:stop', { profile: 'photos' });
  }, 120_000);

  it('a mirror limited by a share of the destination judges removals on the whole folder: over the share, nothing is deleted', async () => {
    const folder = path.join(base, 'docs');
    const target = path.join(base, 'docs-backup');
    await mkdir(folder, { recursive: true });
    await mkdir(target);
    for (let i = 0; i < 5; i++) await writeFile(path.join(folder, `doc-${i}.txt`), `doc ${i}`);
    await call(engine, 'profiles:save', {
      name: 'docs',
      request: { source: `file://${folder}/`, destinations: [`file://${target}/`], mode: 'mirror', deletions: { enabled: true, maxPercent: 50 } },
    });
    const first = nextStatus('docs', (s) => s.state === 'watching');
    await call(engine, 'sync:start', { profile: 'docs' });
    const full = await runOf(await first);

    // One of five (20 %): the run of that path cannot judge the share and stops; the whole-folder compare deletes it.
    const one = nextStatus('docs', (s) => s.state === 'watching' && s.lastRunId !== full.run.id);
    await rm(path.join(folder, 'doc-0.txt'));
    const judged = await runOf(await one);
    expect(judged.run.paths).toBeUndefined();
    expect(judged.run.state).toBe('completed');
    await expect(readFile(path.join(target, 'doc-0.txt'))).rejects.toThrow();

    // Three of the four left (75 %): over the share, so the whole-folder compare asks and every file stays.
    const three = nextStatus('docs', (s) => s.state === 'failed' && s.lastRunId !== judged.run.id && (s.message ?? '').includes('% of the destination'));
    for (const i of [1, 2, 3]) await rm(path.join(folder, `doc-${i}.txt`));
    const stopped = await runOf(await three);
    expect(stopped.run.paths).toBeUndefined();
    expect(stopped.run.state).toBe('needs-confirmation');
    for (const i of [1, 2, 3, 4]) expect(await readFile(path.join(target, `doc-${i}.txt`), 'utf8')).toBe(`doc ${i}`);

    await call(engine, 'sync:stop', { profile: 'docs' });
  }, 120_000);
});
