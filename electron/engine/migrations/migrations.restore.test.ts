import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MigrationSummarySchema } from '../../../shared/contract/migrations.channels';
import { createFileKeyCipher } from '../accounts/secret-store';
import { createEngine } from '../engine';
import { call, waitForState } from '../test-support/wait';

/** A migration the app stopped in comes back with the next engine on the same data folder. */
let base: string;

beforeAll(async () => {
  base = await mkdtemp(path.join(os.tmpdir(), 'skyferry-migrations-restore-'));
  await mkdir(path.join(base, 'src'), { recursive: true });
  await writeFile(path.join(base, 'src', 'a.txt'), 'alpha');
});

afterAll(async () => {
  await rm(base, { recursive: true, force: true });
});

describe('migration history and restart', () => {
  it('keeps finished migrations as history; a run stopped while verifying verifies again; planning stopped is failed with a clear message', async () => {
    const dataDir = path.join(base, 'data');
    const cipher = await createFileKeyCipher(path.join(base, 'keys', 'k'));
    const first = await createEngine({ dataDir, cipher });
    const { id } = (await call(first, 'plans:create', { source: `file://${base}/src/`, destinations: [`file://${base}/dst/`] })) as { id: string };
    await waitForState(first, id, ['planned']);
    await call(first, 'plans:run', { id });
    expect((await waitForState(first, id, ['completed'])).report?.copied).toBe(1);
    await first.close();

    // As if the app had been killed: one migration mid-verification, another mid-planning.
    const file = path.join(dataDir, 'plans', id, 'summary.json');
    const saved = MigrationSummarySchema.parse(JSON.parse(await readFile(file, 'utf8')));
    await writeFile(file, JSON.stringify({ ...saved, state: 'verifying', differences: null, finishedAt: null }));
    const planningId = 'interrupted-plan';
    await mkdir(path.join(dataDir, 'plans', planningId));
    await writeFile(path.join(dataDir, 'plans', planningId, 'summary.json'), JSON.stringify({ ...saved, id: planningId, state: 'planning', jobIds: [] }));

    const second = await createEngine({ dataDir, cipher });
    try {
      const resumed = await waitForState(second, id, ['completed', 'completed-with-differences', 'failed']);
      expect(resumed.state).toBe('completed');
      expect(resumed.differences).toBe(0);
      expect(resumed.report?.copied).toBe(1);
      const stopped = MigrationSummarySchema.parse(await call(second, 'plans:get', { id: planningId }));
      expect(stopped.state).toBe('failed');
      expect(stopped.message).toBe('Planning was interrupted when Skyferry closed: plan again');
      const history = (await call(second, 'plans:list', {})) as Array<{ id: string }>;
      expect(history.map((h) => h.id).sort()).toEqual([id, planningId].sort());
      expect(await call(second, 'plans:remove', { id: planningId })).toEqual({ ok: true });
      expect(((await call(second, 'plans:list', {})) as unknown[]).length).toBe(1);
    } finally {
      await second.close();
    }
  });

  it('an engine closed while planning writes nothing more; the next start says the plan was interrupted', async () => {
    const src = path.join(base, 'plan-many');
    await mkdir(src, { recursive: true });
    for (let i = 0; i < 2000; i++) await writeFile(path.join(src, `p${String(i).padStart(4, '0')}.txt`), `plan ${i}`);
    const dataDir = path.join(base, 'data-plan-close');
    const cipher = await createFileKeyCipher(path.join(base, 'keys', 'k3'));
    const first = await createEngine({ dataDir, cipher });
    const { id } = (await call(first, 'plans:create', { source: `file://${src}/`, destinations: [`file://${base}/plan-copy/`] })) as { id: string };
    // Closed once planning has saved its first state (summary.json exists) and before it can have finished.
    const summary = path.join(dataDir, 'plans', id, 'summary.json');
    for (let i = 0; i < 200 && !(await stat(summary).then(() => true, () => false)); i++) await new Promise((r) => setTimeout(r, 5));
    await first.close();
    const files = async (): Promise<string> => {
      const names = (await readdir(path.join(dataDir, 'plans', id))).sort();
      const sizes = await Promise.all(names.map(async (n) => `${n}:${(await stat(path.join(dataDir, 'plans', id, n))).size}`));
      return sizes.join(',');
    };
    const atClose = await files();
    // Planning these 2,000 files takes well under 2 s here: anything still running would have written by then.
    await new Promise((r) => setTimeout(r, 2000));
    expect(await files()).toBe(atClose);
    const onDisk = MigrationSummarySchema.parse(JSON.parse(await readFile(summary, 'utf8')));
    expect(onDisk.state).toBe('planning');

    const second = await createEngine({ dataDir, cipher });
    try {
      const s = MigrationSummarySchema.parse(await call(second, 'plans:get', { id }));
      expect(s.state).toBe('failed');
      expect(s.message).toBe('Planning was interrupted when Skyferry closed: plan again');
    } finally {
      await second.close();
    }
  });

  it('an engine closed mid-copy: the next one resumes the same copy job, then verifies and reports', async () => {
    const src = path.join(base, 'many');
    await mkdir(src, { recursive: true });
    for (let i = 0; i < 300; i++) await writeFile(path.join(src, `f${String(i).padStart(3, '0')}.txt`), `file ${i}`);
    const dataDir = path.join(base, 'data-crash');
    const cipher = await createFileKeyCipher(path.join(base, 'keys', 'k2'));
    const first = await createEngine({ dataDir, cipher });
    const { id } = (await call(first, 'plans:create', { source: `file://${src}/`, destinations: [`file://${base}/many-copy/`], compare: 'size' })) as { id: string };
    await waitForState(first, id, ['planned']);
    // Closed as soon as the copy job exists (its id is saved with the migration).
    const started = new Promise<void>((resolve) => {
      const off = first.subscribe((event, payload) => {
        if (event !== 'plans:progress' || (payload as { id: string }).id !== id) return;
        void call(first, 'plans:get', { id }).then((s) => {
          if (MigrationSummarySchema.parse(s).jobIds.length === 1) {
            off();
            resolve();
          }
        });
      });
    });
    await call(first, 'plans:run', { id });
    await started;
    await first.close();
    const stopped = MigrationSummarySchema.parse(JSON.parse(await readFile(path.join(dataDir, 'plans', id, 'summary.json'), 'utf8')));
    expect(stopped.state).toBe('running');
    expect(stopped.jobIds).toHaveLength(1);

    const second = await createEngine({ dataDir, cipher });
    try {
      const done = await waitForState(second, id, ['completed', 'completed-with-differences', 'failed']);
      expect(done.state, done.message).toBe('completed');
      expect(done.jobIds).toEqual(stopped.jobIds);
      expect(done.differences).toBe(0);
      expect(done.report).toMatchObject({ copied: 300, failed: 0 });
    } finally {
      await second.close();
    }
  });
});
