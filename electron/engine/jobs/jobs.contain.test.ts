import { cp, mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLocalProvider } from '../providers/local/local.provider';
import { TEMP_PREFIX } from '../providers/local/local.paths';
import type { Provider } from '../providers/provider';
import { withFaults } from '../test-support/faulty-provider';
import { resolverFor } from '../test-support/resolver';
import { JobManager } from './job-manager';

/**
 * Local destinations as a user's own folders: the "home" account's root plays the built-in account's `/`, and
 * `home/u/dl/` is the folder the user chose.
 */
let work: string;
let homeRoot: string;
let dl: string;

beforeEach(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), 'skyferry-contain-'));
  homeRoot = path.join(work, 'root');
  dl = path.join(homeRoot, 'home', 'u', 'dl');
  await mkdir(dl, { recursive: true });
  const bkt = path.join(work, 'src', 'bkt');
  await mkdir(path.join(bkt, 'cfg'), { recursive: true });
  await mkdir(path.join(bkt, 'inner'), { recursive: true });
  await writeFile(path.join(bkt, 'cfg', 'authorized_keys'), 'ssh-ed25519 AAAA attacker');
  await writeFile(path.join(bkt, 'inner', 'x.txt'), 'inner');
  await writeFile(path.join(bkt, 'ok.txt'), 'ok');
});
afterEach(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('downloads stay inside the folder the user chose', () => {
  it.each([
    ['through the relay (another account)', 'file://src/bkt/'],
    ['by the local copy (the same account)', 'file://home/home/u/srcdir/'],
  ])('a key under a link out of the folder fails that file, writes nothing where the link leads: %s', async (_, from) => {
    const ssh = path.join(homeRoot, 'home', 'u', '.ssh');
    await mkdir(ssh);
    await symlink(ssh, path.join(dl, 'cfg'));
    // A link that stays inside the folder is followed.
    await mkdir(path.join(dl, 'real'));
    await symlink(path.join(dl, 'real'), path.join(dl, 'inner'));
    if (from.startsWith('file://home/')) await cp(path.join(work, 'src', 'bkt'), path.join(homeRoot, 'home', 'u', 'srcdir'), { recursive: true });
    const accounts: Record<string, Provider> = {
      src: createLocalProvider({ kind: 'local', name: 'src', root: path.join(work, 'src') }),
      home: createLocalProvider({ kind: 'local', name: 'home', root: homeRoot }),
    };
    const m = new JobManager({ resolve: resolverFor(accounts), retry: { baseDelayMs: 10, maxDelayMs: 20, maxAttempts: 2 } });
    const sources = ['cfg/', 'inner/', 'ok.txt'].map((s) => `${from}${s}`);
    const { id } = m.start({ kind: 'copy', sources, destination: 'file://home/home/u/dl/', options: { overwrite: 'always' } });
    await m.waitForIdle();
    const files = m.get(id).detail().files;
    const bad = files.find((f) => f.destination?.endsWith('cfg/authorized_keys'));
    expect(bad?.state).toBe('failed');
    expect(bad?.error).toMatchObject({ code: 'access_denied', message: expect.stringMatching(/outside the folder .*dl chosen for this copy/) });
    expect(await readdir(ssh)).toEqual([]);
    expect(await readFile(path.join(dl, 'ok.txt'), 'utf8')).toBe('ok');
    expect(await readFile(path.join(dl, 'real', 'x.txt'), 'utf8')).toBe('inner');
    await m.close();
  });
});

describe('deletes and moves stay inside the folder the user chose', () => {
  /** `dl/cfg` is a link to `~/.ssh` holding the user's keys; `dl/` also holds a file of its own. */
  async function linkedKeys(): Promise<{ ssh: string; m: JobManager; home: Provider }> {
    const ssh = path.join(homeRoot, 'home', 'u', '.ssh');
    await mkdir(ssh);
    await writeFile(path.join(ssh, 'authorized_keys'), 'ssh-ed25519 AAAA mine');
    await writeFile(path.join(ssh, 'id_ed25519'), 'PRIVATE');
    await symlink(ssh, path.join(dl, 'cfg'));
    await writeFile(path.join(dl, 'report.pdf'), 'report');
    const home = createLocalProvider({ kind: 'local', name: 'home', root: homeRoot });
    const m = new JobManager({ resolve: resolverFor({ home }), retry: { baseDelayMs: 10, maxDelayMs: 20, maxAttempts: 2 } });
    return { ssh, m, home };
  }

  it('deleting a folder that is a link out of the chosen folder leaves what it links to', async () => {
    const { ssh, m } = await linkedKeys();
    const { id } = m.start({ kind: 'delete', sources: ['file://home/home/u/dl/cfg/', 'file://home/home/u/dl/report.pdf'] });
    await m.waitForIdle();
    await m.close();
    expect(m.get(id).detail().files.map((f) => f.source)).toEqual(['file://home/home/u/dl/report.pdf']);
    expect((await readdir(ssh)).sort()).toEqual(['authorized_keys', 'id_ed25519']);
    expect(await readFile(path.join(ssh, 'id_ed25519'), 'utf8')).toBe('PRIVATE');
    // The link itself goes, as in a file manager.
    expect(await readdir(dl)).toEqual([]);
  });

  it('moving such a folder moves nothing out of where it links to', async () => {
    const { ssh, m } = await linkedKeys();
    await mkdir(path.join(homeRoot, 'home', 'u', 'elsewhere'));
    const { id } = m.start({ kind: 'move', sources: ['file://home/home/u/dl/cfg/'], destination: 'file://home/home/u/elsewhere/', options: { overwrite: 'always' } });
    await m.waitForIdle();
    await m.close();
    expect(m.get(id).detail().files).toEqual([]);
    expect((await readdir(ssh)).sort()).toEqual(['authorized_keys', 'id_ed25519']);
    expect(await readdir(path.join(homeRoot, 'home', 'u', 'elsewhere'))).toEqual([]);
    expect((await readdir(dl)).sort()).toEqual(['cfg', 'report.pdf']);
  });

  it('deleting or moving a folder takes the folder too, and keeps one that still holds a file', async () => {
    const home = createLocalProvider({ kind: 'local', name: 'home', root: homeRoot });
    await mkdir(path.join(dl, 'album', 'empty'), { recursive: true });
    await mkdir(path.join(dl, 'album', 'deep'), { recursive: true });
    await writeFile(path.join(dl, 'album', 'deep', 'a.jpg'), 'a');
    await mkdir(path.join(dl, 'docs', 'sub'), { recursive: true });
    await writeFile(path.join(dl, 'docs', 'sub', 'b.txt'), 'b');
    await mkdir(path.join(homeRoot, 'home', 'u', 'moved'));
    const m = new JobManager({ resolve: resolverFor({ home }) });
    m.start({ kind: 'delete', sources: ['file://home/home/u/dl/album/'] });
    m.start({ kind: 'move', sources: ['file://home/home/u/dl/docs/'], destination: 'file://home/home/u/moved/', options: { overwrite: 'always' } });
    await m.waitForIdle();
    await m.close();
    expect(await readdir(dl)).toEqual([]);
    expect(await readFile(path.join(homeRoot, 'home', 'u', 'moved', 'docs', 'sub', 'b.txt'), 'utf8')).toBe('b');
    // A folder a new file arrived in between stays, with the file.
    await mkdir(path.join(dl, 'keep', 'sub'), { recursive: true });
    await writeFile(path.join(dl, 'keep', 'sub', 'x.txt'), 'x');
    expect(await home.removeEmptyFolders?.('home', 'u/dl/keep/', { within: 'u/dl/' })).toBe(0);
    expect(await readFile(path.join(dl, 'keep', 'sub', 'x.txt'), 'utf8')).toBe('x');
  });

  it('the provider refuses to list or remove below the chosen folder through a link out of it', async () => {
    const { ssh, home } = await linkedKeys();
    // Listed from dl/, the link is not followed; listed from the folder the link leads to, it is the user's own folder.
    expect((await home.list('home', { prefix: 'u/dl/cfg/', within: 'u/dl/' })).entries).toEqual([]);
    expect((await home.list('home', { prefix: 'u/dl/', within: 'u/dl/' })).entries.map((e) => e.key)).toEqual(['u/dl/report.pdf']);
    expect((await home.list('home', { prefix: 'u/dl/cfg/', within: 'u/dl/cfg/' })).entries.map((e) => e.key)).toEqual(['u/dl/cfg/authorized_keys', 'u/dl/cfg/id_ed25519']);
    await expect(home.remove('home', 'u/dl/cfg/id_ed25519', undefined, { within: 'u/dl/' })).rejects.toThrow(/outside the folder "u\/dl\/" chosen/);
    const many = await home.removeMany('home', ['u/dl/cfg/authorized_keys', 'u/dl/report.pdf'], undefined, { within: 'u/dl/' });
    expect(many.removed).toBe(1);
    expect(many.failed.map((f) => f.key)).toEqual(['u/dl/cfg/authorized_keys']);
    expect((await readdir(ssh)).sort()).toEqual(['authorized_keys', 'id_ed25519']);
    await expect(home.remove('home', 'u/other/x.txt', undefined, { within: 'u/dl/' })).rejects.toThrow(/not inside the folder/);
  });
});

describe('partial files a killed run left are removed', () => {
  const live = `${TEMP_PREFIX}0123456789abcdef`;
  const notes = `${TEMP_PREFIX}notes.txt`;

  /** A job copying ten slow files into home/u/dl/out/, stopped mid-way as a kill would leave it (journaled, not finished). */
  async function interrupted(how: 'quit' | 'pause'): Promise<{ id: string; journalDir: string; accounts: Record<string, Provider> }> {
    const journalDir = path.join(work, 'journal');
    for (let i = 0; i < 10; i++) await writeFile(path.join(work, 'src', 'bkt', `f${i}.bin`), Buffer.alloc(64 * 1024, i));
    const accounts: Record<string, Provider> = {
      src: withFaults(createLocalProvider({ kind: 'local', name: 'src', root: path.join(work, 'src') }), { readBytesPerSecond: 256 * 1024 }).provider,
      home: createLocalProvider({ kind: 'local', name: 'home', root: homeRoot }),
    };
    const m = new JobManager({ resolve: resolverFor(accounts), journalDir, maxFiles: 1 });
    const sources = Array.from({ length: 10 }, (_, i) => `file://src/bkt/f${i}.bin`);
    const { id } = m.start({ kind: 'copy', sources, destination: 'file://home/home/u/dl/out/', options: { overwrite: 'always' } });
    while (m.get(id).summary().filesDone < 1) await new Promise((r) => setTimeout(r, 10));
    if (how === 'pause') {
      m.pause({ id });
      await m.waitForIdle();
    }
    await m.close();
    // What the kill left: a partial file under the provider's temp name beside the destination files, and the
    // user's own files, one of them with a name that starts the same way.
    const out = path.join(dl, 'out');
    await writeFile(path.join(out, live), Buffer.alloc(100_000, 7));
    await writeFile(path.join(out, notes), 'my notes');
    await writeFile(path.join(dl, live), 'a folder the job does not write to is not touched');
    return { id, journalDir, accounts };
  }

  it('when the job resumes after the app comes back', async () => {
    const { id, journalDir, accounts } = await interrupted('quit');
    const m = new JobManager({ resolve: resolverFor(accounts), journalDir });
    m.restore();
    await m.waitForIdle();
    expect(m.get(id).summary().state).toBe('completed');
    const out = await readdir(path.join(dl, 'out'));
    expect(out).not.toContain(live);
    expect(out).toContain(notes);
    expect(out.filter((n) => n.startsWith('f')).length).toBe(10);
    expect(await readFile(path.join(dl, 'out', notes), 'utf8')).toBe('my notes');
    expect(await readdir(dl)).toContain(live);
    await m.close();
  }, 30_000);

  it('when the job is cancelled without running again', async () => {
    const { id, journalDir, accounts } = await interrupted('pause');
    const m = new JobManager({ resolve: resolverFor(accounts), journalDir });
    m.restore();
    expect(m.get(id).summary().state).toBe('paused');
    m.cancel({ id });
    await m.waitForIdle();
    const out = await readdir(path.join(dl, 'out'));
    expect(out).not.toContain(live);
    expect(await readFile(path.join(dl, 'out', notes), 'utf8')).toBe('my notes');
    await m.close();
  }, 30_000);
});
