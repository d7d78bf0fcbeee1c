import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { JobStartRequestSchema, type JobStartRequest } from '../../../shared/contract/jobs.channels';
import { createLocalProvider } from '../providers/local/local.provider';
import { JobManager } from './job-manager';
import { resolverFor } from '../test-support/resolver';

/**
 * Where a copy or move lands: a folder destination keeps the sources' names, a single object sent to a name lands
 * at exactly that name, and a rename (destinationIsExact) of a prefix moves its contents, not the prefix itself.
 */
let dir: string;
let root: string;

async function files(rel: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string, prefix: string): Promise<void> => {
    for (const e of await readdir(d, { withFileTypes: true }).catch(() => [])) {
      if (e.isDirectory()) await walk(path.join(d, e.name), `${prefix}${e.name}/`);
      else out.push(`${prefix}${e.name}`);
    }
  };
  await walk(path.join(root, 'bkt', rel), '');
  return out.sort();
}

async function run(request: JobStartRequest): Promise<ReturnType<ReturnType<JobManager['get']>['detail']>> {
  const m = new JobManager({ resolve: resolverFor({ disk: createLocalProvider({ kind: 'local', name: 'disk', root }) }), retry: { baseDelayMs: 10, maxDelayMs: 20, maxAttempts: 2 } });
  try {
    const { id } = m.start(JobStartRequestSchema.parse(request));
    await m.waitForIdle();
    return m.get(id).detail();
  } finally {
    await m.close();
  }
}

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'skyferry-rename-'));
  root = path.join(dir, 'root');
  await mkdir(path.join(root, 'bkt', 'old', 'sub'), { recursive: true });
  await mkdir(path.join(root, 'bkt', 'photos'), { recursive: true });
  await writeFile(path.join(root, 'bkt', 'rename-me.txt'), 'rename me');
  await writeFile(path.join(root, 'bkt', 'old', 'a.txt'), 'a');
  await writeFile(path.join(root, 'bkt', 'old', 'sub', 'b.txt'), 'b');
  await writeFile(path.join(root, 'bkt', 'photos', 'p.jpg'), 'p');
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('destinations of copies, moves and renames', () => {
  it('a rename of one object lands at exactly the new key and removes the old one', async () => {
    const detail = await run({ kind: 'move', sources: ['file://disk/bkt/rename-me.txt'], destination: 'file://disk/bkt/renamed.txt', options: { destinationIsExact: true } });
    expect(detail.state).toBe('completed');
    expect(detail.files.map((f) => f.destination)).toEqual(['file://disk/bkt/renamed.txt']);
    expect(await readFile(path.join(root, 'bkt', 'renamed.txt'), 'utf8')).toBe('rename me');
    expect(await files('')).not.toContain('rename-me.txt');
    expect(await files('')).not.toContain('renamed.txt/rename-me.txt');
  });

  it('a single object moved to a name that is not a folder lands at that name even without the option', async () => {
    const detail = await run({ kind: 'move', sources: ['file://disk/bkt/rename-me.txt'], destination: 'file://disk/bkt/other/renamed.txt' });
    expect(detail.state).toBe('completed');
    expect(await files('other')).toEqual(['renamed.txt']);
  });

  it('a single object copied to an existing folder named without its slash still goes inside it', async () => {
    const detail = await run({ kind: 'copy', sources: ['file://disk/bkt/rename-me.txt'], destination: 'file://disk/bkt/photos' });
    expect(detail.state).toBe('completed');
    expect(await files('photos')).toEqual(['p.jpg', 'rename-me.txt']);
  });

  it('a rename of a prefix old/ to new/ moves its contents to new/…, not new/old/…', async () => {
    const detail = await run({ kind: 'move', sources: ['file://disk/bkt/old/'], destination: 'file://disk/bkt/new/', options: { destinationIsExact: true } });
    expect(detail.state).toBe('completed');
    expect(await files('new')).toEqual(['a.txt', 'sub/b.txt']);
    expect(await readFile(path.join(root, 'bkt', 'new', 'sub', 'b.txt'), 'utf8')).toBe('b');
    expect(await files('old')).toEqual([]);
  });

  it('a move of a prefix into a folder (no rename) keeps the prefix name, as before', async () => {
    const detail = await run({ kind: 'move', sources: ['file://disk/bkt/old/'], destination: 'file://disk/bkt/photos/' });
    expect(detail.state).toBe('completed');
    expect(await files('photos')).toEqual(['old/a.txt', 'old/sub/b.txt', 'p.jpg']);
  });

  it('a move onto itself fails that file clearly and never deletes the source', async () => {
    const detail = await run({ kind: 'move', sources: ['file://disk/bkt/rename-me.txt'], destination: 'file://disk/bkt/rename-me.txt', options: { destinationIsExact: true } });
    expect(detail.state).toBe('failed');
    expect(detail.files[0]?.error?.message).toMatch(/same object/);
    expect(await readFile(path.join(root, 'bkt', 'rename-me.txt'), 'utf8')).toBe('rename me');
  });

  it('a rename refuses two sources, and a file renamed to a name ending in "/"', async () => {
    expect(JobStartRequestSchema.safeParse({ kind: 'move', sources: ['file://disk/bkt/a', 'file://disk/bkt/b'], destination: 'file://disk/bkt/c', options: { destinationIsExact: true } }).success).toBe(false);
    const detail = await run({ kind: 'move', sources: ['file://disk/bkt/rename-me.txt'], destination: 'file://disk/bkt/dir/', options: { destinationIsExact: true } });
    expect(detail.state).toBe('failed');
    expect(detail.error?.message).toMatch(/cannot end in '\/'/);
    expect(await readFile(path.join(root, 'bkt', 'rename-me.txt'), 'utf8')).toBe('rename me');
  });
});
