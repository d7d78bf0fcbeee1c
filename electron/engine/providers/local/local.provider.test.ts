import { mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_MULTIPART } from '../provider';
import { readAll } from '../../test-support/conformance/data';
import { runConformance } from '../../test-support/conformance/suite';
import { createLocalProvider, type LocalProvider } from './local.provider';
import { TEMP_PREFIX } from './local.paths';

async function countTempFiles(dir: string): Promise<number> {
  let n = 0;
  for (const d of await readdir(dir, { withFileTypes: true, recursive: true })) if (d.name.startsWith(TEMP_PREFIX)) n++;
  return n;
}

runConformance(
  'local',
  async () => {
    const root = await mkdtemp(path.join(os.tmpdir(), 'skyferry-local-'));
    await mkdir(path.join(root, 'bucket'));
    return {
      provider: createLocalProvider({ kind: 'local', name: 'conformance', root }),
      bucket: 'bucket',
      // A local disk has no multipart; the suite still writes at these sizes ±1 byte.
      multipart: DEFAULT_MULTIPART,
      // In-flight temp files play the part of open uploads: a failed or aborted put must leave none.
      pendingUploads: () => countTempFiles(path.join(root, 'bucket')),
      readWithSdk: (key) => readFile(path.join(root, 'bucket', ...key.split('/'))),
      teardown: () => rm(root, { recursive: true, force: true }),
    };
  },
);

