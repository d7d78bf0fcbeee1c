import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SyncStatus } from '../../../shared/contract/settings.channels';
import { FolderSync } from './folder-sync';

/**
 * What FolderSync asks to run, on a real watched folder: the whole folder first, then the changed paths alone, and
 * the whole folder again after too many changes at once or a failed run. The run itself is a stand-in that records.
 */
let base: string;
let folder: string;
let sync: FolderSync;
let runs: Array<readonly string[] | undefined>;
let outcomes: boolean[];
let waiters: Array<() => void>;

function nextRun(): Promise<readonly string[] | undefined> {
  const seen = runs.length;
  return new Promise((resolve) => {
    const check = (): void => {
      if (runs.length > seen) resolve(runs[seen]);
      else waiters.push(check);
    };
    check();
  });
}

beforeEach(async () => {
  base = await mkdtemp(path.join(os.tmpdir(), 'skyferry-folder-sync-'));
  folder = path.join(base, 'watched');
  await mkdir(folder);
  runs = [];
  outcomes = [];
  waiters = [];
  sync = new FolderSync({
    dataDir: path.join(base, 'data'),
    folderOf: () => Promise.resolve(folder),
    run: (_profile, paths) => {
      runs.push(paths === undefined ? undefined : [...paths].sort());
      const ok = outcomes.shift() ?? true;
      for (const w of waiters.splice(0)) w();
      return Promise.resolve({ runId: `run-${runs.length}`, finished: Promise.resolve(ok ? { ok } : { ok, message: 'the destination refused it' }) });
    },
    emit: (_status: SyncStatus) => undefined,
    quietMs: 150,
    maxChangedPaths: 3,
  });
});
afterEach(async () => {
  await sync.close();
  await rm(base, { recursive: true, force: true });
});

/** Lets the first (whole-folder) run end and chokidar settle before the folder changes. */
async function started(): Promise<void> {
  const first = nextRun();
  await sync.start('p');
  expect(await first).toBeUndefined();
  await new Promise((r) => setTimeout(r, 300));
}

describe('FolderSync', () => {
  it('runs the changed paths alone after the first whole-folder run; a new folder is listed as one', async () => {
    await started();
    const second = nextRun();
    await writeFile(path.join(folder, 'a.txt'), 'a');
    expect(await second).toEqual(['a.txt']);

    const third = nextRun();
    await mkdir(path.join(folder, 'album'));
    expect(await third).toEqual(['album/']);
  });

  it('compares the whole folder when more paths changed at once than it keeps', async () => {
    await started();
    const next = nextRun();
    for (let i = 0; i < 5; i++) await writeFile(path.join(folder, `f${i}.txt`), String(i));
    expect(await next).toBeUndefined();
  });

  it('compares the whole folder straight after a failed run of some paths, with no further change', async () => {
    await started();
    outcomes.push(false);
    const failed = nextRun();
    const after = failed.then(() => nextRun());
    await writeFile(path.join(folder, 'a.txt'), 'a');
    expect(await failed).toEqual(['a.txt']);
    expect(await after).toBeUndefined();
  });
});
