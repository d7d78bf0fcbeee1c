import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFileKeyCipher } from '../accounts/secret-store';
import type { Engine } from '../dispatch';
import { createEngine } from '../engine';
import { call, waitForState } from '../test-support/wait';

/**
 * A migration's state that cannot be written (a full disk, a damaged data folder) is reported on the migration, and
 * never becomes an unhandled rejection, which would end the host. The write is made to fail for real: the state
 * file's place is taken by a folder, which no user (root included) can rename a file onto.
 */
let base: string;
let dataDir: string;
let engine: Engine;
const unhandled: unknown[] = [];
const onUnhandled = (e: unknown): void => {
  unhandled.push(e);
};

beforeAll(async () => {
  process.on('unhandledRejection', onUnhandled);
  base = await mkdtemp(path.join(os.tmpdir(), 'skyferry-migrations-save-'));
  dataDir = path.join(base, 'data');
  await mkdir(path.join(base, 'src'), { recursive: true });
  await writeFile(path.join(base, 'src', 'a.txt'), 'alpha');
  engine = await createEngine({ dataDir, cipher: await createFileKeyCipher(path.join(base, 'keys', 'k')) });
});

afterAll(async () => {
  process.off('unhandledRejection', onUnhandled);
  await engine?.close();
  await rm(base, { recursive: true, force: true });
});

async function breakStateFile(id: string): Promise<void> {
  const file = path.join(dataDir, 'plans', id, 'summary.json');
  // Once the plan's own last save is on disk (the state is announced as it is written).
  await expect.poll(async () => (JSON.parse(await readFile(file, 'utf8')) as { state: string }).state).toBe('planned');
  await rm(file, { force: true });
  await mkdir(path.join(file, 'taken'), { recursive: true });
}

describe('a migration whose state cannot be saved', () => {
  it('a run is marked failed with the reason, announced, and the host goes on', async () => {
    const { id } = (await call(engine, 'plans:create', { source: `file://${base}/src/`, destinations: [`file://${base}/dst/`] })) as { id: string };
    await waitForState(engine, id, ['planned']);
    await breakStateFile(id);
    await call(engine, 'plans:run', { id });
    const s = await waitForState(engine, id, ['failed', 'completed'], 10_000);
    expect(s.state).toBe('failed');
    expect(s.message).toMatch(/could not save this migration's state \(EISDIR while writing\)/);
    // Let any stray promise settle, then check nothing was left unhandled and the engine still answers.
    await new Promise((r) => setTimeout(r, 200));
    expect(unhandled).toEqual([]);
    expect(await call(engine, 'accounts:list', {})).toEqual(expect.arrayContaining([expect.objectContaining({ hasSecrets: false })]));
  });

  it('a plan that cannot save its first state fails at once and says so', async () => {
    // The plans folder is a file: nothing can be written under it.
    await rm(path.join(dataDir, 'plans'), { recursive: true, force: true });
    await writeFile(path.join(dataDir, 'plans'), 'not a folder');
    try {
      const { id } = (await call(engine, 'plans:create', { source: `file://${base}/src/`, destinations: [`file://${base}/dst2/`] })) as { id: string };
      const s = await waitForState(engine, id, ['failed', 'planned'], 10_000);
      expect(s.state).toBe('failed');
      expect(s.message).toMatch(/could not save this migration's state/);
      await new Promise((r) => setTimeout(r, 200));
      expect(unhandled).toEqual([]);
    } finally {
      await rm(path.join(dataDir, 'plans'), { force: true });
    }
  });
});