describe('local provider: key safety, symlinks, folders', () => {
  let base: string;
  let root: string;
  let outside: string;
  let p: LocalProvider;
  const put = (key: string, body: string) => p.put('b', key, Readable.from([Buffer.from(body)]), { size: Buffer.byteLength(body) });

  beforeAll(async () => {
    base = await mkdtemp(path.join(os.tmpdir(), 'skyferry-local-safety-'));
    root = path.join(base, 'root');
    outside = path.join(base, 'outside');
    await mkdir(path.join(root, 'b'), { recursive: true });
    await mkdir(outside);
    await writeFile(path.join(outside, 'secret.txt'), 'outside the root');
    p = createLocalProvider({ kind: 'local', name: 'safety', root });
  });
  afterAll(async () => {
    await rm(base, { recursive: true, force: true });
  });

  it.each([
    ['../../x', /"\.\." segment/],
    ['a/../../x', /"\.\." segment/],
    ['a/./b', /"\." segment/],
    ['..', /"\.\." segment/],
    ['p/..', /"\.\." segment/],
    ['a//b', /empty name part/],
    ['/etc/x', /absolute path/],
    ['a\\..\\x', /backslash/],
    ['\\\\host\\share\\x', /backslash/],
    ['a\0b', /NUL/],
    [`${'n'.repeat(256)}.txt`, /too long for a local disk/],
    [`${'d'.repeat(200)}/`.repeat(21), /longer than 4096 bytes, too long for a local disk/],
  ])('refuses the key %j with a clear message and writes nothing', async (key, message) => {
    await expect(put(key, 'x')).rejects.toMatchObject({ code: 'invalid_input', message: expect.stringMatching(message) });
    await expect(p.stat('b', key)).rejects.toMatchObject({ code: 'invalid_input' });
    expect(await readdir(base)).toEqual(['outside', 'root']);
    expect(await readdir(outside)).toEqual(['secret.txt']);
  });

  it('accepts a name of exactly 255 bytes', async () => {
    const name = 'n'.repeat(251) + '.txt';
    await put(name, 'max');
    expect((await p.stat('b', name)).size).toBe(3);
  });

  it('refuses bucket names that are paths', async () => {
    await expect(p.list('..', {})).rejects.toMatchObject({ code: 'invalid_input' });
    await expect(p.list('a/b', {})).rejects.toMatchObject({ code: 'invalid_input' });
    await expect(p.createBucket('.')).rejects.toMatchObject({ code: 'invalid_input' });
  });

  it('never lists, opens or writes through a symlink that leads out of the root', async () => {
    await symlink(outside, path.join(root, 'b', 'escape'));
    await symlink(path.join(outside, 'secret.txt'), path.join(root, 'b', 'secret-link.txt'));
    await symlink(outside, path.join(root, 'outside-bucket'));
    const listed = await p.list('b', { delimiter: '/' });
    expect(listed.entries.map((e) => e.key)).not.toContain('escape/');
    expect(listed.entries.map((e) => e.key)).not.toContain('secret-link.txt');
    expect((await p.list('b', {})).entries.map((e) => e.key).filter((k) => k.includes('secret'))).toEqual([]);
    expect((await p.list('b', { prefix: 'escape/', delimiter: '/' })).entries).toEqual([]);
    expect((await p.listBuckets()).map((x) => x.name)).not.toContain('outside-bucket');
    await expect(p.open('b', 'secret-link.txt')).rejects.toMatchObject({ code: 'access_denied', message: expect.stringMatching(/outside/) });
    await expect(p.stat('b', 'escape/secret.txt')).rejects.toMatchObject({ code: 'access_denied' });
    await expect(put('escape/new.txt', 'nope')).rejects.toMatchObject({ code: 'access_denied' });
    await expect(p.list('outside-bucket', {})).rejects.toMatchObject({ code: 'access_denied' });
    expect(await readdir(outside)).toEqual(['secret.txt']);
    // Removing the link removes the link only.
    await p.remove('b', 'secret-link.txt');
    expect(await readFile(path.join(outside, 'secret.txt'), 'utf8')).toBe('outside the root');
  });

  it('follows a symlink that stays inside the root', async () => {
    await put('real/inside.txt', 'inside');
    await symlink(path.join(root, 'b', 'real'), path.join(root, 'b', 'alias'));
    const top = await p.list('b', { delimiter: '/' });
    expect(top.entries.find((e) => e.key === 'alias/')?.isPrefix).toBe(true);
    expect((await readAll(await p.open('b', 'alias/inside.txt'))).toString()).toBe('inside');
  });

  it('makes folders from markers, refuses bytes in a marker, and a file where a folder is', async () => {
    await p.put('b', 'made/deep/', Readable.from([]), { size: 0 });
    expect((await p.stat('b', 'made/deep/')).size).toBe(0);
    await expect(p.put('b', 'bad/', Readable.from([Buffer.from('x')]), { size: 1 })).rejects.toMatchObject({ code: 'invalid_input' });
    await expect(put('made', 'x')).rejects.toMatchObject({ code: 'conflict' });
    await put('plain.txt', 'x');
    await expect(put('plain.txt/child', 'x')).rejects.toMatchObject({ code: 'conflict' });
    const removal = await p.removeMany('b', ['made/', 'made/deep/']);
    expect(removal).toEqual({ removed: 2, failed: [] });
    await expect(p.stat('b', 'made/')).rejects.toMatchObject({ code: 'not_found' });
  });

  it('guesses a content type from the extension, refuses metadata changes, copies and hashes', async () => {
    await put('doc/readme.md', 'hello');
    const meta = await p.stat('b', 'doc/readme.md');
    expect(meta.contentType).toBe('text/markdown');
    expect(meta.userMetadata).toEqual({});
    await expect(p.setMetadata('b', 'doc/readme.md', { contentType: 'text/plain' })).rejects.toMatchObject({ code: 'unsupported', message: expect.stringMatching(/Local folders cannot store metadata/) });
    await p.copy({ bucket: 'b', key: 'doc/readme.md' }, { bucket: 'b', key: 'copy dir/readme #2.md' });
    expect((await readAll(await p.open('b', 'copy dir/readme #2.md'))).toString()).toBe('hello');
    expect(await p.hash('b', 'copy dir/readme #2.md', 'md5')).toBe('5d41402abc4b2a76b9719d911017c592');
    expect(await p.hash('b', 'doc/readme.md', 'sha256')).toBe('2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824');
    await expect(p.hash('b', 'doc/readme.md', 'crc32c')).rejects.toMatchObject({ code: 'unsupported' });
  });

  it('hides in-flight temp files from listings, and only names of exactly their form', async () => {
    await writeFile(path.join(root, 'b', `${TEMP_PREFIX}0123456789abcdef`), 'half');
    await writeFile(path.join(root, 'b', `${TEMP_PREFIX}notes.txt`), 'the user\'s own');
    const keys = (await p.list('b', {})).entries.map((e) => e.key);
    expect(keys).not.toContain(`${TEMP_PREFIX}0123456789abcdef`);
    expect(keys).toContain(`${TEMP_PREFIX}notes.txt`);
  });

  it('gives a folder listing its count of names on every page, a flat listing none', async () => {
    await mkdir(path.join(root, 'b', 'counted', 'sub'), { recursive: true });
    for (let i = 0; i < 4; i++) await writeFile(path.join(root, 'b', 'counted', `f${i}.txt`), 'x');
    await writeFile(path.join(root, 'b', 'counted', `${TEMP_PREFIX}0123456789abcdef`), 'half');
    const first = await p.list('b', { prefix: 'counted/', delimiter: '/', pageSize: 2 });
    expect(first).toMatchObject({ total: 5, cursor: expect.any(String) });
    expect(first.entries).toHaveLength(2);
    const next = await p.list('b', { prefix: 'counted/', delimiter: '/', pageSize: 2, cursor: first.cursor });
    expect(next.total).toBe(5);
    expect((await p.list('b', { prefix: 'counted/f', delimiter: '/' })).total).toBe(4);
    expect((await p.list('b', { prefix: 'counted/', pageSize: 2 })).total).toBeUndefined();
  });
});

/**
 * The account's root plays the built-in account's `/`: `home/u/dl/` is the folder the user chose, and a link in it
 * leads to `home/u/.ssh`, inside the root but outside that folder.
 */
