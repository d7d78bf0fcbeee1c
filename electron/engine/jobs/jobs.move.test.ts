import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLocalProvider } from '../providers/local/local.provider';
import type { Provider } from '../providers/provider';
import { resolverFor } from '../test-support/resolver';
import { JobManager } from './job-manager';

/** A move removes the source only once it is copied, and only the version it copied. */
let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'skyferry-move-'));
  await mkdir(path.join(dir, 'a', 'bkt'), { recursive: true });
  await mkdir(path.join(dir, 'b', 'bkt'), { recursive: true });
  await writeFile(path.join(dir, 'a', 'bkt', 'notes.txt'), 'first draft');
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('a move', () => {
  it('keeps a source rewritten after it was copied, and says so', async () => {
    const source = path.join(dir, 'a', 'bkt', 'notes.txt');
    const inner = createLocalProvider({ kind: 'local', name: 'a', root: path.join(dir, 'a') });
    const copied = path.join(dir, 'b', 'bkt', 'notes.txt');
    let saved = false;
    // The user saves the file again just after the copy's last look at it (once the copy is written), before the move removes it.
    const a: Provider = {
      ...inner,
      stat: async (...args) => {
        const meta = await inner.stat(...args);
        if (!saved && (await readFile(copied).catch(() => undefined)) !== undefined) {
          saved = true;
          await writeFile(source, 'second draft, saved during the move');
        }
        return meta;
      },
    };
    const m = new JobManager({ resolve: resolverFor({ a, b: createLocalProvider({ kind: 'local', name: 'b', root: path.join(dir, 'b') }) }), retry: { baseDelayMs: 10, maxDelayMs: 20, maxAttempts: 2 } });
    const { id } = m.start({ kind: 'move', sources: ['file://a/bkt/notes.txt'], destination: 'file://b/bkt/', options: { overwrite: 'always' } });
    await m.waitForIdle();
    await m.close();
    const [file] = m.get(id).detail().files;
    expect(saved).toBe(true);
    expect(file?.state).toBe('failed');
    expect(file?.error?.message).toMatch(/changed at the source after it was copied, so it was not removed/);
    expect(await readFile(source, 'utf8')).toBe('second draft, saved during the move');
    expect(await readFile(path.join(dir, 'b', 'bkt', 'notes.txt'), 'utf8')).toBe('first draft');
  });

  it('removes the source it copied', async () => {
    const m = new JobManager({ resolve: resolverFor({ a: createLocalProvider({ kind: 'local', name: 'a', root: path.join(dir, 'a') }), b: createLocalProvider({ kind: 'local', name: 'b', root: path.join(dir, 'b') }) }) });
    const { id } = m.start({ kind: 'move', sources: ['file://a/bkt/notes.txt'], destination: 'file://b/bkt/', options: { overwrite: 'always' } });
    await m.waitForIdle();
    await m.close();
    expect(m.get(id).detail().state).toBe('completed');
    await expect(readFile(path.join(dir, 'a', 'bkt', 'notes.txt'))).rejects.toThrow(/ENOENT/);
    expect(await readFile(path.join(dir, 'b', 'bkt', 'notes.txt'), 'utf8')).toBe('first draft');
  });
});