describe('local provider: writes stay inside the folder the user chose', () => {
  let base: string;
  let dl: string;
  let ssh: string;
  let p: LocalProvider;
  const put = (key: string, body: string, within?: string) =>
    p.put('home', key, Readable.from([Buffer.from(body)]), { size: Buffer.byteLength(body), ...(within === undefined ? {} : { within }) });

  beforeAll(async () => {
    base = await mkdtemp(path.join(os.tmpdir(), 'skyferry-local-within-'));
    dl = path.join(base, 'home', 'u', 'dl');
    ssh = path.join(base, 'home', 'u', '.ssh');
    await mkdir(dl, { recursive: true });
    await mkdir(ssh);
    await mkdir(path.join(dl, 'real'));
    await symlink(ssh, path.join(dl, 'cfg'));
    await symlink(path.join(dl, 'real'), path.join(dl, 'alias'));
    await writeFile(path.join(base, 'home', 'u', 'source.txt'), 'ssh-ed25519 AAAA attacker');
    p = createLocalProvider({ kind: 'local', name: 'builtin', root: base });
  });
  afterAll(async () => {
    await rm(base, { recursive: true, force: true });
  });

  it('refuses a write through a link below the chosen folder that leads out of it, and writes nothing there', async () => {
    await expect(put('u/dl/cfg/authorized_keys', 'ssh-ed25519 AAAA attacker', 'u/dl/')).rejects.toMatchObject({
      code: 'access_denied',
      message: expect.stringMatching(/"u\/dl\/cfg\/" in home is a link to .*outside the folder .*dl chosen for this copy/),
    });
    await expect(p.put('home', 'u/dl/cfg/sub/', Readable.from([]), { size: 0, within: 'u/dl/' })).rejects.toMatchObject({ code: 'access_denied' });
    await expect(p.copy({ bucket: 'home', key: 'u/source.txt' }, { bucket: 'home', key: 'u/dl/cfg/authorized_keys' }, { within: 'u/dl/' })).rejects.toMatchObject({ code: 'access_denied' });
    expect(await readdir(ssh)).toEqual([]);
  });

  it('follows a link below the chosen folder that stays inside it', async () => {
    await put('u/dl/alias/inside.txt', 'inside', 'u/dl/');
    expect(await readFile(path.join(dl, 'real', 'inside.txt'), 'utf8')).toBe('inside');
  });

  it('refuses a key outside the folder it names', async () => {
    await expect(put('u/other.txt', 'x', 'u/dl/')).rejects.toMatchObject({ code: 'invalid_input' });
  });

  it('never writes through a link at the final name: the link is replaced, its target untouched', async () => {
    await writeFile(path.join(ssh, 'known_hosts'), 'kept');
    await symlink(path.join(ssh, 'known_hosts'), path.join(dl, 'hosts-link'));
    await put('u/dl/hosts-link', 'new bytes', 'u/dl/');
    expect(await readFile(path.join(ssh, 'known_hosts'), 'utf8')).toBe('kept');
    expect(await readFile(path.join(dl, 'hosts-link'), 'utf8')).toBe('new bytes');
    await rm(path.join(ssh, 'known_hosts'));
  });
});

describe('local provider: partial files a killed write left', () => {
  it('removes only temp files of exactly its form that no write of this process holds', async () => {
    const root = await mkdtemp(path.join(os.tmpdir(), 'skyferry-local-leftovers-'));
    try {
      const dir = path.join(root, 'b', 'out');
      await mkdir(dir, { recursive: true });
      const p = createLocalProvider({ kind: 'local', name: 'leftovers', root });
      const dead = `${TEMP_PREFIX}0123456789abcdef`;
      await writeFile(path.join(dir, dead), 'half of a big file');
      await writeFile(path.join(dir, `${TEMP_PREFIX}notes.txt`), 'mine');
      await writeFile(path.join(dir, 'report.pdf'), 'mine too');
      // A write in flight in this process: its temp file stays while the sweep runs.
      let release: () => void = () => undefined;
      const held = new Promise<void>((r) => (release = r));
      async function* slow(): AsyncGenerator<Buffer> {
        yield Buffer.from('abc');
        await held;
        yield Buffer.from('def');
      }
      const writing = p.put('b', 'out/live.bin', Readable.from(slow()), { size: 6 });
      while ((await readdir(dir)).filter((n) => n.startsWith(TEMP_PREFIX)).length < 3) await new Promise((r) => setTimeout(r, 5));
      expect(await p.removeLeftovers?.('b', ['out/a.bin', 'out/b.bin', 'missing/c.bin'])).toBe(1);
      release();
      await writing;
      expect((await readdir(dir)).sort()).toEqual([`${TEMP_PREFIX}notes.txt`, 'live.bin', 'report.pdf']);
      expect(await readFile(path.join(dir, 'live.bin'), 'utf8')).toBe('abcdef');
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
